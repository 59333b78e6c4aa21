"""The Evaluation view: the confusion matrix on the validation or test set (click a cell to see its
samples), per-class accuracy, and a gallery of misclassified samples with their probabilities; a sample
of the gallery opened (double-click, Enter) says which image of its split it is (``example_opened``), for
Explore ▸ Explain to explain it.

Works on plain arrays (probabilities, labels, images) computed off the GUI thread. Qt, pyqtgraph, numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui.training.widgets import LiveView, plot_place, swap_in_split, to_pixmap

MAX_TILES = 60
SPLIT_NAMES = {"val": "validation", "test": "test"}


def confusion_matrix(labels: np.ndarray, preds: np.ndarray, k: int) -> np.ndarray:
    """Rows: true class; columns: predicted class."""
    return np.bincount(labels * k + np.clip(preds, 0, k - 1), minlength=k * k).reshape(k, k)


class EvaluationView(LiveView):
    split_changed = Signal(str)
    example_opened = Signal(str, int)  # the split ("val" or "test") and the image's number in it
    PLOTS = frozenset({"matrix_widget", "matrix_plot", "matrix_item", "acc_widget", "acc_bars"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.split_box = QComboBox(self)
        self.split_box.addItem("Validation set", "val")
        self.split_box.addItem("Test set", "test")
        self.split_box.currentIndexChanged.connect(lambda _i: self.split_changed.emit(self.split))
        self.info = QLabel("The confusion matrix appears after an epoch of training.", self)
        self.info.setWordWrap(True)  # a long message wraps: it never widens the window
        self._texts: list[Any] = []  # pyqtgraph TextItems, the counts in the cells
        self.gallery_label = QLabel("Misclassified samples", self)
        self.gallery = QListWidget(self)
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(56, 56))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setSpacing(4)
        self.gallery.setToolTip("Double-click a sample (or press Enter) to see why the network answered so, "
                                "in Explore ▸ Explain")
        self.gallery.itemActivated.connect(self._opened)
        # (the label wraps and never widens the view: its text can be long, "True 8, predicted 1: …")
        self.gallery_label.setWordWrap(True)
        self.gallery_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        below = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.gallery_label, 1)
        self.back_button = QPushButton("Misclassified", self)
        self.back_button.setToolTip("Show the misclassified samples again")
        self.back_button.clicked.connect(self.show_misclassified)
        head.addWidget(self.back_button)
        below_layout.addLayout(head)
        below_layout.addWidget(self.gallery, 1)
        # The matrix and the accuracy per class side by side (the matrix the larger), the samples across
        # below them: each keeps a readable size in the dock beside the canvas as in a wide one.
        self._split = split = QSplitter(Qt.Orientation.Horizontal)
        for w in (plot_place(split), plot_place(split)):  # the plots take their places when shown
            split.addWidget(w)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        split.setSizes([400, 200])
        self._rows = rows = QSplitter(Qt.Orientation.Vertical, self)
        rows.addWidget(split)
        rows.addWidget(below)
        rows.setStretchFactor(0, 3)
        rows.setStretchFactor(1, 2)
        rows.setSizes([360, 240])
        top = QHBoxLayout()
        top.addWidget(QLabel("Evaluate on", self))
        top.addWidget(self.split_box)
        top.addWidget(self.info, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(rows, 1)
        self.data: dict[str, Any] | None = None
        self.matrix: np.ndarray | None = None
        self.cell: tuple[int, int] | None = None

    def build_plots(self) -> None:
        import pyqtgraph as pg

        from netbuilder.ui.training.axes import cache_axes

        self.matrix_widget = pg.PlotWidget(None, title="Confusion matrix")
        self.matrix_widget.setBackground(None)
        self.matrix_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.matrix_plot = self.matrix_widget.getPlotItem()
        self.matrix_plot.invertY(True)
        self.matrix_plot.setAspectLocked(True)
        self.matrix_plot.setLabel("left", "true class")
        self.matrix_plot.setLabel("bottom", "predicted class")
        self.matrix_item = pg.ImageItem(axisOrder="row-major")
        self.matrix_item.setLookupTable(pg.colormap.get("CET-L12").getLookupTable(nPts=256))
        self.matrix_plot.addItem(self.matrix_item)
        self.matrix_widget.scene().sigMouseClicked.connect(self._clicked)
        self.matrix_plot.getViewBox().sigResized.connect(self._fit_counts)
        self.matrix_plot.getViewBox().sigRangeChanged.connect(self._fit_counts)
        self.acc_widget = pg.PlotWidget(None, title="Accuracy per class")
        self.acc_widget.setBackground(None)
        self.acc_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.acc_widget.setYRange(0, 1)
        self.acc_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#2ca02c")
        self.acc_widget.addItem(self.acc_bars)
        cache_axes(self.matrix_plot, self.acc_widget.getPlotItem())
        for side in ("bottom", "left"):  # (numbered with the classes once there is a matrix: refresh)
            self.matrix_plot.getAxis(side).setStyle(showValues=False)
        swap_in_split(self._split, (self.matrix_widget, self.acc_widget))

    @property
    def split(self) -> str:
        return str(self.split_box.currentData())

    def set_result(self, result: dict[str, Any]) -> None:
        self.data = result
        if "probs" in result:
            k = len(result["class_names"])
            probs = np.asarray(result["probs"]).reshape(len(result["labels"]), -1)
            self.data["preds"] = probs.argmax(1) if probs.shape[1] > 1 else (probs[:, 0] > 0.5).astype(np.int64)
            self.matrix = confusion_matrix(np.asarray(result["labels"]), self.data["preds"], k)
        else:  # an error: the matrix of an earlier answer (another dataset, design) is not this one's
            self.matrix, self.cell = None, None
            self.info.setText(str(result.get("error", "")))  # at once, shown or not (as its samples:
            self.gallery.clear()  # the plots are blanked when next drawn)
            self.gallery_label.setText("Misclassified samples")
        self.dirty = True

    def has_data(self) -> bool:
        return self.matrix is not None and self.matrix_item.image is not None

    def refresh(self) -> None:
        d = self.fresh_data()
        if d is None:
            if self.data is not None:  # an error (fresh_data said it): blank what the answer before drew
                self._blank()
            return
        m, names = self.matrix, d["class_names"]
        k = len(names)
        rows = np.maximum(m.sum(1, keepdims=True), 1)
        self.matrix_item.setImage((m / rows).astype(np.float32), autoLevels=False, levels=(0, 1))
        self.matrix_item.setRect(-0.5, -0.5, k, k)
        ticks = [[(i, str(n)) for i, n in enumerate(names)]] if k <= 20 else None
        for side in ("bottom", "left"):
            self.matrix_plot.getAxis(side).setTicks(ticks)
            self.matrix_plot.getAxis(side).setStyle(showValues=True)
        self._draw_counts(m)
        per_class = np.diag(m) / rows[:, 0]
        self.acc_bars.setOpts(x=np.arange(k), height=per_class, width=0.7)
        self.acc_widget.getAxis("bottom").setTicks(ticks)
        total = m.sum()
        self.info.setText(f"{'validation' if d['split'] == 'val' else 'test'} set: {int(np.trace(m))}/{int(total)} "
                          f"right ({np.trace(m) / max(1, total):.1%}); click a cell to see its samples")
        self.show_cell(*self.cell) if self.cell else self._show_misclassified()

    def _blank(self) -> None:
        """No matrix, bars or samples: nothing of an earlier answer is shown beside an error."""
        self.matrix_item.clear()
        for t in self._texts:
            self.matrix_plot.removeItem(t)
        self._texts = []
        self.acc_bars.setOpts(x=[], height=[], width=0.7)
        for axis in (self.matrix_plot.getAxis("bottom"), self.matrix_plot.getAxis("left"),
                     self.acc_widget.getAxis("bottom")):
            axis.setTicks(None)  # (the class names were the earlier dataset's)
        for side in ("bottom", "left"):  # an empty matrix has no classes to number ("-20 … 10" read as some)
            self.matrix_plot.getAxis(side).setStyle(showValues=False)
        self.gallery.clear()
        self.gallery_label.setText("Misclassified samples")

    def _draw_counts(self, m: np.ndarray) -> None:
        """Counts in the cells (up to 12 classes): persistent text items, re-made only when k changes."""
        k = len(m) if len(m) <= 12 else 0
        if len(self._texts) != k * k:
            for t in self._texts:
                self.matrix_plot.removeItem(t)
            self._texts = []
            import pyqtgraph as pg

            for i in range(k * k):
                t = pg.TextItem("", anchor=(0.5, 0.5))
                t.setPos(i % k, i // k)
                self.matrix_plot.addItem(t)
                self._texts.append(t)
        rows = np.maximum(m.sum(1), 1)
        for idx, t in enumerate(self._texts):
            i, j = divmod(idx, k)
            t.setText(str(int(m[i, j])), color="w" if m[i, j] / rows[i] > 0.55 else "k")
        self._fit_counts()

    def _fit_counts(self, *_args) -> None:
        """The counts only where they fit their cells: in a small view ten rows of numbers ran into one
        another ("50100004…"); the colours and a click on a cell still tell."""
        if not self._texts:
            return
        box = self.matrix_plot.getViewBox()
        (x0, x1), (y0, y1) = box.viewRange()
        cell = min(box.width() / max(x1 - x0, 1e-9), box.height() / max(y1 - y0, 1e-9))  # px per cell
        widest = max(t.textItem.boundingRect().width() for t in self._texts)
        tall = max(t.textItem.boundingRect().height() for t in self._texts)
        shown = cell >= widest + 2 and cell >= tall * 0.8
        for t in self._texts:
            t.setVisible(shown)

    def _clicked(self, event) -> None:
        if self.matrix is None:
            return
        pos = self.matrix_plot.getViewBox().mapSceneToView(event.scenePos())
        i, j = int(round(pos.y())), int(round(pos.x()))
        if 0 <= i < len(self.matrix) and 0 <= j < len(self.matrix):
            self.show_cell(i, j)

    # ----- the gallery ------------------------------------------------------------------------------
    def show_cell(self, true_class: int, predicted: int) -> int:
        """Fill the gallery with the samples of class ``true_class`` predicted as ``predicted``."""
        self.cell = (true_class, predicted)
        d = self.data
        idx = np.flatnonzero((d["labels"] == true_class) & (d["preds"] == predicted))
        names = d["class_names"]
        self.gallery_label.setText(f"True {names[true_class]}, predicted {names[predicted]}: "
                                   f"{len(idx) or 'no'} sample{'s' * (len(idx) != 1)}")
        self._fill(idx)
        return len(idx)

    def _show_misclassified(self) -> None:
        d = self.data
        wrong = np.flatnonzero(d["labels"] != d["preds"])
        confidence = np.asarray(d["probs"]).reshape(len(d["labels"]), -1).max(1)[wrong]
        wrong = wrong[np.argsort(-confidence)]
        self.gallery_label.setText(f"Misclassified samples: {len(wrong)} (most confident mistakes first)")
        self._fill(wrong)

    def show_misclassified(self) -> None:
        self.cell = None
        if self.data is not None and "preds" in self.data:
            self._show_misclassified()

    def _fill(self, indices: np.ndarray) -> None:
        d = self.data
        names = d["class_names"]
        probs = np.asarray(d["probs"]).reshape(len(d["labels"]), -1)
        self.gallery.clear()
        for i in indices[:MAX_TILES]:
            t, p = int(d["labels"][i]), int(d["preds"][i])
            text = f"{names[t]}→{names[p]}\n{probs[i].max():.0%}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, int(i))  # its number in the split (the first ones evaluated)
            if d.get("images") is not None:
                item.setIcon(QIcon(to_pixmap(d["images"][i])))
            top = np.argsort(-probs[i])[:3]
            where = SPLIT_NAMES.get(d.get("split"))
            item.setToolTip("\n".join(f"{names[c]}: {probs[i][c]:.1%}" for c in top)
                            + (f"\n{where} image {int(i)}: double-click to explain it" if where else ""))
            self.gallery.addItem(item)

    def _opened(self, item: QListWidgetItem) -> None:
        index = item.data(Qt.ItemDataRole.UserRole)
        if self.data is not None and index is not None and "split" in self.data:
            self.example_opened.emit(str(self.data["split"]), int(index))
