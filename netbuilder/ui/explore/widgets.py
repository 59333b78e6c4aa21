"""Small widgets of the explore views: an image from a numpy array (grey or RGB in [0, 1]) drawn with
sharp pixels, clickable (``clicked(y, x)`` in image pixels) and with an optional highlighted region;
a titled image tile; a helper for a labelled sample picker.

Qt and numpy only; no torch.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from netbuilder.ui.training.widgets import GRID_TINT


def to_qimage(array: np.ndarray) -> QImage:
    """``(H, W)`` or ``(H, W, 3)`` floats in [0, 1] -> an RGB888 QImage (a deep copy). NaN pixels (the
    gaps of a grid of tiles) are drawn in ``GRID_TINT``, as the training views draw them."""
    a = np.asarray(array, np.float32)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    gaps = np.isnan(a[..., :3]).any(axis=2)
    rgb = (np.clip(np.nan_to_num(a[..., :3]), 0, 1) * 255).round().astype(np.uint8)
    if gaps.any():
        tint = QColor(GRID_TINT)
        rgb[gaps] = (tint.red(), tint.green(), tint.blue())
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


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
        self.caption = caption
        self.setMinimumSize(min_side, min_side + 18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.min_side + 40, self.min_side + 58)

    def set_array(self, array: np.ndarray | None, caption: str | None = None) -> None:
        self.array = None if array is None else np.asarray(array, np.float32)
        self._image = None if array is None else to_qimage(array)
        if caption is not None:
            self.caption = caption
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
        painter.drawText(QRectF(0, self.height() - 18, self.width(), 18), Qt.AlignmentFlag.AlignCenter,
                         self.caption)
        if self._image is None:
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
