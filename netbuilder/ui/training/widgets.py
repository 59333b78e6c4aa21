"""Small widgets shared by the training views: a message bar, an image grid (pyqtgraph ImageItem,
updated with ``setImage(autoLevels=False)``), a live view base class with a dirty flag (redrawn by
the controller's ~30 Hz timer, never per signal) whose plots are built when first shown, PNG export,
and numpy images as Qt pixmaps.

Imports Qt, pyqtgraph and numpy (both only when a plot or an image is first needed, so that the window
opens without them); never torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    import numpy as np
    import pyqtgraph as pg

LEVEL_STYLES = {  # (background, text, border): light bars with dark text in a light or a dark theme
    "error": ("#fde2e1", "#5f1411", "#e0a19d"),
    "warning": ("#fff4d6", "#4d3800", "#e5c66e"),
    "info": ("#e3effd", "#0d3160", "#9cbfe8"),
}
GRID_TINT = "#7f9cc0"  # the gaps between the tiles of an image grid (show_image)
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf"]


def message_style(level: str) -> str:
    """The message bar's style sheet for ``level``. Its text colour is set on the label itself: a style
    sheet's colour does not pass from the frame to the label in it, which in a dark theme drew the
    palette's light text on the light bar (unreadable)."""
    background, text, border = LEVEL_STYLES.get(level, LEVEL_STYLES["info"])
    return (f"QFrame#training_message_bar{{background:{background};border:1px solid {border};border-radius:4px;}}"
            f"QFrame#training_message_bar > QLabel{{color:{text};}}"
            f"QPushButton#message_close{{color:{text};border:none;background:transparent;}}")


class MessageBar(QFrame):
    """A dismissable one-line message with up to two action buttons (as a browser's info bar)."""

    action_triggered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_message_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        for _ in range(2):
            button = QPushButton(self)
            button.hide()
            button.clicked.connect(lambda _c=False, b=button: self._clicked(b))
            layout.addWidget(button)
            self.buttons.append(button)
        close = QPushButton("✕", self)
        close.setObjectName("message_close")
        close.setFlat(True)
        close.setFixedWidth(26)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout.addWidget(close)
        self.level = ""
        self.hide()

    def show_message(self, text: str, level: str = "info", actions: tuple[tuple[str, str], ...] = ()) -> None:
        """Show ``text``; ``actions`` are ``(key, button text)``: a click emits ``action_triggered(key)``."""
        self.level = level
        self.setStyleSheet(message_style(level))
        self.label.setText(text)
        for button, action in zip(self.buttons, list(actions) + [None] * 2):
            button.setVisible(action is not None)
            if action is not None:
                button.setProperty("key", action[0])
                button.setText(action[1])
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() or not self.isHidden() else ""

    def dismiss(self) -> None:
        self.label.clear()
        self.level = ""
        self.hide()

    def _clicked(self, button: QPushButton) -> None:
        key = str(button.property("key"))
        self.dismiss()
        self.action_triggered.emit(key)


class ElidedComboBox(QComboBox):
    """A combo box whose shown choice ends in "…" when the box is narrower than it (Qt cuts it mid-letter:
    "10 classe"); the list that drops down shows every choice whole."""

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QStylePainter(self)
        option = self._option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text(option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return option

    def shown_text(self, option: QStyleOptionComboBox | None = None) -> str:
        """The current choice as drawn in the box's text field."""
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option or self._option(),
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideRight, max(0, field.width() - 2))


