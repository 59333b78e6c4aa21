"""The explore views that change the design: the Overfitting lab (train/val curves with the best epoch,
train fraction, regularisers one click away), the Augmentation preview, and Transfer learning (load
weights, freeze layers, replace the head). Every change goes through the Document (one undo step).

Qt and pyqtgraph; no torch (results come from the workbench as plain values).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui.canvas.badges import blank_icon, lock_icon
from netbuilder.ui.explore.widgets import AnswerView, ImageView, note
from netbuilder.ui.training.widgets import PlotsWhenShown, plot_place, swap

if TYPE_CHECKING:
    import pyqtgraph as pg

TRAIN_COLOUR, VAL_COLOUR, BEST_COLOUR = "#1f77b4", "#ff7f0e", "#2e9d48"


def _series_style(colour: str) -> dict[str, Any]:
    """A line with round markers, all in one colour (pyqtgraph's default markers are dark grey)."""
    import pyqtgraph as pg

    return {"pen": pg.mkPen(colour, width=2), "symbol": "o", "symbolSize": 6,
            "symbolBrush": pg.mkBrush(colour), "symbolPen": pg.mkPen(colour)}


def _legend_above(plot: pg.PlotItem, entries) -> pg.LegendItem:
    """A one-row legend in the plot's title row, above the data: nothing drawn in the plot can hide it."""
    import pyqtgraph as pg

    legend = pg.LegendItem(colCount=len(entries), labelTextSize="8pt")
    for item, name in entries:
        legend.addItem(item, name)
    plot.layout.removeItem(plot.titleLabel)  # the title row is empty here: the legend takes it
    plot.titleLabel.hide()
    plot.layout.addItem(legend, 0, 1)
    plot.layout.setRowFixedHeight(0, 24)
    return legend


class OverfitLab(PlotsWhenShown):
    """Train and validation loss per epoch with the best epoch marked, and the remedies (the plot is made
    when the lab is first shown)."""

    PLOTS = frozenset({"plot", "train_curve", "val_curve", "best_line", "best_point", "legend"})

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.epochs: list[dict[str, Any]] = []
        self.best_epoch: int | None = None
        self._plot_place = plot_place(self)
        self._plot_place.setMinimumHeight(170)
        self.gap_label = note("Train to see the training and validation losses; the gap between them is "
                              "overfitting.")
        self.fraction = QSlider(Qt.Orientation.Horizontal)
        self.fraction.setRange(1, 100)  # (1 %: a handful of images per class, overfitting at its plainest)
        self.fraction.setSingleStep(1)
        self.fraction.setPageStep(10)
        self.fraction_label = QLabel()
        self.weight_decay = QDoubleSpinBox()
        self.weight_decay.setDecimals(5)
        self.weight_decay.setRange(0.0, 1.0)
        self.weight_decay.setSingleStep(1e-4)
        self.patience = QSpinBox()
        self.patience.setRange(0, 100)
        self.patience.setSpecialValueText("off")
        self.dropout_button = QPushButton("Insert Dropout after the selected layer")
        self.batchnorm_button = QPushButton("Insert BatchNorm after the selected layer")
        self.message = note()
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.fraction, 1)
        row.addWidget(self.fraction_label)
        form.addRow("Train on", row)
        form.addRow("Weight decay", self.weight_decay)
        form.addRow("Early stopping: patience (epochs)", self.patience)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(self.dropout_button)
        side.addWidget(self.batchnorm_button)
        side.addWidget(self.message)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(self._plot_place, 1)
        left.addWidget(self.gap_label)
        layout.addLayout(left, 3)
        layout.addLayout(side, 2)
        self.fraction.valueChanged.connect(self._fraction_changed)
        self.weight_decay.valueChanged.connect(
            lambda v: self.document.set_training_value("weight_decay", float(v), "set weight decay"))
        self.patience.valueChanged.connect(
            lambda v: self.document.set_training_value("early_stopping_patience", int(v), "set early stopping"))
        self.dropout_button.clicked.connect(lambda: self.insert_after("dropout"))
        self.batchnorm_button.clicked.connect(lambda: self.insert_after("batchnorm"))
        self.sync_from_design()

    def build_plots(self) -> None:
        import pyqtgraph as pg

        self.plot = pg.PlotWidget(background=None)
        self.plot.setMinimumHeight(170)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.train_curve = self.plot.plot([], [], name="training loss", **_series_style(TRAIN_COLOUR))
        self.val_curve = self.plot.plot([], [], name="validation loss", **_series_style(VAL_COLOUR))
        self.best_line = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(BEST_COLOUR, width=2, style=Qt.PenStyle.DashLine),
                                         label="best", labelOpts={"position": 0.94, "color": BEST_COLOUR})
        self.best_line.setVisible(False)
        self.plot.addItem(self.best_line)
        self.best_point = pg.ScatterPlotItem(size=16, symbol="star", brush=pg.mkBrush(BEST_COLOUR),
                                             pen=pg.mkPen(BEST_COLOUR))
        self.plot.addItem(self.best_point)
        self.legend = _legend_above(self.plot.getPlotItem(), ((self.train_curve, "training"),
                                                              (self.val_curve, "validation"),
                                                              (self.best_point, "best")))
        swap(self._plot_place, self.plot)
        self.refresh()

    # ----- the design's settings -----------------------------------------------------------------
    def sync_from_design(self) -> None:
        t = self.document.design.training
        for widget, value in ((self.fraction, round(100 * float(t.get("train_fraction", 1.0)))),
                              (self.weight_decay, float(t.get("weight_decay", 0.0))),
                              (self.patience, int(t.get("early_stopping_patience", 0)))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.fraction_label.setText(f"{self.fraction.value()} % of the training set")

    def _fraction_changed(self, value: int) -> None:
        self.fraction_label.setText(f"{value} % of the training set")
        self.document.set_training_value("train_fraction", round(value / 100, 2), "set the training fraction")

    def insert_after(self, what: str) -> str | None:
        """Insert a Dropout or BatchNorm layer after the selected node (one undo step)."""
        sel = self.document.selection
        if len(sel) != 1:
            self.message.setText("Select one layer on the canvas first.")
            return None
        kind = what
        if what == "batchnorm":
            info = self.document.analysis.nodes.get(sel[0])
            shape = info.shape if info is not None else None
            kind = "batchnorm2d" if shape is not None and len(shape) == 3 else "batchnorm1d"
        elif what == "dropout":
            info = self.document.analysis.nodes.get(sel[0])
            kind = "dropout2d" if info is not None and info.shape is not None and len(info.shape) == 3 else "dropout"
        node_id = self.document.append(kind, sel[0])
        self.message.setText(f"Inserted {node_id} after {sel[0]} (Edit ▸ Undo takes it out).")
        return node_id

    # ----- curves -------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.epochs, self.best_epoch = [], None
        self.refresh()

    def add_epoch(self, ev: dict[str, Any]) -> None:
        self.epochs.append(ev)
        finite = [(e["val_loss"], e["epoch"]) for e in self.epochs if math.isfinite(e.get("val_loss", math.nan))]
        self.best_epoch = min(finite)[1] if finite else None
        self.refresh()

    def set_best(self, best_epoch: int | None) -> None:
        if best_epoch is not None and best_epoch >= 0:
            self.best_epoch = int(best_epoch)
        self.refresh()

    def refresh(self) -> None:
        if not self.plots_built:  # build_plots draws what there is
            return
        xs = np.array([e["epoch"] + 1 for e in self.epochs], float)
        self.train_curve.setData(xs, np.array([e["train_loss"] for e in self.epochs], float))
        self.val_curve.setData(xs, np.array([e["val_loss"] for e in self.epochs], float))
        best = next((e for e in self.epochs if e["epoch"] == self.best_epoch), None)
        self.best_line.setVisible(best is not None)
        if best is None:
            self.best_point.setData([], [])
            return
        self.best_line.setValue(best["epoch"] + 1)
        # the label sits on the side of the line with more room, so it is never cut at the plot's edge
        right_half = best["epoch"] + 1 > (1 + self.epochs[-1]["epoch"] + 1) / 2
        self.best_line.label.anchors = [(1.05, 0), (1.05, 0)] if right_half else [(-0.05, 0), (-0.05, 0)]
        self.best_line.label.updatePosition()
        self.best_point.setData([best["epoch"] + 1], [best["val_loss"]])
        last = self.epochs[-1]
        gap = last["val_loss"] - last["train_loss"]
        self.gap_label.setText(
            f"Best epoch {best['epoch'] + 1}: validation loss {best['val_loss']:.3f}. Last epoch: training "
            f"{last['train_loss']:.3f}, validation {last['val_loss']:.3f} (gap {gap:+.3f}). "
            + ("The gap grows after the best epoch: the network overfits; try dropout, weight decay, more data "
               "or early stopping." if best["epoch"] < last["epoch"] and gap > 0 else ""))


class AugmentView(AnswerView):
    """One sample under the chosen augmentations, as a grid (the first tile is the original)."""

    settings_changed = Signal()
    NOTE = ("Augmentations are applied to every training batch; they show the network new versions of the "
            "same images so that it learns what does not change.")
    ERROR = "No preview: "

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.flip = QCheckBox("horizontal flip")
        self.shift = QSpinBox()
        self.shift.setRange(0, 16)
        self.shift.setSuffix(" px")
        self.rotation = QDoubleSpinBox()
        self.rotation.setRange(0, 180)
        self.rotation.setSuffix(" °")
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0, 3)
        self.noise.setSingleStep(0.05)
        self.sample = QSpinBox()
        self.sample.setRange(0, 15)
        self.grid = ImageView("the sample (top left) and 15 augmented copies", 220)
        self.images = {"grid": self.grid}
        form = QFormLayout()
        form.addRow(self.flip)
        form.addRow("Shift up to", self.shift)
        form.addRow("Rotate up to", self.rotation)
        form.addRow("Noise (std)", self.noise)
        form.addRow("Sample", self.sample)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(self.info)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(side, 1)
        layout.addWidget(self.grid, 2)
        self.flip.toggled.connect(self._edited)
        for w in (self.shift, self.rotation, self.noise):
            w.valueChanged.connect(self._edited)
        self.sample.valueChanged.connect(lambda _v: self.settings_changed.emit())
        self.sync_from_design()

    def augmentation(self) -> dict[str, Any]:
        return {"flip": self.flip.isChecked(), "shift": int(self.shift.value()),
                "rotation": float(self.rotation.value()), "noise": float(self.noise.value())}

    def sync_from_design(self) -> None:
        a = {"flip": False, "shift": 0, "rotation": 0.0, "noise": 0.0}
        a.update(self.document.design.training.get("augmentation") or {})
        for w in (self.flip, self.shift, self.rotation, self.noise):
            w.blockSignals(True)
        self.flip.setChecked(bool(a["flip"]))
        self.shift.setValue(int(a["shift"]))
        self.rotation.setValue(float(a["rotation"]))
        self.noise.setValue(float(a["noise"]))
        for w in (self.flip, self.shift, self.rotation, self.noise):
            w.blockSignals(False)

    def _edited(self, *_args) -> None:
        self.document.set_training_value("augmentation", self.augmentation(), "change augmentation")
        self.settings_changed.emit()

    def show_result(self, result: dict[str, Any]) -> None:
        self.grid.set_array(result["grid"], f"{result['label']}: the original (top left) and "
                            f"{result['count'] - 1} {'augmented' if result['active'] else 'unchanged'} copies")


