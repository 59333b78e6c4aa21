"""The explore views that change the design: the Overfitting lab (train/val curves with the best epoch,
train fraction, regularisers one click away, each run from fresh weights so runs compare fairly) and the
Augmentation preview (Transfer learning: transfer_view.py). Every change goes through the Document (one
undo step); a design file's wrong-typed setting shows as its default (``choices.training_value``).

Qt and pyqtgraph; no torch (results come from the workbench as plain values).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

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


def _shown(training: Any, key: str, low: float | None = None, high: float | None = None) -> Any:
    """The design's training setting ``key`` as a widget can show it: its value when the right type and in
    ``[low, high]``, else the default (a design file may hold anything; Train says what is wrong with it)."""
    from netbuilder.choices import AUGMENTATION_DEFAULTS, DEFAULTS, training_value

    value = training_value(training, key, low, high)
    if value is None:
        head, _, sub = key.partition(".")
        return AUGMENTATION_DEFAULTS[sub] if sub else DEFAULTS[head]
    return value


FRACTION_TIP = ("Train on only this share of the training set (validation and test stay whole). With a few "
                "images per class (1–10 %) a network memorises them: training loss falls to 0 while validation "
                "loss rises. Typical: 100 %.")
DECAY_TIP = ("Weight decay (L2 regularisation): every step shrinks each weight by this fraction of itself times "
             "the learning rate, so large weights cost something and the network fits the training images less "
             "exactly. 0 = off; typical 0.0001–0.01 (with Adam, try AdamW).")
PATIENCE_TIP = ("Early stopping: end the run once the validation loss has not improved for this many epochs "
                "(the weights of the last epoch are kept). 'off' (0) trains every epoch; typical 3–10.")
DROPOUT_TIP = ("Insert a Dropout layer right after the layer selected on the canvas (one undo step). During "
               "training it zeroes each value with probability p = 0.5 (and doubles the rest), so no unit can "
               "rely on another; at evaluation it passes everything. After a convolution it drops whole channels "
               "(Dropout2d). Best after a big Dense layer or its ReLU.")
BATCHNORM_TIP = ("Insert a BatchNorm layer right after the layer selected on the canvas (one undo step): it "
                 "rescales each channel to mean 0 and variance 1 over the batch, then learns a scale and a shift. "
                 "Training gets steadier and can take a larger learning rate; its batch noise regularises a "
                 "little. Usual place: after a convolution or Dense layer, before its ReLU.")
FRESH_TIP = ("Each run started here begins from fresh (random) weights, the same for every run (the design's "
             "seed), so runs compare fairly. Unticked, a run continues from the weights the last run ended with: "
             "an overfitted network starts at training loss 0.")


class OverfitLab(PlotsWhenShown):
    """Train and validation loss per epoch with the best epoch marked, and the remedies (the plot is made
    when the lab is first shown). Its Train button starts a run from fresh weights (``train_requested``),
    unless the student unticks it; the lab says which each run did (``run_prepared``)."""

    PLOTS = frozenset({"plot", "train_curve", "val_curve", "best_line", "best_point", "legend", "before_train",
                       "before_val"})
    train_requested = Signal(bool)  # from fresh weights

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.epochs: list[dict[str, Any]] = []
        self.before: list[dict[str, Any]] = []  # the run before this one, of this design: drawn faded beside it
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
        self.patience.setRange(0, 1000)
        self.patience.setSpecialValueText("off")
        self.patience.setSuffix(" epochs")
        self.dropout_button = QPushButton("Insert Dropout after the selected layer")
        self.batchnorm_button = QPushButton("Insert BatchNorm after the selected layer")
        self.fresh = QCheckBox("start from fresh weights")
        self.fresh.setChecked(True)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Start a run with these settings (as Train ▸ Train, F5); the curves above "
                                     "follow it. The box beside it says whether it starts from fresh weights.")
        self.message = note()
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.fraction, 1)
        row.addWidget(self.fraction_label)
        form.addRow("Train on", row)
        form.addRow("Weight decay", self.weight_decay)
        form.addRow("Early stopping: patience", self.patience)
        for widget, tip in ((self.fraction, FRACTION_TIP), (self.weight_decay, DECAY_TIP),
                            (self.patience, PATIENCE_TIP), (self.dropout_button, DROPOUT_TIP),
                            (self.batchnorm_button, BATCHNORM_TIP), (self.fresh, FRESH_TIP)):
            widget.setToolTip(tip)
            label = form.labelForField(row if widget is self.fraction else widget)
            if label is not None:
                label.setToolTip(tip)
        self.fraction_label.setToolTip(FRACTION_TIP)
        train_row = QHBoxLayout()
        train_row.addWidget(self.train_button)
        train_row.addWidget(self.fresh, 1)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(self.dropout_button)
        side.addWidget(self.batchnorm_button)
        side.addLayout(train_row)
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
        self.train_button.clicked.connect(lambda: self.train_requested.emit(self.fresh.isChecked()))
        self.sync_from_design()

    def build_plots(self) -> None:
        import pyqtgraph as pg

        self.plot = pg.PlotWidget(background=None)
        self.plot.setMinimumHeight(170)
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        faded = {"width": 1.5, "style": Qt.PenStyle.DashLine}
        self.before_train = self.plot.plot([], [], pen=pg.mkPen(QColor(TRAIN_COLOUR).lighter(150), **faded))
        self.before_val = self.plot.plot([], [], pen=pg.mkPen(QColor(VAL_COLOUR).lighter(130), **faded))
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
                                                              (self.best_point, "best"),
                                                              (self.before_val, "run before (dashed)")))
        swap(self._plot_place, self.plot)
        self.refresh()

    # ----- the design's settings -----------------------------------------------------------------
    def sync_from_design(self) -> None:
        t = self.document.design.training
        for widget, value in ((self.fraction, max(1, round(100 * _shown(t, "train_fraction", 0.0, 1.0)))),
                              (self.weight_decay, _shown(t, "weight_decay", 0.0, 1.0)),
                              (self.patience, _shown(t, "early_stopping_patience", 0, 1000))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.fraction_label.setText(f"{self.fraction.value()} % of the training set")

    def _fraction_changed(self, value: int) -> None:
        self.fraction_label.setText(f"{value} % of the training set")
        self.document.set_training_value("train_fraction", round(value / 100, 2), "set the training fraction")

    def run_prepared(self, fresh: bool, kept: int, number: int | None = None) -> None:
        """A run starts: say whether from fresh weights or from the last ones (``kept`` layers)."""
        run = f"Run {number}" if number else "This run"
        self.message.setText(
            f"{run} starts from fresh (random) weights." if fresh or not kept else
            f"{run} continues from the weights the last run ended with ({kept} layers), so its training loss starts "
            "low: to compare runs fairly, tick \"start from fresh weights\" and press the lab's Train.")

    def insert_after(self, what: str) -> str | None:
        """Insert a Dropout or BatchNorm layer after the selected node (one undo step)."""
        sel = self.document.selection
        if len(sel) != 1:
            self.message.setText("Select one layer on the canvas first.")
            return None
        self.document.flush()  # (the shape of the layer as it is now)
        kind = what
        if what == "batchnorm":
            info = self.document.analysis.nodes.get(sel[0])
            shape = info.shape if info is not None else None
            kind = "batchnorm2d" if shape is not None and len(shape) == 3 else "batchnorm1d"
        elif what == "dropout":
            info = self.document.analysis.nodes.get(sel[0])
            kind = "dropout2d" if info is not None and info.shape is not None and len(info.shape) == 3 else "dropout"
        node_id = self.document.append(kind, sel[0])
        p = self.document.graph.node(node_id).params.get("p") if node_id in self.document.graph else None
        what = f" (drops values with p = {p:g} while training)" if isinstance(p, int | float) else ""
        self.message.setText(f"Inserted {node_id}{what} after {sel[0]} (Edit ▸ Undo takes it out).")
        return node_id

    # ----- curves -------------------------------------------------------------------------------------
    def clear(self, keep: bool = False) -> None:
        """Nothing drawn; with ``keep`` (a new run of the same design) the run before stays, faded, to
        compare with (lesson 9: "the two runs compare")."""
        if not keep:
            self.before = []
        elif self.epochs:
            self.before = self.epochs
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
        for curve, key in ((self.before_train, "train_loss"), (self.before_val, "val_loss")):
            curve.setData(np.array([e["epoch"] + 1 for e in self.before], float),
                          np.array([e[key] for e in self.before], float))
        for sample, label in self.legend.items:  # "run before (dashed)" only when there is one
            if sample.item is self.before_val:
                sample.setVisible(bool(self.before))
                label.setVisible(bool(self.before))
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
            + lab_verdict(best, last) + before_text(self.before))


def before_text(before: list[dict[str, Any]]) -> str:
    """`` The run before (dashed): best validation loss 0.706 at epoch 3, gap +0.891 at its end.``"""
    finite = [e for e in before if math.isfinite(e.get("val_loss", math.nan))]
    if not finite:
        return ""
    best, last = min(finite, key=lambda e: e["val_loss"]), before[-1]
    return (f" The run before (dashed): best validation loss {best['val_loss']:.3f} at epoch {best['epoch'] + 1}, "
            f"gap {last['val_loss'] - last['train_loss']:+.3f} at its end.")


OVERFIT_RISE = 0.10  # the validation loss this far (a share) above its best, the training loss lower: overfitting


def lab_verdict(best: dict[str, Any], last: dict[str, Any]) -> str:
    """What the run's last epoch says against its best (lowest validation loss) one: overfitting only when
    the validation loss has risen clearly (``OVERFIT_RISE``) while the training loss went on falling (both
    risen: unstable training); a small rise is the curve levelling off (noise), and a best last epoch says
    training longer may help."""
    if best["epoch"] >= last["epoch"]:
        return "The validation loss is still falling: more epochs may help."
    rise = last["val_loss"] - best["val_loss"]
    if rise > OVERFIT_RISE * abs(best["val_loss"]) and last["train_loss"] < best["train_loss"]:
        return (f"Since epoch {best['epoch'] + 1} the validation loss has risen by {rise:.3f} while the training "
                "loss fell: the network overfits; try dropout, weight decay, more data or early stopping.")
    if rise > OVERFIT_RISE * abs(best["val_loss"]):
        return (f"Since epoch {best['epoch'] + 1} both losses have risen: the training is unstable; try a lower "
                "learning rate.")
    return (f"The validation loss has levelled off since epoch {best['epoch'] + 1} (now {rise:+.3f}): more epochs "
            "bring little; early stopping would end the run about here.")


AUGMENT_TIPS = {
    "flip": "Mirror each training image left to right, at random half of the time. Right for photos of "
            "objects; wrong for digits or text (a mirrored 2 is no 2).",
    "shift": "Move each training image by up to this many pixels in x and y (the edge left empty is black): "
             "the network learns that a shape is the same anywhere. Typical: 1–2 px on 8×8 digits, 2–4 px on "
             "28×28 or 32×32 images.",
    "rotation": "Turn each training image by a random angle up to this many degrees either way. Typical: "
                "10–15° for digits and photos; 0 where orientation matters.",
    "noise": "Add Gaussian noise with this standard deviation (σ) to each pixel, in normalised units (after "
             "normalisation the pixels spread about 1 either side of 0), so the network does not rely on exact "
             "pixel values. Typical: 0.05–0.2.",
    "sample": "Which image of the training set the preview shows (0–15); only the preview changes, not the "
              "training.",
}


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
        for widget, tip in AUGMENT_TIPS.items():
            getattr(self, widget).setToolTip(tip)
            label = form.labelForField(getattr(self, widget))
            if label is not None:
                label.setToolTip(tip)
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
        t = self.document.design.training
        a = {"flip": _shown(t, "augmentation.flip"), "shift": _shown(t, "augmentation.shift", 0, 16),
             "rotation": _shown(t, "augmentation.rotation", 0.0, 180.0),
             "noise": _shown(t, "augmentation.noise", 0.0, 3.0)}
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
