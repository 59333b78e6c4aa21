"""The choice of an input to look at, shared by the views that show what a network makes of one input
(Feature maps; Explain, Adversarial and Inside): a preview sample of the dataset, an image of the test
or validation split by its number, a drawing made with the mouse (``DrawPad``) or an image file.

``InputPicker`` is the row of choices (the view places its ``pad`` where the drawing goes); ``query()``
gives the choice as plain values for the workbench: a preview sample's number, ``{"split", "index"}``, or
``{"image", "name"}`` with an array in [0, 1] of the input's shape (a drawing, a file read here).

Qt and numpy only; no torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QSpinBox, QWidget

from netbuilder.imagefile import read_pixels

SOURCE_TEXT = {"sample": "Dataset sample", "test": "Test image", "val": "Validation image",
               "drawing": "Drawing", "file": "Image file"}
SPLIT_NAME = {"test": "test", "val": "validation"}
IMAGE_ONLY = ("drawing", "file")  # inputs made of pixels: offered for image datasets only
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif)"


class DrawPad(QWidget):
    """A small canvas drawn on with the mouse (white on black), read back at the input's size."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(112, 112)
        self.setToolTip("Draw with the left mouse button; right click clears")
        self.image = QImage(112, 112, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self._last: QPoint | None = None
        self.blank = True  # nothing drawn yet: the pad says how to draw (on screen, never in the image)

    def clear(self) -> None:
        self.image.fill(0)
        self.blank = True
        self.update()
        self.changed.emit()

    def stroke(self, a: QPoint, b: QPoint) -> None:
        self.blank = False
        painter = QPainter(self.image)
        painter.setPen(QPen(QColor(255, 255, 255), 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        if a == b:  # a click: a dot
            painter.setBrush(QColor(255, 255, 255))
            painter.drawEllipse(a, 4, 4)
        else:
            painter.drawLine(a, b)
        painter.end()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton:
            self.clear()
            return
        self._last = event.position().toPoint()
        self.stroke(self._last, self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is not None:
            p = event.position().toPoint()
            self.stroke(self._last, p)
            self._last = p

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._last = None
        self.changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        if self.blank:  # (a black square said nothing about what it is for)
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(self.rect().adjusted(6, 6, -6, -6), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             "Draw here with the mouse\n(right click clears)")
        painter.end()

    def array(self, shape: list[int]) -> np.ndarray:
        return image_array(self.image, shape)


def image_array(image: QImage, shape: list[int]) -> np.ndarray:
    """A QImage as an input of ``shape`` (C, H, W), values in [0, 1]."""
    c, h, w = shape
    fmt = QImage.Format.Format_RGB888 if c == 3 else QImage.Format.Format_Grayscale8
    small = image.convertToFormat(fmt).scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
    ptr = small.constBits()
    rows = np.frombuffer(ptr, np.uint8, small.sizeInBytes()).reshape(h, small.bytesPerLine())
    data = rows[:, :w * (3 if c == 3 else 1)].reshape(h, w, -1).astype(np.float32) / 255.0
    data = data.transpose(2, 0, 1)
    return np.repeat(data, c, 0) if data.shape[0] != c else data


def file_array(data: bytes, shape: list[int]) -> np.ndarray:
    """An image file's bytes as an input of ``shape`` (C, H, W), values in [0, 1]: the pixels ``predict`` and an
    image folder read from the same file (``netbuilder.imagefile``)."""
    c, h, w = shape
    pixels = read_pixels(data, (h, w), 3 if c == 3 else 1).astype(np.float32) / 255.0
    return pixels if pixels.shape[0] == c else np.repeat(pixels, c, 0)


class InputPicker(QWidget):
    """The input choice: ``source`` (the kinds given, in that order), the preview sample's number, the
    split image's number, "Open image…"; ``changed`` when the input changes, ``failed(text)`` with one line
    when an image file cannot be read (the input stays as it was). ``pad`` is for the view to place."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, sources: tuple[str, ...] = ("sample", "drawing", "file"),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = QComboBox(self)
        for key in sources:
            self.source.addItem(SOURCE_TEXT[key], key)
        self.source.setToolTip("What to show the network: a sample of the dataset, an image of its test or "
                               "validation set by number, your drawing or an image file")
        self.sample = QSpinBox(self)
        self.sample.setRange(0, 0)
        self.sample.setToolTip("Which preview sample of the dataset")
        self.number = QSpinBox(self)
        self.number.setRange(0, 0)
        self.open_button = QPushButton("Open image…", self)
        self.pad = DrawPad(self)  # (the view lays it out where the drawing belongs)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.source, self.sample, self.number, self.open_button):
            layout.addWidget(w)
        self.samples = np.zeros((0,), np.float32)
        self.sample_labels = np.zeros((0,), np.int64)
        self.input_shape: list[int] = []
        self.sizes: dict[str, int] = {}
        self.file_image: bytes | None = None  # the file as read: decoded at the input's shape when asked
        self.file_name = ""
        self._decoded: tuple[tuple, np.ndarray] | None = None  # the file at the input's shape
        self.source.currentIndexChanged.connect(self._source_changed)
        self.sample.valueChanged.connect(lambda _v: self.changed.emit())
        self.number.valueChanged.connect(lambda _v: self.changed.emit())
        self.open_button.clicked.connect(lambda: self.open_image())
        self.pad.changed.connect(self.changed)
        self._source_changed()

    @property
    def kind(self) -> str:
        return str(self.source.currentData())

    @property
    def is_image(self) -> bool:
        return len(self.input_shape) == 3

    # ----- the dataset ---------------------------------------------------------------------------
    def set_dataset(self, info: dict[str, Any] | None) -> None:
        """The dataset's previews, shape and split sizes (``Workbench.dataset``; empty: none). Says nothing
        (no ``changed``): the view asks again when the dataset has changed."""
        info = info or {}
        quiet = (self.source, self.sample, self.number)
        for w in quiet:
            w.blockSignals(True)
        try:
            self.samples = np.asarray(info.get("samples", np.zeros((0,))), np.float32)
            self.sample_labels = np.asarray(info.get("sample_labels", np.zeros((0,))))
            self.input_shape = list(info.get("input_shape", []))
            self.sizes = {k: int(v) for k, v in (info.get("sizes") or {}).items()}
            self.sample.setRange(0, max(0, len(self.samples) - 1))
            model = self.source.model()
            for key in IMAGE_ONLY:
                i = self.source.findData(key)
                if i >= 0:
                    model.item(i).setEnabled(self.is_image)
            if not self.is_image and self.kind in IMAGE_ONLY:
                self.source.setCurrentIndex(0)
            self._show_choice()
        finally:
            for w in quiet:
                w.blockSignals(False)

    # ----- the choice -------------------------------------------------------------------------------
    def _source_changed(self, _index: int = 0) -> None:
        self._show_choice()
        self.changed.emit()

    def _show_choice(self) -> None:
        kind = self.kind
        self.sample.setVisible(kind == "sample")
        self.number.setVisible(kind in SPLIT_NAME)
        self.open_button.setVisible(kind == "file")
        self.pad.setVisible(kind == "drawing")
        if kind in SPLIT_NAME:
            n = self.sizes.get(kind, 0)
            self.number.setRange(0, max(0, n - 1))
            self.number.setToolTip(f"Which image of the {SPLIT_NAME[kind]} set: 0 to {max(0, n - 1)} "
                                   "(any of them, not only the previews)")

    def show_split(self, split: str, index: int) -> bool:
        """Choose image ``index`` of ``split`` ("test" or "val"), as one change; False when not offered."""
        i = self.source.findData(split)
        if i < 0:
            return False
        with QSignalBlocker(self.source), QSignalBlocker(self.number):
            self.source.setCurrentIndex(i)
            self._show_choice()
            self.number.setMaximum(max(self.number.maximum(), int(index)))  # (a size not known yet)
            self.number.setValue(int(index))
        self.changed.emit()
        return True

    def open_image(self, path: str | None = None) -> bool:
        """Read an image file (asked for when ``path`` is not given) and make it the input; a file that is
        not a readable image says so in one line (``failed``) and changes nothing."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open an image", "", IMAGE_FILTER)
        if not path:
            return False
        name = Path(path).name
        if not self.is_image:
            self.failed.emit(f"{name}: an image file is an input for an image dataset only")
            return False
        try:  # kept as read (bytes): decoded at the input's shape as predict and image folders decode it
            data = Path(path).read_bytes()
            read_pixels(data, (8, 8), 1)
        except Exception:  # noqa: BLE001  (Pillow's errors for a file that is no image, an unreadable file)
            self.failed.emit(f"{name}: not a readable image; the input stays as it was")
            return False
        self.file_image, self.file_name, self._decoded = data, name, None
        i = self.source.findData("file")
        if i >= 0 and i != self.source.currentIndex():
            self.source.setCurrentIndex(i)  # (says ``changed``)
        else:
            self.changed.emit()
        return True

    # ----- the input --------------------------------------------------------------------------------
    def current_input(self) -> np.ndarray | None:
        """The chosen input in display units ([0, 1] for images) when it is here (a preview sample, the
        drawing, the file), or None (none yet, or an image of a split: the workbench has those)."""
        kind = self.kind
        if kind in IMAGE_ONLY:
            if not self.is_image:
                return None
            if kind == "drawing":
                return self.pad.array(self.input_shape)
            if self.file_image is None:
                return None
            shape = tuple(self.input_shape)
            if self._decoded is None or self._decoded[0] != shape:  # (decoded once a shape: views ask often)
                self._decoded = (shape, file_array(self.file_image, self.input_shape))
            return self._decoded[1].copy()
        if kind != "sample" or len(self.samples) == 0:
            return None
        return self.samples[min(self.sample.value(), len(self.samples) - 1)]

    def query(self) -> int | dict[str, Any] | None:
        """The choice as plain values for a job (module docstring); None: nothing to show yet."""
        kind = self.kind
        if kind == "sample":
            return self.sample.value()
        if kind in SPLIT_NAME:
            return {"split": kind, "index": self.number.value()}
        image = self.current_input()
        return None if image is None else {"image": image, "name": self.describe()}

    def describe(self) -> str:
        kind = self.kind
        if kind == "sample":
            return f"sample {self.sample.value()}"
        if kind in SPLIT_NAME:
            return f"{SPLIT_NAME[kind]} image {self.number.value()}"
        return "your drawing" if kind == "drawing" else self.file_name or "an image file"

    def missing(self) -> str:
        """Why ``query()`` is None: what to do first."""
        if self.kind == "file" and self.is_image:
            return "open an image file first (Open image…)"
        return "the dataset is not loaded yet" if not self.input_shape else "pick an input"