LOAD_NOTE = ("Load weights saved by netbuilder (.safetensors) or a torchvision checkpoint (.pth) of the matching "
             "preset; layers that fit are loaded, the rest is listed.")


class TransferView(QWidget):
    """Load weights from a file, lock (freeze) layers, replace the head for a new number of classes."""

    load_requested = Signal(str)

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.load_button = QPushButton("Load weights from a file…")
        self.report = note(LOAD_NOTE)
        self.layers = QListWidget()
        self.layers.setMinimumHeight(120)
        self.freeze_all_button = QPushButton("Freeze all but the head")
        self.unfreeze_button = QPushButton("Unfreeze all")
        self.classes = QSpinBox()
        self.classes.setRange(1, 10000)
        self.classes.setValue(10)
        self._classes_chosen = False  # the student set the number: a new dataset does not change it
        self.last_load: dict[str, Any] | None = None  # the last weights file loaded: which layers got weights
        document.design_replaced.connect(self.design_replaced)
        self.classes.valueChanged.connect(lambda _v: setattr(self, "_classes_chosen", True))
        self.head_button = QPushButton("Replace the head")
        self.message = note()
        grid = QGridLayout(self)
        grid.addWidget(self.load_button, 0, 0)
        grid.addWidget(self.report, 1, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("classes"))
        head.addWidget(self.classes)
        head.addWidget(self.head_button)
        grid.addLayout(head, 2, 0)
        grid.addWidget(self.message, 3, 0)
        grid.setRowStretch(4, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        grid.addWidget(self.summary, 0, 1)
        grid.addWidget(self.layers, 1, 1, 4, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.freeze_all_button)
        buttons.addWidget(self.unfreeze_button)
        grid.addLayout(buttons, 5, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self._syncing = False
        self.layers.itemChanged.connect(self._item_changed)
        self.head_button.clicked.connect(self.replace_head)
        self.freeze_all_button.clicked.connect(self.freeze_all_but_head)
        self.unfreeze_button.clicked.connect(lambda: self.document.set_frozen(self.document.frozen, False))
        self.load_button.clicked.connect(self._ask_file)
        self.refresh()

    def design_replaced(self) -> None:
        """Another design was opened: what was loaded into, or done to, the previous one is not said of it."""
        self.last_load = None
        self.report.setText(LOAD_NOTE)
        self.message.clear()

    def suggest_classes(self, n: int) -> None:
        """The dataset's number of classes, for the new head (not over a number the student chose)."""
        if not self._classes_chosen:
            self.classes.blockSignals(True)
            self.classes.setValue(n)
            self.classes.blockSignals(False)

    def trainable_layers(self) -> list[str]:
        nodes = self.document.analysis.nodes
        return [n for n in self.document.graph.nodes if n in nodes and nodes[n].params > 0]

    def refresh(self) -> None:
        """The layers with weights, each with its kind and parameter count, ticked where locked; above
        them, how many of the design's parameters a run trains."""
        from netbuilder.layers import get_spec, has_kind

        self._syncing = True
        try:
            frozen = set(self.document.frozen)
            nodes, graph = self.document.analysis.nodes, self.document.graph
            self.layers.clear()
            layers = self.trainable_layers()
            no_icon = blank_icon()
            for node_id in layers:
                kind = graph.nodes[node_id].kind
                title = get_spec(kind).title if has_kind(kind) else kind
                item = QListWidgetItem(f"{node_id}  ·  {title}  ·  {nodes[node_id].params:,} parameters")
                if node_id in frozen:  # the canvas's lock badge, drawn (a font may have no lock emoji)
                    item.setIcon(lock_icon())
                    item.setToolTip(f"{node_id} is locked: its weights are not trained")
                else:  # as wide as the lock, so every row's text starts at one place
                    item.setIcon(no_icon)
                item.setData(Qt.ItemDataRole.UserRole, node_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if node_id in frozen else Qt.CheckState.Unchecked)
                self.layers.addItem(item)
            total = sum(nodes[n].params for n in layers)
            locked = [n for n in layers if n in frozen]
            if locked:
                trained = total - sum(nodes[n].params for n in locked)
                self.summary.setText(f"Locked (frozen) layers keep their weights: a run trains {trained:,} of "
                                     f"the {total:,} parameters ({len(locked)} of {len(layers)} layers locked).")
            else:
                self.summary.setText(f"A run trains all {total:,} parameters. Lock a layer to keep its weights "
                                     "as they are (transfer learning: lock all but the head).")
        finally:
            self._syncing = False

    def _item_changed(self, item: QListWidgetItem) -> None:
        if not self._syncing:
            self.document.set_frozen([item.data(Qt.ItemDataRole.UserRole)],
                                     item.checkState() == Qt.CheckState.Checked)

    def freeze_all_but_head(self) -> None:
        """Lock every weighted layer but the head; after a load, only the layers that got the file's weights
        (one left with random weights and locked would never learn: it stays noise)."""
        from netbuilder.presets.fit import classifier_node

        head = classifier_node(self.document.graph)
        layers = [n for n in self.trainable_layers() if head is None or n != head.id]
        loaded = self.last_load.get("loaded") if self.last_load else None
        left = [n for n in layers if loaded is not None and n not in loaded]
        self.document.set_frozen([n for n in layers if n not in left], True)
        if left:
            self.message.setText(f"Left unlocked: {', '.join(left)} got no weights from the file, so it must "
                                 "learn (locked, it would stay random).")

    def replace_head(self) -> None:
        from netbuilder.errors import NetbuilderError

        try:
            changed = self.document.replace_head(int(self.classes.value()))
        except NetbuilderError as e:
            self.message.setText(str(e))
            return
        self.message.setText(f"The head now predicts {self.classes.value()} classes ({changed} setting(s) "
                             "changed; its weights start fresh). Undo reverts it." if changed else
                             "The head already predicts that many classes.")

    def _ask_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Load weights", "", "Weights (*.safetensors *.pth *.pt *.bin)")
        if path:
            self.load_requested.emit(path)

    def show_report(self, result: dict[str, Any]) -> None:
        if "error" in result:
            self.report.setText(f"Not loaded: {result['error']}")
            return
        self.last_load = result
        lines = [result["summary"] + "."]
        lines += [f"• {layer}: {why}" for layer, why in result.get("mismatched", [])[:6]]
        self.report.setText("\n".join(lines))
