"""Small widgets of the explore views: an image from a numpy array (grey or RGB in [0, 1]) drawn with
sharp pixels, clickable (``clicked(y, x)`` in image pixels) and with an optional highlighted region;
a titled image tile; a helper for a labelled sample picker; ``AnswerView``, the one way every explore
view shows the workbench's answer (a result or an error, never a mix of a fresh one and a stale one).

Qt and numpy only; no torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from netbuilder.ui.training.widgets import GRID_TINT, grid_gaps


def to_qimage(array: np.ndarray) -> QImage:
    """``(H, W)`` or ``(H, W, 3)`` floats in [0, 1] -> an RGBA8888 QImage (a deep copy). The gaps of a grid
    of tiles (``grid_gaps``: NaN rows and columns) are drawn in ``GRID_TINT``, as the training views draw
    them; other NaN pixels (the empty cells after the last tile) are clear."""
    a = np.asarray(array, np.float32)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    a = a[..., :3]
    nan = np.isnan(a).any(axis=2)
    rgba = np.empty(a.shape[:2] + (4,), np.uint8)
    rgba[..., :3] = (np.clip(np.nan_to_num(a), 0, 1) * 255).round().astype(np.uint8)
    rgba[..., 3] = np.where(nan, 0, 255)
    rows, cols = grid_gaps(a)
    if len(rows) or len(cols):
        tint = QColor(GRID_TINT)
        colour = (tint.red(), tint.green(), tint.blue(), 255)
        rgba[rows] = colour
        rgba[:, cols] = colour
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


class ImageView(QWidget):
    """An image scaled to fit (nearest neighbour, aspect kept), with a caption under it."""

    clicked = Signal(int, int)  # row, column in image pixels

    def __init__(self, caption: str = "", min_side: int = 120, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.array: np.ndarray | None = None
        self._image: QImage | None = None
        self.highlight: tuple[int, int, int, int] | None = None  # y0, y1, x0, x1 (half-open)
        self.marker: tuple[int, int] | None = None  # a pixel to outline
        self.min_side = min_side
        self.caption = self.title = caption  # the title: the caption of an empty view
        self.blank = False  # cleared (the answer was an error): nothing drawn, not even the "…" of waiting
        self.setMinimumSize(min_side, min_side + 18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.min_side + 40, self.min_side + 58)

    def set_array(self, array: np.ndarray | None, caption: str | None = None) -> None:
        self.array = None if array is None else np.asarray(array, np.float32)
        self._image = None if array is None else to_qimage(array)
        if caption is not None:
            self.caption = caption
        self.blank = False
        self.update()

    def clear(self) -> None:
        """Blank: no picture, no highlight or marker, the caption back to the title (an error answered)."""
        self.array, self._image = None, None
        self.highlight = self.marker = None
        self.caption, self.blank = self.title, True
        self.update()

    def set_highlight(self, region: tuple[int, int, int, int] | None) -> None:
        self.highlight = region
        self.update()

    def set_marker(self, pixel: tuple[int, int] | None) -> None:
        self.marker = pixel
        self.update()

    @property
    def has_image(self) -> bool:
        return self._image is not None

    def image_rect(self) -> QRectF:
        if self._image is None:
            return QRectF()
        w, h = self._image.width(), self._image.height()
        avail_w, avail_h = max(1, self.width() - 4), max(1, self.height() - 22)
        scale = min(avail_w / w, avail_h / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, 2 + (avail_h - dh) / 2, dw, dh)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().text().color())
        # a long caption (a file's name) is shortened in its middle, so its start and its end ("(no label)")
        # show; the whole caption is the tooltip
        shown = self.fontMetrics().elidedText(self.caption, Qt.TextElideMode.ElideMiddle, max(0, self.width() - 4))
        tip = self.caption if shown != self.caption else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)
        painter.drawText(QRectF(0, self.height() - 18, self.width(), 18), Qt.AlignmentFlag.AlignCenter, shown)
        if self._image is None:
            if self.blank:
                return
            painter.setPen(self.palette().mid().color())
            painter.drawText(QRectF(0, 0, self.width(), self.height() - 18), Qt.AlignmentFlag.AlignCenter, "…")
            return
        rect = self.image_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(rect, self._image)
        sx, sy = rect.width() / self._image.width(), rect.height() / self._image.height()
        if self.highlight is not None:
            y0, y1, x0, x1 = self.highlight
            box = QRectF(rect.left() + x0 * sx, rect.top() + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy)
            fill = QColor("#ffd400")
            fill.setAlpha(70)
            painter.fillRect(box, fill)
            painter.setPen(QPen(QColor("#ffd400"), 2))
            painter.drawRect(box)
        if self.marker is not None:
            y, x = self.marker
            painter.setPen(QPen(QColor("#ff3b30"), 2))
            painter.drawRect(QRectF(rect.left() + x * sx, rect.top() + y * sy, sx, sy))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        pixel = self.pixel_at(event.position().x(), event.position().y())
        if pixel is not None:
            self.clicked.emit(*pixel)

    def pixel_at(self, px: float, py: float) -> tuple[int, int] | None:
        if self._image is None:
            return None
        rect = self.image_rect()
        if not rect.contains(px, py):
            return None
        x = int((px - rect.left()) / rect.width() * self._image.width())
        y = int((py - rect.top()) / rect.height() * self._image.height())
        return min(y, self._image.height() - 1), min(x, self._image.width() - 1)

    def click_pixel(self, y: int, x: int) -> None:
        """Emit ``clicked`` as a mouse click on pixel (y, x) would (tests, keyboard)."""
        self.clicked.emit(int(y), int(x))


def column(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return box


def note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AnswerView(QWidget):
    """An explore view showing the workbench's answer to its question: pictures (``images``), a note
    (``info``) and choices listing the model's layers (``layer_boxes``). Every answer replaces all of the
    previous one: a result sets the note back to ``NOTE`` before drawing (no earlier error text stays
    under fresh pictures); an error blanks the pictures and forgets the result (nothing stale is shown
    as current) and says why, after ``ERROR``. Subclasses draw a result in ``show_result``."""

    NOTE = ""
    ERROR = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: dict[str, ImageView] = {}
        self.info = note(self.NOTE)
        self.result: dict[str, Any] | None = None

    def layer_boxes(self) -> tuple[QComboBox, ...]:
        return ()

    def is_error(self, result: dict[str, Any]) -> bool:
        return "error" in result

    def set_result(self, result: dict[str, Any]) -> None:
        if self.is_error(result):
            self.result = None
            for image in self.images.values():
                image.clear()
            self.forget()
            self.info.setText(f"{self.ERROR}{result['error']}")
            return
        self.result = result
        self.info.setText(self.NOTE)
        self.show_result(result)

    def reset(self, text: str) -> None:
        """Another design was opened: nothing of the previous network's answer stays, shown or hidden (its
        pictures, its layers in the choices, what it said); ``text`` says what comes next."""
        self.result = None
        for image in self.images.values():
            image.clear()
        self.forget()
        for box in self.layer_boxes():
            fill_choices(box, [], box.itemText(0))  # only the automatic choice, until the new network's answer
        self.info.setText(text)

    def show_result(self, result: dict[str, Any]) -> None:
        """Draw a result (subclasses)."""

    def forget(self) -> None:
        """What else goes with an error's answer (subclasses)."""

    def keep_layers(self, existing) -> None:
        """The design changed: the layer choices list only layers that still exist (a removed choice falls
        back to the first entry, the automatic one)."""
        for box in self.layer_boxes():
            keep_choices(box, lambda data: data is None or data in existing)


def fill_choices(box: QComboBox, items: list[tuple[str, Any]], first: str) -> None:
    """Refill a combo box (first entry: automatic) keeping the current choice when it is still there."""
    wanted = [(first, None), *items]
    if [(box.itemText(i), box.itemData(i)) for i in range(box.count())] == wanted:
        return
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    for text, data in wanted:
        box.addItem(text, data)
    i = box.findData(current) if current is not None else 0
    box.setCurrentIndex(max(0, i))
    box.blockSignals(False)


def keep_choices(box: QComboBox, keep) -> bool:
    """Remove the entries whose data ``keep`` refuses (without a signal); True when the current one went."""
    current = box.currentData()
    gone = [i for i in range(box.count()) if not keep(box.itemData(i))]
    if not gone:
        return False
    box.blockSignals(True)
    for i in reversed(gone):
        box.removeItem(i)
    i = box.findData(current) if current is not None else 0
    box.setCurrentIndex(max(0, i))
    box.blockSignals(False)
    return i < 0
