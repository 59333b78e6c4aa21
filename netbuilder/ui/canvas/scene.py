"""The canvas scene: one item per node, edge and group, kept in step with the graph's events.

It never writes the graph: gestures become Document intents (connect, move at release, delete,
collapse). Refused intents (a cycle, a taken port) are reported through ``message_reported``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from netbuilder.analysis.result import Analysis
from netbuilder.choices import frozen_ids
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Edge, GraphEvent
from netbuilder.ui import theme
from netbuilder.ui.canvas.badges import worst_health
from netbuilder.ui.canvas.groups import GroupItem
from netbuilder.ui.canvas.interactions import ConnectGesture, moved_positions, port_at
from netbuilder.ui.canvas.items import EdgeItem, NodeItem, shape_text
from netbuilder.ui.canvas.routing import BoxIndex
from netbuilder.ui.document import Document
from netbuilder.ui.layout import NODE_H, NODE_W

REROUTE_MS = 60  # after the last move: the other connections go round the boxes where they are now


class GraphScene(QGraphicsScene):
    message_reported = Signal(str)
    content_changed = Signal()  # the drawing changed (graph, analysis, health): the minimap redraws
    group_toggled = Signal(str)  # a group was collapsed or expanded by a gesture: the view follows it
    reveal = Signal(QRectF)  # layers just added and selected (appended, spliced, pasted): the view shows them

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.graph = document.graph
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self.groups: dict[str, GroupItem] = {}
        self._by_node: dict[str, set[Edge]] = {}
        self._member_group: dict[str, str] = {}
        self._gesture: ConnectGesture | None = None
        self._syncing = False
        self._boxes: BoxIndex | None = None  # the boxes connections go round (``boxes_in``)
        self._reroute = QTimer(self)  # (after a move, a layout, an expanded group: ``reroute``)
        self._reroute.setSingleShot(True)
        self._reroute.setInterval(REROUTE_MS)
        self._reroute.timeout.connect(self.reroute)
        self._added: set[str] = set()  # layers added since the last selection from the document
        self.show_grid = True
        self.horizontal = document.direction == "LR"
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.rebuild()
        self._unsubscribe = self.graph.subscribe(self._on_event)
        self.destroyed.connect(lambda *_a, u=self._unsubscribe: u())
        document.analysis_updated.connect(self.apply_analysis)
        document.selection_changed.connect(self._select_from_document)
        document.changed.connect(self._check_direction)
        self.selectionChanged.connect(self._selection_to_document)
        document.design_field_changed.connect(self._field_changed)
        document.design_replaced.connect(self.clear_health)

    def detach(self) -> None:
        self._unsubscribe()

    # ----- mirror the model ------------------------------------------------------------
    def rebuild(self, analysed: bool = True) -> None:
        """Make every item again. ``analysed=False``: the document's analysis is the previous design's (a
        design is being opened; its own analysis follows at once and is applied then)."""
        self._syncing = True
        self.clear()
        self.nodes, self.edges, self.groups, self._by_node = {}, {}, {}, {}
        self._index_groups()
        for node_id in self.graph.nodes:
            self._add_node(node_id)
        for edge in self.graph.edges:
            self._add_edge(edge, refresh=False)  # routed once, below (collapsed groups change the ends)
        for group_id in self.graph.groups:
            self._add_group(group_id, refresh=False)
        self._syncing = False
        self._refresh_visibility()
        if analysed:
            self.apply_analysis(self.document.analysis)
        self.refresh_frozen()
        self.content_changed.emit()

    def _add_node(self, node_id: str) -> None:
        item = NodeItem(self, node_id)
        item.frozen = node_id in frozen_ids(self.document.design.training)
        self.nodes[node_id] = item
        item.setPos(QPointF(*self.graph.node(node_id).pos))  # placed before it is in the scene: cheaper
        self.addItem(item)

    def _add_edge(self, edge: Edge, refresh: bool = True) -> None:
        item = EdgeItem(self, edge, routed=refresh)
        self.edges[edge] = item
        self._by_node.setdefault(edge.src, set()).add(edge)
        self._by_node.setdefault(edge.dst, set()).add(edge)
        self.addItem(item)
        if refresh:
            self._refresh_edge(edge)

    def _remove_edge(self, edge: Edge) -> None:
        self.removeItem(self.edges.pop(edge))
        for n in (edge.src, edge.dst):
            self._by_node.get(n, set()).discard(edge)

    def _add_group(self, group_id: str, refresh: bool = True) -> None:
        item = GroupItem(self, group_id)
        self.groups[group_id] = item
        self.addItem(item)
        item.set_info(*self._group_info(group_id, self.document.analysis))
        item.refresh()
        if refresh:
            self._group_marks(group_id)
            self._refresh_visibility()

    def _on_event(self, event: GraphEvent) -> None:
        kind = event.kind
        if kind != "node_moved":  # (moves: ``reroute`` once they stop, as the boxes stand then)
            self._boxes = None
        if kind == "reset":  # Document.set_design: the new design's analysis comes next
            self.rebuild(analysed=False)
        elif kind == "node_added":
            self._add_node(event.node_id)
            self._added.add(event.node_id)
        elif kind == "node_removed":
            self.removeItem(self.nodes.pop(event.node_id))
        elif kind == "edge_added":
            self._add_edge(event.edge)
            self._sync_node(event.edge.dst)
        elif kind == "edge_removed":
            self._remove_edge(event.edge)
            self._sync_node(event.edge.dst)
        elif kind == "param_changed":
            self._sync_node(event.node_id)
        elif kind == "node_moved":
            self.nodes[event.node_id].setPos(QPointF(*self.graph.node(event.node_id).pos))
        elif kind == "group_added":
            self._index_groups()
            self._add_group(event.group_id)
        elif kind == "group_removed":
            self._index_groups()
            self.removeItem(self.groups.pop(event.group_id))
            self._refresh_visibility()
        elif kind == "group_changed":
            self._index_groups()
            self.groups[event.group_id].refresh()
            self._refresh_visibility()
        self.content_changed.emit()

    def _sync_node(self, node_id: str) -> None:
        if node_id in self.nodes:
            self.nodes[node_id].sync()
            self.node_item_moved(node_id)

    def _refresh_edge(self, edge: Edge, collapsed: dict[str, str] | None = None) -> None:
        if collapsed is None:
            collapsed = self._collapsed_members()
        group = collapsed.get(edge.src)
        item = self.edges[edge]
        item.setVisible(not (group is not None and collapsed.get(edge.dst) == group))
        item.update_path()

    def _collapsed_members(self) -> dict[str, str]:
        return {n: g.id for g in self.graph.groups.values() if g.collapsed for n in g.nodes}

    def _refresh_visibility(self) -> None:
        self._boxes = None
        collapsed = self._collapsed_members()
        for node_id, item in self.nodes.items():
            item.setVisible(node_id not in collapsed)
        for edge in self.edges:
            self._refresh_edge(edge, collapsed)

    def _check_direction(self) -> None:
        horizontal = self.document.direction == "LR"
        if horizontal != self.horizontal:
            self.horizontal, self._boxes = horizontal, None
            for item in self.nodes.values():
                item.place_ports()
            for item in self.edges.values():
                item.update_path()

    def apply_analysis(self, analysis: Analysis) -> None:
        problems: dict[str, list] = {}
        for d in analysis.diagnostics:
            if d.node_id:
                problems.setdefault(d.node_id, []).append(d)
        for node_id, item in self.nodes.items():
            info = analysis.nodes.get(node_id)
            item.set_info(info.shape if info else None, problems.get(node_id, []))
        labels: dict[str, str] = {}  # one text per source node (a node's output feeds several edges)
        for edge, item in self.edges.items():
            label = labels.get(edge.src)
            if label is None:
                info = analysis.nodes.get(edge.src)
                label = labels[edge.src] = shape_text(info.shape) if info and info.shape is not None else ""
            item.set_label(label)
        for group_id, item in self.groups.items():
            item.set_info(*self._group_info(group_id, analysis))
        self._group_marks()  # (which layers have weights: this analysis says)
        self.content_changed.emit()

    # ----- frozen layers and training health --------------------------------------------------
    def _field_changed(self, name: str) -> None:
        if name == "training":
            self.refresh_frozen()

    def refresh_frozen(self) -> None:
        frozen = set(frozen_ids(self.document.design.training))
        for node_id, item in self.nodes.items():
            item.set_frozen(node_id in frozen)
        self._group_marks()

    def _group_marks(self, only: str | None = None) -> None:
        """Each group (or the group ``only``) wears its layers' marks: locked when every layer in it with
        weights is; the worst health among them (a collapsed ResNet block showed neither)."""
        nodes = self.document.analysis.nodes
        for group_id, item in ([(only, self.groups[only])] if only is not None else self.groups.items()):
            members = [self.nodes[n] for n in self.graph.groups[group_id].nodes if n in self.nodes]
            weighted = [m for m in members if m.node_id in nodes and nodes[m.node_id].params > 0]
            item.set_marks((sum(m.frozen for m in weighted), len(weighted)), worst_health(m.health for m in members))

    def set_health(self, health: dict[str, tuple[str, str]]) -> None:
        """Colour nodes by training health: ``{node_id: (level ok|warn|bad, badge text)}``; others plain."""
        for node_id, item in self.nodes.items():
            item.set_health(health.get(node_id))
        self._group_marks()
        self.content_changed.emit()

    def clear_health(self) -> None:
        self.set_health({})

    def _group_info(self, group_id: str, analysis: Analysis) -> tuple[int, tuple | None, tuple | None]:
        """The group's parameters, the shape that enters it and the shape that leaves it."""
        members = self.graph.groups[group_id].nodes
        inside = set(members)
        params = sum(analysis.nodes[n].params for n in members if n in analysis.nodes)

        def shape(node_id: str) -> tuple | None:
            info = analysis.nodes.get(node_id)
            return tuple(info.shape) if info is not None and info.shape is not None else None

        touching = self._by_node  # edges by node: no scan of the whole graph per group
        entering = [e.src for n in members for e in sorted(touching.get(n, ()), key=lambda e: e.port)
                    if e.dst == n and e.src not in inside]
        leaving = [n for n in members if any(e.src == n and e.dst not in inside for e in touching.get(n, ()))]
        last = leaving[-1] if leaving else (members[-1] if members else None)
        return params, shape(entering[0]) if entering else None, shape(last) if last else None

    # ----- geometry for edges --------------------------------------------------------------
    def _index_groups(self) -> None:
        self._member_group = {n: g.id for g in self.graph.groups.values() for n in g.nodes}

    def _collapsed_group(self, node_id: str) -> GroupItem | None:
        item = self.groups.get(self._member_group.get(node_id, ""))
        return item if item is not None and item.group.collapsed else None

    def anchor_out(self, node_id: str) -> QPointF:
        if g := self._collapsed_group(node_id):
            r = g.rect
            return QPointF(r.right(), r.center().y()) if self.horizontal else QPointF(r.center().x(), r.bottom())
        return self.nodes[node_id].port_pos(-1)

    def anchor_in(self, node_id: str, port: int) -> QPointF:
        if g := self._collapsed_group(node_id):
            r = g.rect
            return QPointF(r.left(), r.center().y()) if self.horizontal else QPointF(r.center().x(), r.top())
        return self.nodes[node_id].port_pos(port)

    def boxes_in(self, rect: QRectF, ends: tuple[str, str]) -> list[QRectF]:
        """The boxes drawn in ``rect`` (visible nodes, collapsed groups) other than the two nodes ``ends``
        that a connection joins, or the collapsed groups holding them: what a connection goes round."""
        if self._boxes is None:  # (made again after anything moved, opened or closed)
            self._boxes = BoxIndex(((i.sceneBoundingRect(), getattr(i, "node_id", None) or i.group_id)
                                    for i in self.visible_boxes()), self.horizontal)
        return self._boxes.in_rect(rect, {*ends, *(self._member_group.get(n, "") for n in ends)})

    def reroute(self) -> None:
        """Route every connection again (``_reroute``, once the boxes stop moving): one whose ends did not
        move may have a box moved into, or out of, its way."""
        self._boxes = None
        for item in self.edges.values():
            if item.isVisible():
                item.update_path()

    def node_item_moved(self, node_id: str) -> None:
        if self._syncing:
            return
        self._reroute.start()  # (its own connections now, round the boxes as they stood: the others' later)
        touched = {node_id}
        if (group_id := self._member_group.get(node_id)) in self.groups:
            group = self.groups[group_id]
            group.refresh()  # before the edges: a collapsed group's box is where they attach
            if group.group.collapsed:
                touched.update(group.group.nodes)
        for n in touched:
            for edge in self._by_node.get(n, ()):
                if self.edges[edge].isVisible():  # (one inside a collapsed group: routed when it opens)
                    self.edges[edge].update_path()

    def visible_boxes(self) -> list[NodeItem | GroupItem]:
        """What the canvas shows as boxes: visible nodes and collapsed groups."""
        return [i for i in self.nodes.values() if i.isVisible()] + [
            g for g in self.groups.values() if g.group.collapsed and g.isVisible() and not g.rect.isNull()]

    def items_rect(self) -> QRectF:
        rect = QRectF()
        for item in [*self.nodes.values(), *self.groups.values()]:
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        return rect if not rect.isNull() else QRectF(-NODE_W, -NODE_H, 2 * NODE_W, 2 * NODE_H)

    # ----- selection -------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        ids = [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]
        for item in self.selectedItems():
            if isinstance(item, GroupItem) and item.group.collapsed:
                ids += item.group.nodes
        return [n for n in self.graph.nodes if n in set(ids)]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def _selection_to_document(self) -> None:
        if not self._syncing:
            self.document.select(self.selected_node_ids())

    def _select_from_document(self, ids: list[str]) -> None:
        """Select ``ids`` as the document did; when they are layers it has just added (a double-click in
        the palette, a drop on a connection, a paste, a lesson's Show me), ask the view to show them: a
        layer appended at the end of a long column was added out of sight."""
        added, self._added = self._added, set()
        if ids and set(ids) <= added:
            items = [self.nodes[n] for n in ids if n in self.nodes and self.nodes[n].isVisible()]
            if items:
                rect = items[0].sceneBoundingRect()
                for item in items[1:]:
                    rect = rect.united(item.sceneBoundingRect())
                self.reveal.emit(rect)
        if set(ids) == set(self.selected_node_ids()):
            return
        self._syncing = True
        try:
            self.clearSelection()
            for node_id in ids:
                group = self.graph.group_of(node_id)
                if group is not None and group.collapsed and group.id in self.groups:
                    self.groups[group.id].setSelected(True)  # a layer inside a collapsed box: the box
                elif node_id in self.nodes:
                    self.nodes[node_id].setSelected(True)
        finally:
            self._syncing = False

    # ----- gestures --------------------------------------------------------------------
    def toggle_group(self, group_id: str) -> None:
        """Collapse or expand (the Document lays the design out again); the view follows the group, and
        it stays selected (the box, or its layers), so the same key toggles it back."""
        members = list(self.graph.groups[group_id].nodes)
        if self.document.set_collapsed(group_id, not self.graph.groups[group_id].collapsed):
            self.document.select([])  # (the hidden layers lost their selection: select anew)
            self.document.select(members)
            self.group_toggled.emit(group_id)

    def _try(self, intent, *args) -> None:
        try:
            intent(*args)
        except NetbuilderError as e:
            self.message_reported.emit(str(e))

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        from PySide6.QtCore import Qt

        if event.button() == Qt.MouseButton.LeftButton and (port := port_at(self, event.scenePos())):
            self._gesture = ConnectGesture(self, port)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._gesture:
            self._gesture.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._gesture:
            gesture, self._gesture = self._gesture, None
            target = gesture.finish(event.scenePos())
            if isinstance(target, str):  # a drop that cannot be a connection: say why
                self.message_reported.emit(target)
            elif target:
                self._try(self.document.connect_nodes, *target)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if moved := moved_positions(self):
            self.document.move(moved)

    def drawBackground(self, painter, rect: QRectF) -> None:  # noqa: N802
        colours = theme.canvas_colours()
        painter.fillRect(rect, colours["background"])
        step = 96.0
        if not self.show_grid or max(rect.width(), rect.height()) / step > 60:
            return  # zoomed far out: no grid
        painter.setPen(QColor(colours["grid"]))
        left, top = int(rect.left() // step) * step, int(rect.top() // step) * step
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step