class PlotsWhenShown(QWidget):
    """A widget whose plots (pyqtgraph) are made by ``build_plots`` when it is first shown, or as soon as
    one of the attributes named in ``PLOTS`` is used, whichever comes first: a view in a hidden dock costs
    no pyqtgraph while the window opens. ``build_plots`` puts its widgets in the places kept for them
    (``plot_place``) and then draws what the widget already holds."""

    PLOTS: frozenset[str] = frozenset()  # the attributes build_plots makes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots_built = not self.PLOTS

    def __getattr__(self, name: str):
        # only for attributes not found: a plot used before the widget was shown is built then
        if name in type(self).PLOTS and not self.__dict__.get("plots_built", True):
            self.ensure_plots()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def ensure_plots(self) -> None:
        if not self.plots_built:
            self.plots_built = True
            self.build_plots()

    def build_plots(self) -> None:
        """Make the attributes in ``PLOTS`` (subclasses with plots)."""

    def showEvent(self, event) -> None:  # noqa: N802
        self.ensure_plots()
        super().showEvent(event)


class LiveView(PlotsWhenShown):
    """A view whose data arrive as plain values (``dirty`` set) and which the controller redraws
    from its timer while it is visible (its plots are made when it is first shown: ``PlotsWhenShown``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dirty = False

    def refresh(self) -> None:
        """Push the latest data into the persistent plot items (GUI thread, from the timer)."""
        self.dirty = False

    def fresh_data(self) -> dict | None:
        """For views holding one result dict in ``self.data`` (and an ``info`` label): mark the view
        clean and return the dict to draw, or None when there is nothing (or only an error, which is
        shown in ``info``)."""
        self.dirty = False
        d = getattr(self, "data", None)
        if d is not None and "error" in d:
            self.info.setText(d["error"])
            return None
        return d


def plot_place(parent: QWidget) -> QWidget:
    """An empty widget where a plot goes once it is built (``put``)."""
    place = QWidget(parent)
    layout = QVBoxLayout(place)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    return place


def put(place: QWidget, widget: QWidget) -> QWidget:
    """Put ``widget`` in ``place`` (made by ``plot_place``), shown with it; returns it."""
    place.layout().addWidget(widget)
    widget.show()
    return widget


def swap(place: QWidget, widget: QWidget) -> QWidget:
    """Put ``widget`` where ``place`` is in its parent's layout (shown or hidden as the place was) and
    delete the place; returns ``widget``."""
    place.parentWidget().layout().replaceWidget(place, widget)
    widget.setVisible(not place.isHidden())
    place.hide()
    place.deleteLater()
    return widget


def swap_in_split(split: QSplitter, widgets: tuple[QWidget, ...]) -> None:
    """Put ``widgets`` in place of the splitter's first places (made by ``plot_place``), each keeping its
    place's stretch (a splitter's stretch lives in the widget's size policy, so it would go with the place)
    and the splitter its sizes."""
    sizes = split.sizes()
    for i, widget in enumerate(widgets):
        place = split.widget(i)
        policy = widget.sizePolicy()
        policy.setHorizontalStretch(place.sizePolicy().horizontalStretch())
        policy.setVerticalStretch(place.sizePolicy().verticalStretch())
        widget.setSizePolicy(policy)
        split.replaceWidget(i, widget)
        place.deleteLater()
    split.setSizes(sizes)


def image_view(parent: QWidget | None = None, invert: bool = True) -> tuple[pg.GraphicsLayoutWidget, pg.ViewBox,
                                                                              pg.ImageItem]:
    """A widget showing one image (row-major numpy), aspect locked, y downwards."""
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget(parent)
    widget.setBackground(None)
    box = widget.addViewBox(lockAspect=True, invertY=invert, enableMenu=False)
    item = pg.ImageItem(axisOrder="row-major")
    box.addItem(item)
    return widget, box, item


def show_image(item: pg.ImageItem, box: pg.ViewBox | None, image: np.ndarray, levels=(0.0, 1.0)) -> None:
    """Update ``item`` in place; the view re-fits only when the image's size changes. NaN pixels (the gaps
    of a grid of tiles) show ``GRID_TINT``, a colour no grey or RGB tile pixel can be taken for (white
    gaps merged with a filter's or a map's brightest pixels)."""
    import numpy as np

    a = np.ascontiguousarray(image, np.float32)
    old = item.image.shape if item.image is not None else None
    item.setImage(a, autoLevels=False, levels=levels)
    if box is not None:
        _tint_gaps(item, box, a)
        if old != a.shape:
            box.autoRange(padding=0.02)


def grid_gaps(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows and the columns of a grid of tiles that are its gaps: all NaN across the whole image. The
    other NaN pixels are the empty cells after the last tile (8 maps in a 3 × 3 grid), to be left clear: in
    the tint, an empty cell looked like one more map."""
    import numpy as np

    nan = np.isnan(image)
    if nan.ndim == 3:
        nan = nan.any(axis=2)
    return np.flatnonzero(nan.all(axis=1)), np.flatnonzero(nan.all(axis=0))


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive indices as (first, count): [3, 4, 9] -> [(3, 2), (9, 1)]."""
    runs: list[tuple[int, int]] = []
    for i in indices.tolist():
        if runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    return runs


def _tint_gaps(item: pg.ImageItem, box: pg.ViewBox, image: np.ndarray) -> None:
    """The gaps of a grid of tiles (``grid_gaps``) in ``GRID_TINT``, behind the image, whose NaN pixels
    (drawn clear) let them show; the empty cells after the last tile stay clear."""
    from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
    from PySide6.QtWidgets import QGraphicsPathItem

    rows, cols = grid_gaps(image)
    gaps = bool(len(rows) or len(cols))
    frame = getattr(item, "gap_frame", None)
    if frame is None:
        if not gaps:
            return
        frame = QGraphicsPathItem()
        frame.setPen(QPen(Qt.PenStyle.NoPen))
        frame.setBrush(QBrush(QColor(GRID_TINT)))
        box.addItem(frame, ignoreBounds=True)
        frame.setZValue(item.zValue() - 1)  # (after addItem, which raises an item above the box)
        item.gap_frame = frame
    path = QPainterPath()
    height, width = image.shape[:2]
    for first, count in _runs(rows):
        path.addRect(0, first, width, count)
    for first, count in _runs(cols):
        path.addRect(first, 0, count, height)
    frame.setPath(path.simplified())
    frame.setVisible(gaps)


def export_png(item, path: str, width: int = 1600) -> None:
    """Write a plot (a PlotItem, a layout or a scene) as a PNG image, atomically; NetbuilderError names a
    failure."""
    from pyqtgraph.exporters import ImageExporter

    from netbuilder.ui.diagram import image_bytes, write_file

    exporter = ImageExporter(item)
    exporter.parameters()["width"] = width
    write_file(path, image_bytes(exporter.export(toBytes=True)), "PNG file")


def to_pixmap(image: np.ndarray, size: int = 56) -> QPixmap:
    """A [0, 1] image (C, H, W) / (H, W) / (H, W, 3) as a pixmap scaled (nearest) to ``size``."""
    import numpy as np

    a = np.asarray(image, np.float32)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = a.transpose(1, 2, 0)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    u8 = np.ascontiguousarray((np.clip(a, 0, 1) * 255).astype(np.uint8))
    if u8.ndim == 2:
        img = QImage(u8.data, u8.shape[1], u8.shape[0], u8.strides[0], QImage.Format.Format_Grayscale8)
    else:
        img = QImage(u8.data, u8.shape[1], u8.shape[0], u8.strides[0], QImage.Format.Format_RGB888)
    return QPixmap.fromImage(img.copy()).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.FastTransformation)


class ElidedLabel(QLabel):
    """One line that never widens its panel: shortened with "…" to the room it has, the whole text then its
    tooltip (the progress line: "Pausing after this step: … · epoch 1/50 · step 62 · ETA · loss · lr" pushed
    the Training panel past a 1280×720 window). ``text()`` is the whole text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._whole = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self.setText(text)

    def text(self) -> str:  # noqa: D102
        return self._whole

    def setText(self, text: str) -> None:  # noqa: N802
        self._whole = str(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        shown = self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, max(0, self.width()))
        QLabel.setText(self, shown)
        self.setToolTip(self._whole if shown != self._whole else "")
