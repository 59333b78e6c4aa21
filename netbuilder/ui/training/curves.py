"""The Curves view: training loss per step (raw and smoothed: ``run_history.smoothing_weight``, nothing to
smooth with one step an epoch), training loss over each epoch (diamonds) beside the validation loss at
its end (circles), the same for accuracy, learning rate; setting changes marked by labelled vertical
lines; the design's earlier runs overlaid the same way, each in its own colour with its settings in the
legend ("run 2 · adam lr 0.01 · batch 16"); the run list beside the plots shows, hides, renames and
deletes runs (``runs_edited`` then fires, and the runs file beside the design is written:
training/design_link.py); export as PNG and the metrics as CSV.

Persistent pyqtgraph items fed with ``setData`` from the controller's timer, made when the view is first
shown (the runs, markers and x range it was given before are drawn then). Qt, pyqtgraph, numpy.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from netbuilder.ui.training.curve_items import epoch_marks, points, run_items
from netbuilder.ui.training.run_history import MAX_RUNS, RunCurves, legend_text, status_texts
from netbuilder.ui.training.run_list import RunList
from netbuilder.ui.training.settings import metrics_csv
from netbuilder.ui.training.widgets import LiveView, plot_place, swap_in_split

CURRENT_COLOUR = "#0877bd"
TITLES = ("Loss", "Accuracy", "Learning rate")
TITLE_SIZE = "11pt"  # a plot title's size in a view that is not low (pyqtgraph's own default)
# room each side of the planned epochs, as a share of them: the last epoch's marks whole inside the plot (at 1 %
# its diamond was cut in half by the right edge)
EPOCH_PADDING = 0.04
LEFT_LABEL_PX = 22  # px between the value labels of a plot's left axis (a low plot wrote 0.8 on 0.6)
LEGEND_LINES = 3  # a one-column legend of more entries than this goes to two columns, its names cut
LEGEND_COLUMN_MIN = 150  # px: the narrowest legend column worth cutting names for
LOW_VIEW = 420  # px: a view lower than this has one row of plots, with small titles and no axis labels
RUN_COLOURS = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#d62728", "#9467bd")


class CurvesView(LiveView):
    runs_edited = Signal()  # a run was shown, hidden, renamed or deleted in the run list
    PLOTS = frozenset({"layout_widget", "legend", "loss_plot", "acc_plot", "lr_plot", "loss_raw", "loss_smooth",
                       "val_loss", "acc_smooth", "val_acc", "lr_line", "train_loss_epochs", "train_acc_epochs",
                       "_current_items"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel("Train the network to see its curves.", self)
        # one line, cut at the dock's edge (never widening it; the whole text in the tooltip)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.png_button = QPushButton("Export PNG…", self)
        self.csv_button = QPushButton("Export CSV…", self)
        self.run_list = RunList(self)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)
        self._split = split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(plot_place(split))  # the plots, once shown (build_plots)
        split.addWidget(self.run_list)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setSizes([800, 120])
        self._list_width_chosen = False  # the user dragged the splitter: their width stays
        split.splitterMoved.connect(self._list_width_was_chosen)
        self._columns = 0  # the plots' columns now (3 side by side, or 2 with the learning rate below)
        self._low: bool | None = None  # the view is lower than LOW_VIEW (small titles, no axis labels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.run: RunCurves | None = None
        self.history: list[RunCurves] = []  # earlier runs, newest first
        self.design_runs: list[RunCurves] = []  # the runs the open design came with, oldest first
        self.training = False  # the current run is training (it cannot be deleted)
        self._history_items: dict[int, tuple[tuple, list[Any]]] = {}  # run number -> (how drawn, its items)
        self.markers: list[tuple[float, str]] = []
        self._lr_top = 0.0
        self._marker_items: list[Any] = []
        self._epochs_shown: float | None = None  # set_epochs: the x range fixed to the whole run
        self._epoch_points: tuple | None = None  # the run and its epoch rows the epoch items show
        self.run_list.visibility_changed.connect(self.set_run_visible)
        self.run_list.renamed.connect(self.rename_run)
        self.run_list.delete_requested.connect(self.delete_run)

    def build_plots(self) -> None:
        """The plots, then what the view was given before: x range, earlier runs, markers, the current run."""
        import pyqtgraph as pg

        from netbuilder.ui.training.axes import SpacedAxis, cache_axes

        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setBackground(None)
        self.layout_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        # one legend for the three plots, in its own row above them: never over the data, never cut
        self.legend = pg.LegendItem(colCount=2, labelTextSize="8pt", verSpacing=-6)
        self.loss_plot, self.acc_plot, self.lr_plot = (
            pg.PlotItem(title=title, axisItems={"bottom": SpacedAxis("bottom"),
                                                "left": SpacedAxis("left", min_px=LEFT_LABEL_PX)})
            for title in TITLES)
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", "epoch")
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        cache_axes(self.loss_plot, self.acc_plot, self.lr_plot)
        self._columns, self._low = 0, None
        self._arrange(self._plots_width())
        self.acc_plot.setYRange(0, 1)
        self.acc_plot.getViewBox().setLimits(yMin=-0.05, yMax=1.05)
        self.acc_plot.setXLink(self.loss_plot)
        # the learning rate follows the loss's epochs (a plain link would line the two up pixel by pixel,
        # wrong when the learning rate is the wide plot below the others)
        self._following = False
        self.loss_plot.getViewBox().sigXRangeChanged.connect(lambda _v, r: self._follow(self.lr_plot, r))
        self.lr_plot.getViewBox().sigXRangeChanged.connect(lambda _v, r: self._follow(self.loss_plot, r))
        self.loss_raw = self.loss_plot.plot(pen=pg.mkPen((8, 119, 189, 70), width=1))
        self.loss_smooth = self.loss_plot.plot(pen=pg.mkPen(CURRENT_COLOUR, width=2))
        self.val_loss = self.loss_plot.plot(pen=pg.mkPen("#f59322", width=2), symbol="o", symbolSize=6,
                                            symbolBrush="#f59322")
        self.acc_smooth = self.acc_plot.plot(pen=pg.mkPen(CURRENT_COLOUR, width=2))
        self.val_acc = self.acc_plot.plot(pen=pg.mkPen("#f59322", width=2), symbol="o", symbolSize=6,
                                          symbolBrush="#f59322")
        # the training loss and accuracy over each epoch, at its end: beside validation, like with like
        self.train_loss_epochs, self.train_acc_epochs = (
            plot.plot(pen=None, **epoch_marks(CURRENT_COLOUR, 9)) for plot in (self.loss_plot, self.acc_plot))
        self.lr_line = self.lr_plot.plot(pen=pg.mkPen("#2ca02c", width=2))
        self.legend.addItem(self.loss_raw, "train (per step)")
        self.legend.addItem(self.val_loss, "validation")
        self.legend.addItem(self.loss_smooth, "train (smoothed)")
        self.legend.addItem(self.train_loss_epochs, "train (over each epoch)")
        self._current_items = (self.loss_raw, self.loss_smooth, self.val_loss, self.acc_smooth, self.val_acc,
                               self.lr_line, self.train_loss_epochs, self.train_acc_epochs)
        self._epoch_points = None
        swap_in_split(self._split, (self.layout_widget,))
        self._fit_legend()
        self._history_items = {}
        self._draw_history()
        for x, label in self.markers:
            self._marker_lines(x, label)
        self.dirty = True

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_run_list()
        self._relayout()
        self._show_status()

    def _list_width_was_chosen(self, *_args) -> None:
        self._list_width_chosen = True
        self._relayout()

    def _relayout(self) -> None:
        """The plots and the legend for the room the view has now (the splitter is laid out already)."""
        if self.plots_built:
            self._arrange(self._plots_width())
            self._fit_legend()

    def _fit_run_list(self) -> None:
        """The run list takes about a fifth of the view (110–180 px) until the user drags the splitter."""
        total = sum(self._split.sizes())
        if self._list_width_chosen or total <= 0:
            return
        width = max(110, min(180, total // 5))
        if self._split.sizes()[1] != width:
            self._split.setSizes([total - width, width])

    def _plots_width(self) -> int:
        sizes = self._split.sizes()
        return sizes[0] if sum(sizes) > 0 else self.width() - 130

    def _arrange(self, width: int) -> None:
        """Loss, accuracy and learning rate side by side when each gets about 210 px, or when the view is
        too low for two rows (``LOW_VIEW``); otherwise loss and accuracy side by side with the learning rate
        (a smaller plot) across below them."""
        low = self._split.height() < LOW_VIEW
        columns = 3 if width >= 3 * 210 or low else 2
        if low != self._low:  # a low view: small titles and no "epoch" under each axis, for the curves
            self._low = low
            for plot, title in zip((self.loss_plot, self.acc_plot, self.lr_plot), TITLES, strict=True):
                if low:
                    plot.setTitle(title, size="8pt")
                    plot.titleLabel.setMaximumHeight(18)
                    plot.layout.setRowFixedHeight(0, 18)
                else:  # (pyqtgraph keeps a label's last size: give the full one back)
                    plot.setTitle(title, size=TITLE_SIZE)
                plot.getAxis("bottom").showLabel(not low)
        if columns == self._columns:
            return
        ci = self.layout_widget.ci
        for item in (self.legend, self.loss_plot, self.acc_plot, self.lr_plot):
            if item in ci.items:
                ci.removeItem(item)
        ci.addItem(self.legend, row=0, col=0, colspan=columns)
        ci.addItem(self.loss_plot, row=1, col=0)
        ci.addItem(self.acc_plot, row=1, col=1)
        if columns == 3:
            ci.addItem(self.lr_plot, row=1, col=2)
        else:
            ci.addItem(self.lr_plot, row=2, col=0, colspan=2)
        ci.layout.setRowStretchFactor(1, 2)
        ci.layout.setRowStretchFactor(2, 1 if columns == 2 else 0)
        self._columns = columns

    def _follow(self, plot, x_range) -> None:
        if not self._following:
            self._following = True
            try:
                plot.setXRange(*x_range, padding=0)
            finally:
                self._following = False

    def _fit_legend(self) -> None:
        """As many legend columns as fit: at most 4, and in a view wider than about 300 px a column (180 px
        in a low view, where a line of legend is a line of plot less) so the legend stays a few lines high,
        but never more than the entries' own widths allow (a long run name ran past the edge, cut)."""
        room = self._plots_width() - 20  # (the layout's margins)
        columns = max(1, min(4, self._plots_width() // (180 if self._low else 300)))
        from netbuilder.ui.training.axes import elide_legend, legend_width

        elide_legend(self.legend, None)  # (measured whole)
        while columns > 1 and legend_width(self.legend, columns) > room:
            columns -= 1
        if columns == 1 and len(self.legend.items) > LEGEND_LINES and room >= 2 * LEGEND_COLUMN_MIN:
            # long run names would stack the legend a line each, over half a low view: two columns, the
            # names cut to fit (whole in the run list's tooltips and in legend_names)
            columns = 2
            elide_legend(self.legend, room, columns)
        if columns != self.legend.columnCount:
            self.legend.setColumnCount(columns)

    # ----- the runs ----------------------------------------------------------------------------
    def all_runs(self) -> list[RunCurves]:
        """Every run with data, oldest first (what the runs file keeps)."""
        runs = list(reversed(self.history))
        if self.run is not None and (self.run.loss.n or self.run.val_loss.n):
            runs.append(self.run)
        return runs

    def run_names(self) -> dict[int, str]:
        """Each run's number and its name now (the legend names the run another continues by it)."""
        return {r.number: r.name for r in [*self.history, self.run] if r is not None}

    def find_run(self, number: int) -> RunCurves | None:
        return next((r for r in [*self.history, self.run] if r is not None and r.number == number), None)

    def next_number(self) -> int:
        return 1 + max((r.number for r in [*self.history, self.run] if r is not None), default=0)

    def set_design_runs(self, runs: list[RunCurves]) -> None:
        """The runs that came with the opened design (oldest first): shown as earlier runs."""
        self.design_runs = list(runs)
        self.clear_history()

    def clear_history(self) -> None:
        """Back to the open design's own runs (the design was replaced): the last of them is the current
        run, the others are overlaid."""
        runs = list(self.design_runs)
        self.run = runs.pop() if runs else None
        self.history = list(reversed(runs))
        self._clear_markers()
        self.markers = list(self.run.marks) if self.run is not None else []  # (the reopened run's changes)
        for x, label in self.markers if self.plots_built else []:
            self._marker_lines(x, label)
        self._lr_top = 0.0
        self._epochs_shown = None
        if self.plots_built:
            self.loss_plot.enableAutoRange(x=True)  # the saved runs' own length (a run then fixes it again)
            for item in self._current_items:
                item.setData([], [])
            self._epoch_points = None
        self._draw_history()
        self.status.setText(f"{len(self.design_runs)} earlier run(s) of this design." if self.design_runs
                            else "Train the network to see its curves.")
        self.dirty = True

    def set_run_visible(self, number: int, visible: bool) -> None:
        run = self.find_run(number)
        if run is not None and run.visible != visible:
            run.visible = visible
            self._draw_history()
            self.dirty = True
            self.runs_edited.emit()

    def rename_run(self, number: int, name: str) -> None:
        run, name = self.find_run(number), " ".join(name.split())[:80]
        if run is None or name == run.name:
            return
        if not name:  # an empty name is not a name: put the old one back
            self._sync_list()
            return
        run.name = name
        self._draw_history()  # (and a run that continues it names it so: "run 2 · continues baseline")
        self._sync_list()
        self.dirty = True
        self.runs_edited.emit()

    def delete_run(self, number: int) -> None:
        if self.training and self.run is not None and self.run.number == number:
            return
        if self.run is not None and self.run.number == number:
            self.run = None
            for item in self._current_items if self.plots_built else ():
                item.setData([], [])
            self._epoch_points = None
        self.history = [r for r in self.history if r.number != number]
        self._draw_history()
        self.dirty = True
        self.runs_edited.emit()

    def _name_current(self) -> None:
        """The current run's smoothed loss is named in the legend by its run and settings."""
        name = f"{legend_text(self.run, self.run_names())} (smoothed)" if self.run is not None else "train (smoothed)"
        from netbuilder.ui.training.axes import full_text  # (pyqtgraph: the plots are built)

        sample_label = next((entry for entry in self.legend.items if entry[0].item is self.loss_smooth), None)
        if sample_label is not None and full_text(sample_label[1]) != name:
            sample_label[1].full_text = name
            sample_label[1].setText(name)
            self._fit_legend()

    def colour_of(self, run: RunCurves) -> str:
        return CURRENT_COLOUR if run is self.run else RUN_COLOURS[(run.number - 1) % len(RUN_COLOURS)]

    def _sync_list(self) -> None:
        live = self.run.number if self.training and self.run is not None else None
        runs = self.all_runs() + ([self.run] if self.run is not None and self.run not in self.all_runs() else [])
        self.run_list.set_runs(runs, live, {r.number: self.colour_of(r) for r in runs})

    # ----- data in (GUI thread; cheap) ---------------------------------------------------------
    def set_epochs(self, epochs: int) -> None:
        """Show the whole run along x from the start (the axis then stays still while it trains); a run that
        continues another ends its epochs later."""
        self._epochs_shown = (self.run.start if self.run is not None else 0.0) + max(1, epochs)
        self._span_epochs()

    def _span_epochs(self) -> None:
        """x from 0 to the planned epochs of the current run, or to the end of a longer earlier run that
        is shown (a 1-epoch run beside a 3-epoch one showed only the first epoch of the longer)."""
        if not self.plots_built or self._epochs_shown is None:
            return
        ends = [run.end() for run in self.history if run.visible]
        self.loss_plot.enableAutoRange(x=False)
        self.loss_plot.setXRange(0, max([self._epochs_shown, *ends]), padding=EPOCH_PADDING)

    def plan_epochs(self, epochs: Any) -> None:
        """Before the design's first run: the x axes span the epochs the run will train (not 0 to 1)."""
        if isinstance(epochs, int) and epochs > 0 and not self.training and not self.all_runs():
            self.set_epochs(epochs)

    def start_run(self, label: str | None = None, settings: dict[str, Any] | None = None,
                  continued: bool = False) -> RunCurves:
        """A new current run (named ``run N`` after the design's runs); the previous one joins the history.
        ``continued``: it trains on from the weights the previous run left, and its curves go on from there."""
        before = self.run if self.run is not None and (self.run.loss.n or self.run.val_loss.n) else None
        if before is not None:
            self.history = ([before] + self.history)[:MAX_RUNS - 1]
        number = self.next_number()
        self.run = RunCurves(label or f"run {number}", number, settings)
        if continued and before is not None:
            self.run.continue_from(before)
        self._clear_markers()
        self._draw_history()
        self.dirty = True
        return self.run

    def finish_run(self, outcome: dict[str, Any] | None) -> None:
        """The current run ended: keep how (reason, epochs, accuracies) for the list and the file."""
        if self.training and self.run is not None and outcome:  # (a run that never started has no curve)
            self.run.outcome = {k: outcome[k] for k in ("kind", "reason", "epochs", "val_accuracy", "test_accuracy",
                                                        "fault", "message") if k in outcome}
        self.training = False
        self._sync_list()
        if self.isVisible():  # the whole run at once (during the run, redraws keep to the GUI budget)
            self.refresh()

    def _clear_markers(self) -> None:
        for plot, item in self._marker_items:
            plot.removeItem(item)
        self._marker_items, self.markers = [], []

    def add_steps(self, steps: list[dict[str, Any]], epochs: int) -> None:
        if self.run is None:
            self.start_run()
        for s in steps:
            self.run.add_step(float(s["progress"]) * epochs, s)
        self.dirty = True

    def add_epoch(self, epoch: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.add_epoch(epoch)
            self.dirty = True

    def mark(self, x: float, label: str) -> None:
        """A vertical line with a label at ``x`` (epochs) on every plot: a setting changed there (kept with
        the current run: its legend says so, and it is drawn again when the design is reopened); ``x`` counts
        from the run's start."""
        x += self.run.start if self.run is not None else 0.0
        self.markers.append((x, label))
        if self.run is not None:
            self.run.marks.append((x, label))
        if self.plots_built:
            self._marker_lines(x, label)
        self.dirty = True

    def _marker_lines(self, x: float, label: str) -> None:
        import pyqtgraph as pg

        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            line = pg.InfiniteLine(x, angle=90, pen=pg.mkPen("#9467bd", width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                   label=label if plot is self.loss_plot else None,
                                   labelOpts={"position": 0.92, "color": "#9467bd", "fill": (255, 255, 255, 180)})
            plot.addItem(line)
            self._marker_items.append((plot, line))

    # ----- drawing (from the timer) ------------------------------------------------------------
    def refresh(self) -> None:
        import numpy as np

        super().refresh()
        r = self.run
        if r is None:
            return
        for item in self._current_items:
            item.setVisible(r.visible)
        self.loss_raw.setData(r.loss.x, r.loss.y)
        self.loss_smooth.setData(r.smooth.x, r.smooth.y)
        self.acc_smooth.setData(r.acc_smooth.x, r.acc_smooth.y)
        if self._epoch_points != (r, r.val_loss.n):  # the items with symbols again only for a new epoch
            self._epoch_points = (r, r.val_loss.n)
            self.val_loss.setData(*points(r.val_loss))
            self.val_acc.setData(*points(r.val_acc))
            self.train_loss_epochs.setData(*points(r.train_loss))
            self.train_acc_epochs.setData(*points(r.train_acc))
        self.lr_line.setData(r.lr.x, r.lr.y)
        rates = [run.lr.y for run in [r, *self.history] if run.visible and run.lr.n and np.isfinite(run.lr.y).any()]
        top = max(float(np.nanmax(y)) for y in rates) * 1.15 if rates else 0.0
        if top > 0 and top != self._lr_top:  # from 0, so a constant rate is a flat line, not noise
            self._lr_top = top
            self.lr_plot.setYRange(0, top, padding=0)
        self._show_status()

    def _show_status(self) -> None:
        """The current run in the line above the plots (once it has steps): the whole text when it fits,
        else the short one (the whole text is always the tooltip)."""
        if self.run is None or not self.run.loss.n:
            return
        whole, short = status_texts(self.run, self.run_names())
        fits = self.status.fontMetrics().horizontalAdvance(whole) <= self.status.width()
        self.status.setText(whole if fits else short)
        self.status.setToolTip(whole)

    def _draw_history(self) -> None:
        """The earlier runs that are shown, each in its colour as the current run is drawn: smoothed
        training loss (named in the legend with its settings), training loss over each epoch (diamonds) and
        validation loss (dashed, circles); the same for accuracy; learning rate."""
        if not self.plots_built:  # drawn by build_plots
            self._sync_list()
            return
        # a shown run keeps its items while drawn alike (history never changes): a new run adds one run's items
        shown = [run for run in self.history if run.visible]
        keys = {run.number: (id(run), self.colour_of(run)) for run in shown}
        for number, (key, items) in list(self._history_items.items()):
            self.legend.removeItem(items[0][1])
            if keys.get(number) != key:
                for plot, item in items:
                    plot.removeItem(item)
                del self._history_items[number]
        self._name_current()
        for run in shown:  # the legend names them newest first
            if run.number not in self._history_items:
                self._history_items[run.number] = (keys[run.number], run_items(
                    (self.loss_plot, self.acc_plot, self.lr_plot), run, self.colour_of(run)))
            text = legend_text(run, self.run_names())
            self.legend.addItem(self._history_items[run.number][1][0][1], text)
            self.legend.items[-1][1].full_text = text
        self._fit_legend()
        self._span_epochs()
        self._sync_list()

    def legend_names(self) -> list[str]:
        """The legend's entries, in order, whole (tests, screenshots)."""
        from netbuilder.ui.training.axes import full_text

        return [full_text(label) for _sample, label in self.legend.items]

    # ----- export -------------------------------------------------------------------------------
    def metrics_csv(self) -> str:
        rows = [dict(row, run=run.name) for run in self.all_runs() for row in run.rows]
        return metrics_csv(rows)

    def has_data(self) -> bool:
        return self.run is not None and self.run.loss.n > 0
