"""Canvas items that only mirror the model: NodeItem, PortItem, EdgeItem (GroupItem: groups.py).

Items never change the graph; gestures report to the scene, which asks the Document.
Geometry: a node's model position is its box centre; inputs sit on the top (TB) or left (LR)
edge, the single output on the bottom or right. Zoomed out, a node draws its name large instead of
its detail (semantic zoom, ``zoom.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem

from netbuilder.graph import Edge
from netbuilder.layers import get_spec, has_kind
from netbuilder.ui import theme
from netbuilder.ui.canvas.badges import Badge, beside_badge, health_badge, lock_room, paint_marks
from netbuilder.ui.canvas.routing import route
from netbuilder.ui.canvas.zoom import (
    BLOCK_ZOOM,
    SUB_PX,
    TEXT_PX,
    TITLE_PX,
    big_px,
    detailed,
    elided,
    font,
    human,  # noqa: F401  (re-exported: other widgets format counts with it)
    level_of_detail,
    shape_text,
)
from netbuilder.ui.layout import NODE_H, NODE_W

if TYPE_CHECKING:
    from netbuilder.ui.canvas.scene import GraphScene

PORT_R = 5.5


class PortItem(QGraphicsEllipseItem):
    """An input port (``index`` >= 0) or the output port (``index`` == -1) of a node."""

    def __init__(self, node: NodeItem, index: int) -> None:
        super().__init__(-PORT_R, -PORT_R, 2 * PORT_R, 2 * PORT_R, node)
        self.node, self.index = node, index
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        self.setToolTip("drag to an input port to connect" if index < 0 else f"input {index}")

    @property
    def is_output(self) -> bool:
        return self.index < 0

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        self.setScale(1.4)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self.setScale(1.0)


class NodeItem(QGraphicsItem):
    def __init__(self, scene: GraphScene, node_id: str) -> None:
        super().__init__()
        self.graph_scene, self.node_id = scene, node_id
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsScenePositionChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.shape_out: tuple[int, ...] | None = None
        self.problems: list = []
        self._told = False  # set_info has written the tooltip
        self.frozen = False  # a locked layer (transfer learning): hatched, with a lock badge
        self.health: tuple[str, str] | None = None  # (level ok|warn|bad, short text) of training health
        self.in_ports: list[PortItem] = []
        self.out_port = PortItem(self, -1)
        self.sync()

    # ----- mirror the model -------------------------------------------------------------
    def sync(self) -> None:
        node = self.graph_scene.graph.node(self.node_id)
        self.kind = node.kind
        if has_kind(node.kind):
            spec = get_spec(node.kind)
            self.title, self.category = spec.title, spec.category
            try:
                self.label = spec.label(spec.resolve(node.params))
            except Exception:  # a bad setting: analysis reports it; show no label
                self.label = ""
            n_in = spec.n_inputs
            if spec.variadic:
                used = max((e.port for e in self.graph_scene.graph.incoming(self.node_id)), default=-1)
                n_in = max(2, used + 2)
        else:
            self.title, self.category, self.label, n_in = node.kind, "", "unknown kind", 1
        while len(self.in_ports) < n_in:
            self.in_ports.append(PortItem(self, len(self.in_ports)))
        while len(self.in_ports) > n_in:
            port = self.in_ports.pop()
            port.setParentItem(None)
            if port.scene():
                port.scene().removeItem(port)
        self.out_port.setVisible(node.kind != "output")
        self.place_ports()
        self.update()

    def place_ports(self) -> None:
        """The ports along the box's edges; only when their number or the direction changed (a node's
        sync after each setting edit places nothing: setPos on child items is not free)."""
        horizontal = self.graph_scene.horizontal
        n = len(self.in_ports)
        if getattr(self, "_ports_placed", None) == (n, horizontal):
            return
        self._ports_placed = (n, horizontal)
        for i, port in enumerate(self.in_ports):
            t = (i + 1) / (n + 1)
            port.setPos(QPointF(-NODE_W / 2, (t - 0.5) * NODE_H) if horizontal
                        else QPointF((t - 0.5) * NODE_W, -NODE_H / 2))
        self.out_port.setPos(QPointF(NODE_W / 2, 0) if horizontal else QPointF(0, NODE_H / 2))

    def set_info(self, shape: tuple[int, ...] | None, problems: list) -> None:
        if shape == self.shape_out and problems == self.problems and self._told:
            return  # unchanged: no repaint
        self.shape_out, self.problems, self._told = shape, problems, True
        if problems:
            self.setToolTip("\n".join(f"{'⚠' if d.severity == 'warning' else '✖'} {d.message}"
                                      + (f"\n   fix: {d.fix}" if d.fix else "") for d in problems))
        else:
            self.setToolTip(f"{self.node_id} ({self.title}): output {shape_text(shape)}")
        self.update()

    @property
    def has_error(self) -> bool:
        return any(d.severity == "error" for d in self.problems)

    def port_pos(self, index: int) -> QPointF:
        """Where an edge ends in the scene: the output port (``index`` < 0) or input port ``index`` (the last
        one when there are fewer). A node with no input ports that a file still connects into (an Input layer
        with an edge, an error analysis reports) takes it at the middle of its input side."""
        if index < 0:
            return self.out_port.scenePos()
        if not self.in_ports:
            side = QPointF(-NODE_W / 2, 0) if self.graph_scene.horizontal else QPointF(0, -NODE_H / 2)
            return self.mapToScene(side)
        return self.in_ports[min(index, len(self.in_ports) - 1)].scenePos()

    # ----- Qt ----------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-NODE_W / 2 - 2, -NODE_H / 2 - 2, NODE_W + 4, NODE_H + 4)

    def text_px(self, zoom: float) -> float:
        """The smallest text this node draws at ``zoom`` (scene units; on screen ``text_px * zoom``)."""
        if detailed(zoom):
            return TEXT_PX
        return min(big_px(self.title, NODE_W - 22), SUB_PX)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        colours = theme.canvas_colours()
        rect = QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H)
        accent = theme.category_colour(self.category)
        error = self.has_error
        body = QColor(colours["body"])
        if error:
            body = QColor(theme.ERROR_NODE_BODY[theme.is_dark()])
        border = theme.SELECT_COLOUR if self.isSelected() else theme.ERROR_COLOUR if error else accent.darker(120)
        lod = level_of_detail(painter, option)
        if lod < BLOCK_ZOOM:  # nothing would read: a coloured block
            painter.fillRect(rect, border if self.isSelected() or error else accent)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, (2.5 if self.isSelected() or error else 1.2) * max(1.0, 0.8 / lod)))
        painter.setBrush(QBrush(body))
        painter.drawRoundedRect(rect, 7, 7)
        band_w = 7 if detailed(lod) else 10
        band = QRectF(rect.left(), rect.top(), band_w, rect.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        path = QPainterPath()
        path.addRoundedRect(band.adjusted(0, 0, 7, 0), 7, 7)
        clip = QPainterPath()
        clip.addRect(band)
        painter.drawPath(path.intersected(clip))
        badge = self._badge(lod, rect)
        reserve = rect.right() - badge.rect.left() + 4 if badge is not None else 0.0
        if detailed(lod):
            self._paint_detail(painter, rect, error, colours, reserve, lod)
        else:
            self._paint_overview(painter, rect, error, colours, reserve, lod)
        paint_marks(painter, rect, lod, self.frozen, self.health, badge)
        for port in [*self.in_ports, self.out_port]:
            port.setBrush(accent if not port.is_output else accent.darker(130))
            port.setPen(QPen(colours["body"], 1.2))

    def _bottom_text(self, error: bool) -> str:
        return "✖ " + self.first_error() if error else "→ " + shape_text(self.shape_out)

    def _paint_detail(self, painter: QPainter, rect: QRectF, error: bool, colours: dict, reserve: float,
                      lod: float) -> None:
        """Close up: title and id (short of a lock), the settings, the output shape (or the first error)
        beside the health badge (``reserve``: its width at the right of the bottom line)."""
        text_rect = rect.adjusted(14, 5, -8, -5)
        title_font = font(TITLE_PX, True, painter.font())
        painter.setFont(title_font)
        painter.setPen(QColor(theme.error_text()) if error else colours["text"])
        title_width = text_rect.width() - max(0.0, lock_room(self.frozen, lod) - 8)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         elided(f"{self.title}  {self.node_id}", title_font, title_width))
        small = font(TEXT_PX, False, painter.font())
        painter.setFont(small)
        painter.setPen(colours["muted"])
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided(self.label, small, text_rect.width()))
        painter.setPen(QColor(theme.error_text()) if error else colours["text"])
        line = text_rect.adjusted(0, 0, -max(0.0, reserve - 8), 0)
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                         elided(self._bottom_text(error), small, line.width()))

    def _paint_overview(self, painter: QPainter, rect: QRectF, error: bool, colours: dict, reserve: float,
                        lod: float) -> None:
        """Zoomed out: the kind's name, large (short of a lock), over the output shape (or the first
        error) beside the health badge (``reserve``: its width at the right of the bottom line)."""
        text_rect = rect.adjusted(16, 3, -6, -3)
        title_width = text_rect.width() - max(0.0, lock_room(self.frozen, lod) - 6)
        name_font = font(big_px(self.title, title_width), True, painter.font())
        painter.setFont(name_font)
        painter.setPen(QColor(theme.error_text()) if error else colours["text"])
        top = QRectF(text_rect.left(), text_rect.top(), text_rect.width(), text_rect.height() * 0.56)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided(self.title, name_font, title_width, middle=True))
        sub = font(SUB_PX, False, painter.font())
        painter.setFont(sub)
        painter.setPen(QColor(theme.error_text()) if error else colours["muted"])
        bottom = QRectF(text_rect.left(), top.bottom(), text_rect.width() - max(0.0, reserve - 6),
                        text_rect.bottom() - top.bottom())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.overview_line(error, sub, bottom.width(), reserve > 0))

    def first_error(self) -> str:
        """The message under the ✖: the first error (a warning listed before it is not why the box is red)."""
        return next((d.message for d in self.problems if d.severity == "error"), self.problems[0].message)

    def overview_line(self, error: bool, f: QFont, width: float, badge: bool) -> str:
        """The zoomed-out box's second line in ``width``: the first error, elided, or the output shape
        (beside a health badge: whole or not at all)."""
        if error:
            return elided("✖ " + self.first_error(), f, width)
        return beside_badge(shape_text(self.shape_out), f, width, badge)

    def set_frozen(self, frozen: bool) -> None:
        if frozen != self.frozen:
            self.frozen = frozen
            self.update()

    def set_health(self, health: tuple[str, str] | None) -> None:
        if health != self.health:
            self.health = health
            self.update()

    def _badge(self, lod: float, rect: QRectF) -> Badge | None:
        """The health badge's font, place and text at the zoom ``lod`` (None: no badge)."""
        return health_badge(self.health, self.frozen, lod, rect)

    def itemChange(self, change, value):  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemScenePositionHasChanged:
            self.graph_scene.node_item_moved(self.node_id)
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.update()
        return super().itemChange(change, value)


