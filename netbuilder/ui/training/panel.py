"""The Training panel (a bottom dock): dataset picker with sample previews; the engine's settings
(optimiser, learning rate with a preview of its schedule, batch mode and size, epochs, loss, weight
decay, augmentation, device); Train, Pause, Resume, Stop; progress with epoch, ETA and samples/s; the
device in use; and the message bar for faults and questions.

Shows the design's settings (``set_settings()``) and keeps no copy: an edit says which field changed
(``settings_edited(key)``, its ``value(key)``). Qt, pyqtgraph (its plots are made when the panel is first
shown: ``PlotsWhenShown``), numpy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.choices import SETTING_LABELS, VALUE_LABELS
from netbuilder.ui.param_editors import mark_unfit
from netbuilder.ui.training import settings as S
from netbuilder.ui.training.tips import DATASET_TIP, TIPS
from netbuilder.ui.training.widgets import (
    CLASS_COLORS,
    ElidedComboBox,
    ElidedLabel,
    MessageBar,
    PlotsWhenShown,
    image_view,
    plot_place,
    show_image,
    swap,
)

BROWSE = "\x00browse"  # the dataset box's last entry: choose a folder or a CSV file
BROWSE_TEXT = "Image folder or CSV file…"
AUGMENTATION = ("flip", "shift", "rotation", "noise")
IMAGE_ONLY = ("flip", "shift", "rotation")  # augmentations of pixels (noise applies to any input)
LR_AXIS_WIDTH = 44  # the schedule preview's scale: room for a rate written short ("0.0003", "3e-05")


def _shown_value(box: QSpinBox | QDoubleSpinBox, values: Any, key: str) -> int | float | None:
    """The design's setting ``key`` (read by ``training_value``) as the spin box shows it exactly, or None
    when it cannot (not a number of the setting's type, out of the box's range, too fine for its decimals)."""
    value = S.training_value(values, key, box.minimum(), box.maximum())
    if value is None or isinstance(box, QSpinBox):
        return value
    return value if abs(round(value, box.decimals()) - value) <= 1e-12 * max(1.0, abs(value)) else None


def _stored(merged: dict[str, Any], key: str) -> Any:
    """What the design says for ``key`` (an augmentation's own key inside ``augmentation``; the whole
    ``augmentation`` when that is not an object): kept, and named, when the form cannot show it."""
    if key in AUGMENTATION:
        a = merged.get("augmentation")
        return a.get(key) if isinstance(a, Mapping) else a
    return merged.get(key)


def _said(value: Any) -> str:
    """``value`` as a tooltip quotes it (short)."""
    text = f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


class _DatasetDialog(QFileDialog):
    """A file chooser that also takes a folder: a .csv file opens as usual; a folder selected (or the
    folder shown, nothing selected) is chosen by the Choose button (a double click still goes into it)."""

    chosen: str | None = None

    def accept(self) -> None:
        selected = self.selectedFiles() or [self.directory().absolutePath()]  # nothing selected: the folder shown
        if os.path.isdir(selected[0]):
            self.chosen = selected[0]
            QDialog.accept(self)
        else:
            super().accept()


def ask_dataset_path(parent: QWidget | None, start: str = "") -> str | None:
    """Ask for an image folder (one sub-folder per class) or a CSV table; None when cancelled. (Tests
    replace this function.)"""
    dialog = _DatasetDialog(parent, "Choose an image folder or a CSV file", start,
                            "CSV tables (*.csv *.tsv *.txt);;All files (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # a native one cannot take folders and files
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Choose")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen or next(iter(dialog.selectedFiles()), None)


def is_path(name: str) -> bool:
    """The dataset name is a folder or a file (not a built-in dataset's name)."""
    return "/" in name or "\\" in name or name.lower().endswith((".csv", ".tsv", ".txt"))


def _combo(parent: QWidget, values: tuple[str, ...]) -> QComboBox:
    box = QComboBox(parent)
    for v in values:
        box.addItem(VALUE_LABELS.get(v, v), v)
    return box


def _spin(parent: QWidget, low: float, high: float, decimals: int = 0, step: float = 1.0):
    box = QSpinBox(parent) if decimals == 0 else QDoubleSpinBox(parent)
    box.setRange(low, high)
    if decimals:
        box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    return box


class TrainingPanel(PlotsWhenShown):
    settings_edited = Signal(str)  # the key of the field the student edited (``value(key)`` is its value)
    dataset_chosen = Signal(str)
    dataset_browse = Signal()  # the box's "Image folder or CSV file…" entry
    PLOTS = frozenset({"preview_widget", "preview_box", "preview_item", "scatter_widget", "scatter", "lr_plot",
                       "lr_curve"})

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages = MessageBar(self)
        # dataset
        self.dataset_box = ElidedComboBox(self)
        self.dataset_box.setEditable(False)
        self.dataset_box.setToolTip(DATASET_TIP)
        self.dataset_box.activated.connect(self._dataset_activated)
        self._paths: list[str] = []  # folders and files chosen in this session: offered again
        self._current: str | None = None  # the design's dataset name the box shows
        self.dataset_info = QLabel("", self)
        self.dataset_info.setWordWrap(True)
        self._preview_place, self._scatter_place = plot_place(self), plot_place(self)  # plots when shown
        self._preview_place.setMinimumSize(180, 110)
        self._scatter_place.hide()
        self._schedule: tuple[np.ndarray, np.ndarray] | None = None  # drawn once the plots are made
        self._dataset: dict[str, Any] | None = None
        self._fraction: Any = 1.0  # the design's train_fraction
        data_box = QGroupBox("Dataset", self)
        dl = QVBoxLayout(data_box)
        dl.addWidget(self.dataset_box)
        dl.addWidget(self._preview_place, 1)
        dl.addWidget(self._scatter_place, 1)
        dl.addWidget(self.dataset_info)
        # settings
        self.fields: dict[str, QWidget] = {
            "optimizer": _combo(self, S.OPTIMIZERS), "lr": _spin(self, 1e-6, 1000.0, 6, 1e-4),
            "schedule": _combo(self, S.SCHEDULES), "momentum": _spin(self, 0.0, 1.0, 3, 0.05),
            "batch_mode": _combo(self, S.BATCH_MODES), "batch_size": _spin(self, 1, 65536),
            "epochs": _spin(self, 1, 100000), "loss": _combo(self, S.LOSSES),
            "weight_decay": _spin(self, 0.0, 10.0, 6, 1e-4), "device": _combo(self, S.DEVICES),
            "flip": QCheckBox("flip", self), "shift": _spin(self, 0, 64), "rotation": _spin(self, 0.0, 180.0, 1, 5.0),
            "noise": _spin(self, 0.0, 5.0, 3, 0.05),
        }
        for key, w in self.fields.items():
            signal = getattr(w, "currentIndexChanged", None) or getattr(w, "valueChanged", None) or w.toggled
            signal.connect(lambda *_a, k=key: self._edited(k))
        f = self.fields
        for key, w in f.items():
            w.setToolTip(TIPS[key])
        self._tips = {key: w.toolTip() for key, w in f.items()}  # the plain tooltips (marks add to them)
        self._unshown: dict[str, Any] = {}  # the design's values the form cannot show: kept until edited
        self._augmentation_unshown = False  # the design's augmentation is not an object (all four fields unshown)
        self._images: bool | None = None  # the dataset's inputs are images (None: not known yet)
        self._lr_place = plot_place(self)
        self._lr_place.setFixedHeight(70)
        names = SETTING_LABELS  # (the lessons' checks name the settings alike)
        form1 = QFormLayout()
        for key in ("optimizer", "lr", "schedule"):
            form1.addRow(names[key], f[key])
        form1.addRow(self._lr_place)
        form1.addRow(names["momentum"], f["momentum"])
        form2 = QFormLayout()
        for key in ("batch_mode", "batch_size", "epochs", "loss", "weight_decay", "device"):
            form2.addRow(names[key], f[key])
        for form in (form1, form2):  # the labels teach as their fields do
            for key, w in f.items():
                label = form.labelForField(w)
                if label is not None:
                    label.setToolTip(TIPS[key])
        aug = QHBoxLayout()
        aug.addWidget(f["flip"])
        for name, unit in (("shift", "px"), ("rotation", "°"), ("noise", "σ")):
            label = QLabel(f"{name}", self)
            label.setToolTip(TIPS[name])
            aug.addWidget(label)
            f[name].setSuffix(f" {unit}")
            aug.addWidget(f[name])
        settings_box = QGroupBox("Settings", self)
        grid = QGridLayout(settings_box)
        grid.addLayout(form1, 0, 0)
        grid.addLayout(form2, 0, 1)
        grid.addWidget(QLabel("Augmentation", self), 1, 0)
        grid.addLayout(aug, 2, 0, 1, 2)
        # run controls
        self.buttons: dict[str, QToolButton] = {}
        run_row = QHBoxLayout()
        for key in ("train", "pause", "resume", "stop"):
            b = QToolButton(self)
            b.setDefaultAction(actions[key])
            b.setToolButtonStyle(b.toolButtonStyle().ToolButtonTextBesideIcon)
            run_row.addWidget(b)
            self.buttons[key] = b
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = ElidedLabel("Ready", self)  # (never wider than the panel: shortened, tooltip)
        self.device_label = QLabel("device: …", self)
        self.device_label.setToolTip("The device training uses (GPU when there is one)")
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.device_label)
        body = QHBoxLayout()
        body.addWidget(data_box, 1)
        body.addWidget(settings_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.messages)
        layout.addLayout(run_row)
        layout.addWidget(self.progress_label)
        layout.addLayout(body, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._loading = False
        self.set_settings(S.DEFAULTS)

    # ----- the design's settings, shown ---------------------------------------------------------
    def value(self, key: str) -> Any:
        """The value field ``key`` shows (``flip`` … ``noise``: that augmentation's)."""
        w = self.fields[key]
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        return int(w.value()) if isinstance(w, QSpinBox) else float(w.value())

    def set_settings(self, values: dict[str, Any]) -> None:
        """Show the design's training settings (read by ``training_value``). A value the form cannot show (a
        wrong type, out of range, not a choice) shows the default, is marked, and stays the design's until its
        own field is edited (``_unshown``)."""
        merged = S.merged_settings(values)
        self._augmentation_unshown = not isinstance(merged["augmentation"], Mapping)
        self._loading = True
        self._unshown = {}
        f = self.fields
        try:
            for key in ("optimizer", "schedule", "batch_mode", "loss", "device"):
                i = f[key].findData(S.training_value(values, key))
                f[key].setCurrentIndex(i if i >= 0 else f[key].findData(S.DEFAULTS[key]))
                if i < 0:
                    self._unshown[key] = merged[key]
            for key in ("lr", "momentum", "weight_decay", "batch_size", "epochs", "shift", "rotation", "noise"):
                name = f"augmentation.{key}" if key in AUGMENTATION else key
                shown = _shown_value(f[key], values, name)
                if shown is None:
                    self._unshown[key] = _stored(merged, key)
                    shown = S.AUGMENTATION_DEFAULTS[key] if key in AUGMENTATION else S.DEFAULTS[key]
                f[key].setValue(shown)
            flip = S.training_value(values, "augmentation.flip")
            if flip is None:
                self._unshown["flip"] = _stored(merged, "flip")
            f["flip"].setChecked(bool(flip))
        finally:
            self._loading = False
        self._update_enabled()
        fraction = merged.get("train_fraction")
        if fraction != self._fraction:  # (the dataset's line says how much of the training set a run uses)
            self._fraction = fraction
            if self._dataset is not None:
                self.show_dataset(self._dataset)

    def _edited(self, key: str) -> None:
        if not self._loading and key in self._unshown:  # edited: the form's value is the design's now
            del self._unshown[key]
        self._update_enabled()
        if not self._loading:  # the controller writes this one field into the design (one undo step)
            self.settings_edited.emit(key)

    def _update_enabled(self) -> None:
        f = self.fields
        f["batch_size"].setEnabled(f["batch_size"].property("locked") is not True
                                   and f["batch_mode"].currentData() == "minibatch")
        f["momentum"].setEnabled(f["momentum"].property("locked") is not True
                                 and f["optimizer"].currentData() in ("sgd", "rmsprop"))
        for key in IMAGE_ONLY:  # flip, shift and rotation move pixels: nothing to move in points or a table
            f[key].setEnabled(f[key].property("locked") is not True and self._images is not False)
        self._mark()

    def _mark(self) -> None:
        """Tooltips (and a pale red field) say why a field is off: the design's value it cannot show, or an
        augmentation that does not apply to this dataset."""
        name = (self._dataset or {}).get("name", "this dataset")
        for key, w in self.fields.items():
            tip, bad = self._tips.get(key, ""), key in self._unshown
            if bad and key in AUGMENTATION and self._augmentation_unshown:
                tip = (f"the design says augmentation = {_said(self._unshown[key])}, which is not an object like "
                       "{flip, shift, rotation, noise}: set a value")
            elif bad:
                why = "not one of the choices: pick one" if isinstance(w, QComboBox) else "not allowed: set a value"
                tip = f"the design says {key} = {_said(self._unshown[key])}, which is {why}"
            elif key in IMAGE_ONLY and self._images is False:
                tip = (f"{key.capitalize()} applies to images; {name} has no images (its inputs are "
                       f"{(self._dataset or {}).get('kind', 'not pixels')}): only noise is added to them")
            if w.toolTip() != tip:
                w.setToolTip(tip)
            mark_unfit(w, bad)

    def lock(self, running: bool, paused: bool) -> None:
        """While a run trains nothing changes; while paused only the live settings do."""
        for key, w in self.fields.items():
            editable = not running or (paused and key in S.LIVE)
            w.setProperty("locked", not editable)
            w.setEnabled(editable)
        self.dataset_box.setEnabled(not running)
        if not running or paused:
            self._update_enabled()

    def build_plots(self) -> None:
        """The dataset preview and the schedule's plot, in their places; then what they were given."""
        import pyqtgraph as pg

        self.preview_widget, self.preview_box, self.preview_item = image_view(self)
        self.preview_widget.setMinimumSize(180, 110)
        self.scatter_widget = pg.PlotWidget(self)
        self.scatter_widget.setBackground(None)
        self.scatter_widget.hideAxis("left")
        self.scatter_widget.hideAxis("bottom")
        self.scatter_widget.setAspectLocked(True)
        self.scatter = pg.ScatterPlotItem(size=4, pen=None)
        self.scatter_widget.addItem(self.scatter)
        self.scatter_widget.setMinimumSize(180, 110)
        self.lr_plot = pg.PlotWidget(self)
        self.lr_plot.setBackground(None)
        self.lr_plot.setFixedHeight(70)
        self.lr_plot.setMenuEnabled(False)
        self.lr_plot.setMouseEnabled(False, False)
        self.lr_plot.hideButtons()
        scale = self.lr_plot.getAxis("left")
        scale.setWidth(LR_AXIS_WIDTH)
        small = scale.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        scale.setStyle(tickFont=small)
        self.lr_curve = self.lr_plot.plot(pen=pg.mkPen("#2ca02c", width=2))
        for place, widget in ((self._preview_place, self.preview_widget), (self._scatter_place, self.scatter_widget),
                              (self._lr_place, self.lr_plot)):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # (pictures: no invisible Tab stop)
            swap(place, widget)
        if self._schedule is not None:
            self.show_schedule(*self._schedule)
        if self._dataset is not None:
            self._show_samples(self._dataset)

    def show_schedule(self, xs: np.ndarray, ys: np.ndarray) -> None:
        """The learning rate over the epochs, from 0 to its highest value (both labelled)."""
        self._schedule = (xs, ys)
        if not self.plots_built:
            return
        self.lr_curve.setData(xs, ys)
        if len(ys) and ys.max() > 0:
            top = float(ys.max())
            self.lr_plot.setYRange(0, top * 1.15, padding=0)
            # two labels, 0 and the highest rate, written short: pyqtgraph's own (0.005, 0.01) are wider than
            # the axis for any rate below 0.1 and were left out, so the scale said only "0"
            self.lr_plot.getAxis("left").setTicks([[(0.0, "0"), (top, f"{top:.3g}")], []])

    # ----- dataset -----------------------------------------------------------------------------
    @property
    def dataset_name(self) -> str:
        return str(self.dataset_box.currentData() or self.dataset_box.currentText())

    def _dataset_activated(self, _index: int) -> None:
        if self.dataset_box.currentData() == BROWSE:
            self.dataset_browse.emit()  # (the link asks for the path; cancelled, the box goes back)
        else:
            self.dataset_chosen.emit(self.dataset_name)

    def show_current_dataset(self) -> None:
        """The box back on the design's dataset (the chooser was cancelled)."""
        i = self.dataset_box.findData(self._current) if self._current else -1
        self.dataset_box.blockSignals(True)
        self.dataset_box.setCurrentIndex(max(i, 0) if self.dataset_box.count() > 1 else -1)
        self.dataset_box.blockSignals(False)

    def set_dataset_list(self, datasets: list[dict[str, Any]], current: Any) -> None:
        """The datasets to choose from, ``current`` (the design's dataset name: a file may hold a number there,
        shown as text; the workbench says why it cannot load it) chosen; then the folders and files chosen
        before (by their own name, the whole path in the tooltip) and the "Image folder or CSV file…" entry."""
        current = None if current is None else str(current)
        self._current = current
        if current and is_path(current) and current not in self._paths:
            self._paths.append(current)
        box = self.dataset_box
        box.blockSignals(True)
        try:
            box.clear()
            for d in datasets:
                shape = "×".join(map(str, d["input_shape"]))
                note = "" if d["available"] else " (download)"
                box.addItem(f"{d['name']} — {shape}, {d['classes']} classes{note}", d["name"])
                box.setItemData(box.count() - 1, d["description"], Qt.ItemDataRole.ToolTipRole)
            for path in self._paths:
                if box.findData(path) < 0:
                    table = os.path.isfile(path) or Path(path).suffix.lower() in (".csv", ".tsv", ".txt")
                    kind = ("CSV table" if table else "image folder") + ("" if os.path.exists(path) else ", not found")
                    box.addItem(f"{Path(path).name or path} ({kind})", path)
                    box.setItemData(box.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
            if current and box.findData(current) < 0:
                box.addItem(current, current)
            box.addItem(BROWSE_TEXT, BROWSE)
            box.setItemData(box.count() - 1, "Train on your own data: a folder with one sub-folder of images per "
                            "class, or a .csv table", Qt.ItemDataRole.ToolTipRole)
            if current:
                box.setCurrentIndex(box.findData(current))
            else:
                box.setCurrentIndex(-1 if box.count() == 1 else 0)
        finally:
            box.blockSignals(False)

    def show_dataset(self, info: dict[str, Any]) -> None:
        sizes, fraction = info["sizes"], self._fraction
        used = (f" ({max(1, int(sizes['train'] * fraction)):,} used: {fraction:.0%})"
                if isinstance(fraction, int | float) and 0 < fraction < 1 else "")  # (as training/feed.py keeps)
        text = (f"{info['name']}: {'×'.join(map(str, info['input_shape']))} inputs, {len(info['class_names'])} "
                f"classes; {sizes['train']:,} train{used} · {sizes['val']:,} validation · {sizes['test']:,} test")
        if info.get("input_shape_reason"):
            text += f"\nInput shape {info['input_shape_reason']}"
        skipped = info.get("skipped") or []
        if skipped:
            text += f"\nSkipped {len(skipped)} unreadable file{'s' * (len(skipped) != 1)}"
        self.dataset_info.setText(text)
        self.dataset_info.setToolTip("\n".join(skipped[:20]))
        self._dataset = info
        self._images = bool(info.get("is_image", len(info["input_shape"]) == 3))
        self._update_enabled()
        if self.plots_built:
            self._show_samples(info)

    def show_dataset_missing(self, name: str, why: str) -> None:
        """No dataset is loaded (``why``: it is loading, or it could not be loaded): nothing of the one before."""
        self.dataset_info.setText(f"{name}: {why}")
        self.dataset_info.setToolTip("")
        self._dataset, self._images = None, None
        self._update_enabled()
        if self.plots_built:
            self.preview_item.clear()
            self.scatter.setData([])
            self.preview_widget.hide()
            self.scatter_widget.hide()

    def _show_samples(self, info: dict[str, Any]) -> None:
        import pyqtgraph as pg

        if info.get("points") is not None:
            pts, labels = info["points"]
            brushes = [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in labels[:600]]
            self.scatter.setData(pos=pts[:600], brush=brushes)
            self.scatter_widget.show()
            self.preview_widget.hide()
        elif len(info["input_shape"]) == 3 and info.get("sample_grid") is not None:
            show_image(self.preview_item, self.preview_box, info["sample_grid"])
            self.preview_widget.show()
            self.scatter_widget.hide()
        else:
            self.preview_widget.hide()
            self.scatter_widget.hide()
