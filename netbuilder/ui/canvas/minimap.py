"""The minimap: a small overview of the whole design in a corner of the canvas view.

It shows the visible part as a rectangle; a click or a drag moves the view there. The scene is
rendered into a cached pixmap only when the scene's drawing changed (``content_changed``) and the
minimap is shown; scrolling and zooming only move the rectangle. It hides while everything fits, and keeps
off the layer boxes: bottom right, else bottom left, else faint until the pointer is over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from netbuilder.ui import theme

if TYPE_CHECKING:
    from netbuilder.ui.canvas.view import GraphView

MAX_W, MAX_H, MARGIN, PAD = 190, 150, 10, 30.0
FAINT = 0.35  # the opacity of a minimap that lies over layer boxes
DEBOUNCE_MS = 120


class Minimap(QWidget):
    def __init__(self, view: GraphView) -> None:
        super().__init__(view)
        self.view = view
        self.setObjectName("canvas_minimap")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("The whole design: click or drag to move the view")
        self._pixmap: QPixmap | None = None
        self._source = QRectF()
        self.renders = 0  # how often the scene was drawn (tests check it stays cheap)
        self.corner = 0  # 0: bottom right, 1: bottom left
        self.covering = False  # over layer boxes in both bottom corners: drawn faint (FAINT) unless hovered
        self._hovered = False
        self._later = QTimer(self)  # an edit and the analysis after it: one redraw
        self._later.setSingleShot(True)
        self._later.setInterval(DEBOUNCE_MS)
        self._later.timeout.connect(self._redraw)
        view.graph_scene.content_changed.connect(self.invalidate)
        self.hide()

    def invalidate(self) -> None:
        """The scene's drawing changed: draw it again soon (several changes in a row: once)."""
        self._later.start()

    def _redraw(self) -> None:
        self._pixmap = None
        self.reposition()

    def reposition(self) -> None:
        """Show in the view's bottom-right corner while the design does not fit; keep the picture's shape."""
        scene = self.view.graph_scene
        source = scene.items_rect().adjusted(-PAD, -PAD, PAD, PAD)
        visible = self.view.visible_scene_rect()
        needed = not visible.contains(source.adjusted(PAD / 2, PAD / 2, -PAD / 2, -PAD / 2))
        if source != self._source:
            self._source, self._pixmap = source, None
        if not needed or source.isEmpty():
            self.hide()
            return
        scale = min(MAX_W / source.width(), MAX_H / source.height())
        size = QSize(max(40, int(source.width() * scale)), max(30, int(source.height() * scale)))
        viewport = self.view.viewport().geometry()
        top = viewport.bottom() - size.height() - MARGIN
        corners = [QRect(viewport.right() - size.width() - MARGIN, top, size.width(), size.height()),
                   QRect(viewport.left() + MARGIN, top, size.width(), size.height())]
        # The bottom-right corner, or the bottom-left one while boxes lie under the right one (it stays in
        # a corner while that is free, so scrolling does not make it jump to and fro); with boxes under
        # both, it stays where it is and is drawn faint until the pointer is over it (``covering``).
        free = [i for i, c in enumerate(corners) if not self._covers_boxes(c.translated(-viewport.topLeft()))]
        self.covering = not free
        if free and self.corner not in free:
            self.corner = free[0]
        self.setGeometry(corners[self.corner])
        self.show()
        self.raise_()
        self.update()

    def _covers_boxes(self, rect: QRect) -> bool:
        """Whether a layer box or a group's frame lies under ``rect`` (viewport coordinates)."""
        from netbuilder.ui.canvas.items import GroupItem, NodeItem

        return any(isinstance(item, NodeItem | GroupItem) for item in self.view.items(rect))

    def enterEvent(self, event) -> None:  # noqa: N802
        self._hovered = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hovered = False
        self.update()
        super().leaveEvent(event)

    def _render(self) -> QPixmap:
        if self._pixmap is None or self._pixmap.size() != self.size():
            pixmap = QPixmap(self.size())
            pixmap.fill(QColor(theme.canvas_colours()["background"]))
            scene = self.view.graph_scene
            painter = QPainter(pixmap)
            grid, scene.show_grid = scene.show_grid, False
            try:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                scene.render(painter, QRectF(pixmap.rect()), self._source, Qt.AspectRatioMode.IgnoreAspectRatio)
            finally:
                scene.show_grid = grid
                painter.end()
            self._pixmap = pixmap
            self.renders += 1
        return self._pixmap

    def _to_map(self, rect: QRectF) -> QRectF:
        sx, sy = self.width() / self._source.width(), self.height() / self._source.height()
        return QRectF((rect.left() - self._source.left()) * sx, (rect.top() - self._source.top()) * sy,
                      rect.width() * sx, rect.height() * sy)

    def _to_scene(self, point: QPointF) -> QPointF:
        return QPointF(self._source.left() + point.x() * self._source.width() / self.width(),
                       self._source.top() + point.y() * self._source.height() / self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        if self.covering and not self._hovered:  # boxes beneath it show through
            painter.setOpacity(FAINT)
        painter.drawPixmap(0, 0, self._render())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        shown = self._to_map(self.view.visible_scene_rect()).intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        colour = QColor(theme.SELECT_COLOUR)
        fill = QColor(colour)
        fill.setAlpha(40)
        painter.setPen(QPen(colour, 1.6))
        painter.setBrush(fill)
        painter.drawRect(shown)
        painter.setPen(QPen(QColor(theme.canvas_colours()["muted"]), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.view.centerOn(self._to_scene(event.position()))
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self._to_scene(event.position()))
            event.accept()
