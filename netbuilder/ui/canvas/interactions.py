"""Canvas gestures, one small class each: connect two ports, record a move at release.

A gesture only reads items and returns an intent; the scene hands it to the Document.
(Rubber-band selection is QGraphicsView's own drag mode, set up in view.py.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from netbuilder.ui import theme
from netbuilder.ui.canvas.items import NodeItem, PortItem

if TYPE_CHECKING:
    from netbuilder.ui.canvas.scene import GraphScene


class ConnectGesture:
    """Drag from an output port; release over an input port (or a node: its first free input)."""

    def __init__(self, scene: GraphScene, port: PortItem) -> None:
        self.scene, self.source = scene, port
        self.line = QGraphicsPathItem()
        pen = QPen(theme.SELECT_COLOUR, 1.8, Qt.PenStyle.DashLine)
        self.line.setPen(pen)
        self.line.setZValue(10)
        scene.addItem(self.line)
        self.move(port.scenePos())

    def move(self, pos: QPointF) -> None:
        a = self.source.scenePos()
        path = QPainterPath(a)
        if self.scene.horizontal:
            d = max(30.0, abs(pos.x() - a.x()) / 2)
            path.cubicTo(QPointF(a.x() + d, a.y()), QPointF(pos.x() - d, pos.y()), pos)
        else:
            d = max(30.0, abs(pos.y() - a.y()) / 2)
            path.cubicTo(QPointF(a.x(), a.y() + d), QPointF(pos.x(), pos.y() - d), pos)
        self.line.setPath(path)

    def finish(self, pos: QPointF) -> tuple[str, str, int | None] | str | None:
        """``(src, dst, port)`` for the document (port None = first free input); a sentence when the drop
        cannot be a connection (onto the layer itself, onto an Input); None when dropped on nothing."""
        self.scene.removeItem(self.line)
        src = self.source.node.node_id
        for item in self.scene.items(pos):
            if isinstance(item, PortItem) and not item.is_output and item.node.node_id != src:
                return src, item.node.node_id, item.index
        for item in self.scene.items(pos):
            if isinstance(item, NodeItem) and item.node_id != src and item.in_ports:
                return src, item.node_id, None
        for item in self.scene.items(pos):
            node = item if isinstance(item, NodeItem) else getattr(item, "node", None)
            if isinstance(node, NodeItem):
                if node.node_id == src:
                    return f"{src} cannot feed itself: data flows one way, from the Input to the Output"
                return f"{node.node_id} takes no input: an {node.title} starts the network (connect its output)"
        return None


def port_at(scene: GraphScene, pos: QPointF, outputs_only: bool = True) -> PortItem | None:
    for item in scene.items(pos):
        if isinstance(item, PortItem) and item.isVisible() and (item.is_output or not outputs_only):
            return item
    return None


def moved_positions(scene: GraphScene) -> dict[str, tuple[float, float]]:
    """Items whose position differs from the model after a drag: recorded as one MoveNodes."""
    out: dict[str, tuple[float, float]] = {}
    for node_id, item in scene.nodes.items():
        model = scene.graph.node(node_id).pos
        pos = (round(item.pos().x(), 1), round(item.pos().y(), 1))
        if abs(pos[0] - model[0]) > 0.05 or abs(pos[1] - model[1]) > 0.05:
            out[node_id] = pos
    return out
