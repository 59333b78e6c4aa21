"""GroupItem: a group drawn as a frame around its members (expanded) or as one box (collapsed).

A collapsed group is a stack of cards at the centre of its members, reading e.g. "residual block ·
64→128 · 230k params"; double-clicking it expands it (and the Document lays the design out again). It
wears its layers' marks (badges.py): the worst training health among them, and the hatching and lock
when every layer in it with weights is locked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from netbuilder.graph import Group
from netbuilder.ui import theme
from netbuilder.ui.canvas.badges import Health, beside_badge, health_badge, lock_room, paint_marks
from netbuilder.ui.canvas.zoom import (
    BLOCK_ZOOM,
    SUB_PX,
    TEXT_PX,
    TITLE_PX,
    big_px,
    detailed,
    elided,
    font,
    human,
    level_of_detail,
    shape_text,
)
from netbuilder.ui.layout import FRAME_AFTER, FRAME_BEFORE, GROUP_W, NODE_H, NODE_W

if TYPE_CHECKING:
    from netbuilder.ui.canvas.scene import GraphScene

STACK = 4.0  # offset of the cards drawn behind a collapsed group


def flow_text(shape_in: tuple[int, ...] | None, shape_out: tuple[int, ...] | None) -> str:
    """``64→128`` (channels of image tensors), else ``784→10`` or ``3×32×32→10``; "" when unknown."""
    if shape_in is None or shape_out is None:
        return ""
    if len(shape_in) == len(shape_out) and len(shape_in) in (1, 3):
        return f"{shape_in[0]}→{shape_out[0]}"
    return f"{shape_text(shape_in)}→{shape_text(shape_out)}"


class GroupItem(QGraphicsItem):
    """A group: a frame around its members (expanded) or one box with name and totals (collapsed)."""

    def __init__(self, scene: GraphScene, group_id: str) -> None:
        super().__init__()
        self.graph_scene, self.group_id = scene, group_id
        self.rect = QRectF()
        self.params = 0
        self.shape_in: tuple[int, ...] | None = None
        self.shape_out: tuple[int, ...] | None = None
        self.frozen = False  # every layer in it with weights is locked
        self.locked: tuple[int, int] = (0, 0)  # (layers with weights locked, layers with weights); (0, 0): none
        self.health: Health | None = None  # the worst health among its layers
        self.setZValue(-1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip("double-click to collapse or expand")

    @property
    def group(self) -> Group:
        return self.graph_scene.graph.groups[self.group_id]

    @property
    def width(self) -> float:
        """A collapsed box is wider than a node top to bottom (its name is longer), as wide in LR."""
        return NODE_W if self.graph_scene.horizontal else GROUP_W

    def summary(self) -> str:
        """``64→128 · 230k params`` (what flows through, and the weights inside)."""
        flow = flow_text(self.shape_in, self.shape_out)
        return " · ".join(t for t in (flow, f"{human(self.params)} params") if t)

    def refresh(self) -> None:
        group = self.group
        items = [self.graph_scene.nodes[n] for n in group.nodes if n in self.graph_scene.nodes]
        self.prepareGeometryChange()
        if not items:
            self.rect = QRectF()
        elif group.collapsed:  # at the centre of the members' box (where the layout put the group)
            xs, ys = [i.pos().x() for i in items], [i.pos().y() for i in items]
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            self.rect = QRectF(cx - self.width / 2, cy - NODE_H / 2, self.width, NODE_H)
        else:
            rect = items[0].sceneBoundingRect()
            for item in items[1:]:
                rect = rect.united(item.sceneBoundingRect())
            self.rect = rect.adjusted(-14, -FRAME_BEFORE + 2, 14, FRAME_AFTER - 2)
        self.setZValue(3 if group.collapsed else -1)
        self._tooltip()
        self.update()

    def _tooltip(self) -> None:
        group = self.group
        marks = []
        if self.locked:
            marks.append(f"{self.locked[0]} of its {self.locked[1]} layers with weights locked")
        if self.health is not None:
            marks.append(f"training health: {self.health[1] or self.health[0]} at worst")
        self.setToolTip(f"{group.name} ({self.group_id}): {len(group.nodes)} layers · {self.summary()}\n"
                        + "".join(f"{m}\n" for m in marks)
                        + ("double-click to open" if group.collapsed else "double-click the frame to collapse"))

    def set_marks(self, locked: tuple[int, int], health: Health | None) -> None:
        """What its layers wear (drawn while collapsed): ``locked`` = (layers with weights locked, layers
        with weights), the group locked when that is all of them; the worst health among them."""
        frozen = locked[1] > 0 and locked[0] == locked[1]
        locked = locked if locked[0] else (0, 0)
        if (frozen, health, locked) != (self.frozen, self.health, self.locked):
            self.frozen, self.health, self.locked = frozen, health, locked
            self._tooltip()
            self.update()

    def set_info(self, params: int, shape_in: tuple[int, ...] | None, shape_out: tuple[int, ...] | None) -> None:
        if (params, shape_in, shape_out) != (self.params, self.shape_in, self.shape_out):
            self.params, self.shape_in, self.shape_out = params, shape_in, shape_out
            self.refresh()

    def text_px(self, zoom: float) -> float:
        """The smallest text a collapsed group draws at ``zoom`` (scene units)."""
        if detailed(zoom):
            return TEXT_PX
        return min(big_px(self.group.name, self.width - 18), SUB_PX)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect.adjusted(-2, -2, 2 + 2 * STACK, 2 + 2 * STACK)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        colours = theme.canvas_colours()
        lod = level_of_detail(painter, option)
        accent = theme.category_colour("merge")
        pen = QPen(theme.SELECT_COLOUR if self.isSelected() else accent, 2 * max(1.0, 0.8 / max(lod, 0.05)))
        if self.group.collapsed and lod < BLOCK_ZOOM:  # too small to read: a stack of blocks
            behind = QColor(pen.color())
            behind.setAlpha(110)
            painter.fillRect(self.rect.translated(2 * STACK, 2 * STACK), behind)
            painter.fillRect(self.rect, pen.color())
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.group.collapsed:
            self._paint_collapsed(painter, lod, pen, colours)
        else:
            self._paint_frame(painter, lod, accent, colours)

    def _paint_collapsed(self, painter: QPainter, lod: float, pen: QPen, colours: dict) -> None:
        """Cards stacked behind (it holds several layers), then the name and the summary."""
        painter.setPen(QPen(pen.color(), pen.widthF() * 0.6))
        for k in (2, 1):
            painter.setBrush(colours["body"])
            painter.drawRoundedRect(self.rect.translated(k * STACK, k * STACK), 9, 9)
        painter.setPen(pen)
        painter.setBrush(colours["body"])
        painter.drawRoundedRect(self.rect, 9, 9)
        badge = health_badge(self.health, self.frozen, lod, self.rect)
        self._paint_text(painter, lod, colours, self.rect.right() - badge.rect.left() + 4 if badge else 0.0)
        paint_marks(painter, self.rect, lod, self.frozen, self.health, badge, radius=9)

    def _paint_text(self, painter: QPainter, lod: float, colours: dict, reserve: float) -> None:
        """The name, the id and the summary (close up), or the name and the flow (zoomed out); the bottom
        line leaves ``reserve`` at its right for the health badge."""
        group = self.group
        painter.setPen(colours["text"])
        if detailed(lod):
            inner = self.rect.adjusted(10, 5, -10, -5)
            title = font(TITLE_PX, True, painter.font())
            painter.setFont(title)
            painter.drawText(inner, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                             elided(f"▸ {group.name}", title, inner.width() - lock_room(self.frozen, lod)))
            small = font(TEXT_PX, False, painter.font())
            painter.setFont(small)
            painter.setPen(colours["muted"])
            painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             elided(f"{self.group_id} · {len(group.nodes)} layers", small, inner.width()))
            painter.setPen(colours["text"])
            line = inner.adjusted(0, 0, -max(0.0, reserve - 10), 0)
            painter.drawText(line, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
                             elided(self.summary(), small, line.width()))
            return
        inner = self.rect.adjusted(10, 3, -8, -3)
        name_width = inner.width() - lock_room(self.frozen, lod)
        name = font(big_px(group.name, name_width), True, painter.font())
        painter.setFont(name)
        top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * 0.56)
        painter.drawText(top, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         elided(group.name, name, name_width))
        sub = font(SUB_PX, False, painter.font())
        painter.setFont(sub)
        painter.setPen(colours["muted"])
        bottom = QRectF(inner.left(), top.bottom(), inner.width() - max(0.0, reserve - 8), inner.bottom() - top.bottom())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         beside_badge(self.summary().replace(" params", ""), sub, bottom.width(), reserve > 0))

    def _paint_frame(self, painter: QPainter, lod: float, accent: QColor, colours: dict) -> None:
        fill = QColor(accent)
        fill.setAlpha(22)
        painter.setPen(QPen(theme.SELECT_COLOUR if self.isSelected() else accent, 1.2, Qt.PenStyle.DashLine))
        painter.setBrush(fill)
        painter.drawRoundedRect(self.rect, 10, 10)
        painter.setPen(accent)
        label = font(TITLE_PX if detailed(lod) else SUB_PX, True, painter.font())
        painter.setFont(label)
        painter.drawText(self.rect.adjusted(10, 4, -10, 0), Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                         self.frame_title(label, self.rect.width() - 20))

    def frame_title(self, f, width: float) -> str:
        """The open frame's title in ``width``: name and summary; else the name whole; else the name cut in
        the middle, so that "convolution 1" and "convolution 2" stay told apart (both read "convolution …")."""
        name = f"▾ {self.group.name}"
        full = f"{name} · {self.summary()}"
        if elided(full, f, width) == full:
            return full
        return elided(name, f, width, middle=True)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        self.graph_scene.toggle_group(self.group_id)
        event.accept()