class EdgeItem(QGraphicsPathItem):
    """A curved connection from a node's output to an input port, labelled with the tensor shape."""

    def __init__(self, scene: GraphScene, edge: Edge, routed: bool = True) -> None:
        """``routed=False``: the path is made by the caller's ``update_path`` (the scene's rebuild, once
        its groups are in place)."""
        super().__init__()
        self.graph_scene, self.edge = scene, edge
        self.label = ""
        self._label_box = QRectF()
        self.drop_target = False  # a layer being dragged would go into this connection: drawn marked
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        if routed:
            self.update_path()

    def update_path(self) -> None:
        """A curve between its ports, or a detour beside the boxes it would cross (routing.py)."""
        scene = self.graph_scene
        a, b = scene.anchor_out(self.edge.src), scene.anchor_in(self.edge.dst, self.edge.port)
        ends = (self.edge.src, self.edge.dst)
        path = route(a, b, scene.horizontal, lambda rect: scene.boxes_in(rect, ends))
        self.prepareGeometryChange()
        self.setPath(path)
        self._place_label()

    def set_label(self, text: str) -> None:
        if text != self.label:
            self.prepareGeometryChange()
            self.label = text
            self._place_label()
            self.update()

    def set_drop_target(self, on: bool) -> None:
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def _place_label(self) -> None:
        self._long = self.path().length() > 70  # a label on a short edge would cover the ports
        mid = self.path().pointAtPercent(0.5)
        self._label_box = QRectF(mid.x() + 4, mid.y() - 8, 7.5 * len(self.label) + 8, 16)

    def _label_rect(self) -> QRectF:
        return self._label_box

    def boundingRect(self) -> QRectF:  # noqa: N802
        rect = super().boundingRect().adjusted(-4, -4, 4, 4)
        return rect.united(self._label_rect()) if self.label else rect

    def shape(self) -> QPainterPath:
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        colours = theme.canvas_colours()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        marked = self.isSelected() or self.drop_target
        colour = theme.SELECT_COLOUR if marked else colours["edge"]
        lod = level_of_detail(painter, option)
        width = 4.0 if self.drop_target else 2.4 if marked else 1.6
        painter.setPen(QPen(colour, width * max(1.0, 0.8 / max(lod, 0.05))))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.label and self._long and detailed(lod):
            painter.setFont(font(TEXT_PX, False, painter.font()))
            painter.setPen(colours["muted"])
            painter.drawText(self._label_rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.label)


from netbuilder.ui.canvas.groups import GroupItem  # noqa: E402, F401  (re-exported)
