"""The canvas view: zoom (wheel / ctrl+wheel), pan (middle button or space-drag), fit, drops, minimap.

``fit`` shows the whole design, but for designs of up to ``FIT_MAX_BOXES`` visible boxes it never
zooms out past the zoom at which every box's name reads (``zoom.FIT_MIN_ZOOM``): it shows the start
of the design instead and the rest is a scroll (or a click on the minimap) away.

Keys (the canvas has focus): F fits, Esc lets go of the selection, arrows (Shift: further) move the
selected layers, Alt+arrows select the nearest layer in that direction (``select_toward``; with nothing
selected, the design's first layer): along the design that is the next or the previous layer, across it
a parallel branch. Tab leaves the canvas as anywhere else.

A layer dragged from the palette (MIME ``LAYER_MIME`` carrying its kind) is added at the drop
point; dropped on a connection (which is drawn marked while the layer is over it), it goes into it,
between the two layers it joined (``Document.insert_on_edge``). Design files dropped here are handed on through ``files_dropped``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from netbuilder.errors import NetbuilderError
from netbuilder.layers import has_kind
from netbuilder.ui.canvas.items import EdgeItem, GroupItem, NodeItem
from netbuilder.ui.canvas.minimap import Minimap
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.zoom import FIT_MAX_BOXES, FIT_MIN_ZOOM
from netbuilder.ui.intents import splices

LAYER_MIME = "application/x-netbuilder-layer"
MIN_ZOOM, MAX_ZOOM = 0.05, 4.0
REVEAL_MARGIN = 40  # screen pixels left around a layer just added when the view scrolls to show it
SPLICE_PX = 8  # how near (screen pixels) a dragged layer must come to a connection to go into it


NUDGE = 20.0  # px an arrow key moves the selected layers
ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}

class GraphView(QGraphicsView):
    files_dropped = Signal(list)

    def __init__(self, scene: GraphScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.graph_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # a thin frame while the canvas has the keyboard: what Tab shows (it had no focus mark of its own)
        self.setObjectName("canvas")
        self.setStyleSheet("#canvas { border: 2px solid transparent; } "
                           "#canvas:focus { border: 2px solid palette(highlight); }")
        self._space = False
        self._pan_from: QPointF | None = None
        self._splice: EdgeItem | None = None  # the connection a dragged layer is over (drawn marked)
        self._as_fitted: tuple | None = None  # the zoom and scroll fit left (None: none yet)
        self.minimap = Minimap(self)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(self.minimap.reposition)
        scene.group_toggled.connect(lambda gid: QTimer.singleShot(0, lambda: self.follow_group(gid)))
        scene.reveal.connect(lambda rect: self.ensureVisible(rect, REVEAL_MARGIN, REVEAL_MARGIN))

    # ----- zoom and fit -----------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        factor = target / self.zoom()
        self.scale(factor, factor)
        self.minimap.reposition()

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """A view nobody has zoomed or scrolled since it was fitted is fitted again for its new size (the
        docks take their room after the window opens; a dock is widened); any other keeps its place."""
        fitted = self._as_fitted is not None and self._as_fitted == self._place()
        super().resizeEvent(event)
        self.minimap.reposition()
        if fitted:
            self.fit()

    def _place(self) -> tuple:
        return (self.transform(), self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015 ** delta)
        event.accept()

    def fit(self) -> None:
        """Show the whole design, at most at 100 %; with up to FIT_MAX_BOXES boxes never below the
        legible zoom: then the start of the design (its top, or its left side in LR) is shown."""
        scene = self.graph_scene
        rect = scene.items_rect().adjusted(-40, -40, 40, 40)
        self.setSceneRect(rect.united(scene.itemsBoundingRect()).adjusted(-2000, -2000, 2000, 2000))
        view = self.viewport().rect()
        whole = min(view.width() / max(rect.width(), 1.0), view.height() / max(rect.height(), 1.0))
        zoom = min(1.0, whole)
        if len(scene.visible_boxes()) <= FIT_MAX_BOXES:
            zoom = max(zoom, FIT_MIN_ZOOM)
        self.setTransform(QTransform.fromScale(zoom, zoom))
        if zoom <= whole:
            self.centerOn(rect.center())
        else:
            self.centerOn(self._start_point(rect, view.width() / zoom, view.height() / zoom))
        self.minimap.reposition()
        self._as_fitted = self._place()

    def _start_point(self, rect: QRectF, width: float, height: float) -> QPointF:
        """The centre that shows the design's beginning: its sources at the top (TB) or left (LR)."""
        boxes = [b.sceneBoundingRect() for b in self.graph_scene.visible_boxes()]
        if self.graph_scene.horizontal:
            first = min(boxes, key=lambda r: (r.left(), r.top()), default=rect)
            y = rect.center().y() if rect.height() <= height else first.center().y()
            return QPointF(rect.left() + width / 2, y)
        first = min(boxes, key=lambda r: (r.top(), r.left()), default=rect)
        x = rect.center().x() if rect.width() <= width else first.center().x()
        return QPointF(x, rect.top() + height / 2)

    def follow_group(self, group_id: str) -> None:
        """After a gesture collapsed or expanded a group: keep it (its box, or its frame's top) in view."""
        item = self.graph_scene.groups.get(group_id)
        if item is None or item.rect.isNull():
            return
        rect = item.rect
        if not item.group.collapsed and rect.height() > self.visible_scene_rect().height():
            rect = QRectF(rect.left(), rect.top(), rect.width(), self.visible_scene_rect().height() * 0.8)
        self.ensureVisible(rect, 30, 30)
        self.minimap.reposition()

    def center_on_node(self, node_id: str) -> None:
        """Show ``node_id`` (a problem's layer, say): a collapsed group holding it opens first."""
        scene = self.graph_scene
        group = scene.graph.group_of(node_id)
        if group is not None and group.collapsed and scene.document.set_collapsed(group.id, False):
            scene.document.select([])  # (selected already, but hidden: the shown layer is selected anew)
            scene.document.select([node_id])
        item = scene.nodes.get(node_id)
        if item is not None:
            self.ensureVisible(QRectF(item.sceneBoundingRect()), 60, 60)
            self.centerOn(item)

    # ----- pan: middle button, or space held ----------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        alt = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.AltModifier
        if alt and event.key() in ARROWS:  # go to the nearest layer that way (the keyboard's way to select)
            self.select_toward(ARROWS[event.key()])
            event.accept()
            return
        if plain and event.key() == Qt.Key.Key_F:  # frame the whole design, as node editors do
            self.fit()
            event.accept()
            return
        if plain and event.key() == Qt.Key.Key_Escape:  # let go of the selection
            self.graph_scene.document.select([])
            event.accept()
            return
        step = ARROWS.get(event.key())
        shift = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.ShiftModifier
        if step is not None and (plain or shift) and self._nudge(step, 4 if shift else 1):
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setInteractive(False)  # items ignore the mouse while space pans
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            event.accept()
            return
        super().keyPressEvent(event)

    def _nudge(self, step: tuple[int, int], times: int) -> bool:
        """Arrow keys move the selected layers (Shift: four times as far), one undo step a press; without a
        selection they scroll, as before."""
        doc = self.graph_scene.document
        if not doc.selection:
            return False
        dx, dy = step[0] * NUDGE * times, step[1] * NUDGE * times
        return doc.move({n: (doc.graph.node(n).pos[0] + dx, doc.graph.node(n).pos[1] + dy) for n in doc.selection})

    def select_toward(self, step: tuple[int, int]) -> bool:
        """Select the box (a layer, or a collapsed group) nearest to the selected one in direction ``step``,
        preferring one straight that way; with nothing selected, the design's first layer. False (and
        the selection kept) when there is none that way."""
        scene, doc = self.graph_scene, self.graph_scene.document
        boxes = scene.visible_boxes()
        current = self._box_of(doc.selection[-1]) if doc.selection else None
        if current is None:
            order = {n: i for i, n in enumerate(doc.graph.topological_order())}
            target = min(boxes, key=lambda b: min((order.get(n, len(order)) for n in self._ids_of(b)),
                                                  default=len(order)), default=None)
        else:
            here = self._rect_of(current).center()
            best: tuple[bool, float] | None = None
            target = None
            for box in boxes:
                if box is current:
                    continue
                d = self._rect_of(box).center() - here
                along = d.x() * step[0] + d.y() * step[1]
                across = abs(d.x() * step[1] - d.y() * step[0])
                if along <= 1.0:
                    continue
                score = (across > along, along + 2 * across)  # first those within 45° of the direction
                if best is None or score < best:
                    best, target = score, box
        if target is None:
            return False
        doc.select(self._ids_of(target))
        self.ensureVisible(self._rect_of(target), 40, 40)
        self.minimap.reposition()
        return True

    def _box_of(self, node_id: str) -> NodeItem | GroupItem | None:
        """The box showing ``node_id``: its own, or its collapsed group's."""
        scene = self.graph_scene
        group = scene.graph.group_of(node_id) if node_id in scene.graph else None
        if group is not None and group.collapsed and group.id in scene.groups:
            return scene.groups[group.id]
        return scene.nodes.get(node_id)

    @staticmethod
    def _rect_of(box: NodeItem | GroupItem) -> QRectF:
        return QRectF(box.rect) if isinstance(box, GroupItem) else box.sceneBoundingRect()

    @staticmethod
    def _ids_of(box: NodeItem | GroupItem) -> list[str]:
        return list(box.group.nodes) if isinstance(box, GroupItem) else [box.node_id]

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setInteractive(True)
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ----- drops ------------------------------------------------------------------------
    def _accepts(self, event) -> bool:
        mime = event.mimeData()
        return mime.hasFormat(LAYER_MIME) or mime.hasUrls()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if self._accepts(event):
            self._mark_splice(self._splice_target(event))
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._mark_splice(None)
        super().dragLeaveEvent(event)

    def _splice_target(self, event) -> EdgeItem | None:
        """The connection a dragged layer would go into: one within ``SPLICE_PX`` of the pointer, when
        the pointer is not over a layer and the layer can go between two (not an Input or an Output)."""
        mime = event.mimeData()
        if not mime.hasFormat(LAYER_MIME):
            return None
        kind = bytes(mime.data(LAYER_MIME).data()).decode()
        if not has_kind(kind) or not splices(kind):
            return None
        p = event.position().toPoint()
        area = self.mapToScene(QRect(p.x() - SPLICE_PX, p.y() - SPLICE_PX, 2 * SPLICE_PX, 2 * SPLICE_PX))
        items = [i for i in self.graph_scene.items(area) if i.isVisible()]
        point = self.mapToScene(p)
        if any(isinstance(i, NodeItem | GroupItem) and i.sceneBoundingRect().contains(point) for i in items):
            return None
        return next((i for i in items if isinstance(i, EdgeItem)), None)

    def _mark_splice(self, item: EdgeItem | None) -> None:
        if item is not self._splice:
            for edge_item in (self._splice, item):
                if edge_item is not None:
                    edge_item.set_drop_target(edge_item is item)
            self._splice = item

    def dropEvent(self, event) -> None:  # noqa: N802
        mime = event.mimeData()
        target = self._splice_target(event)
        self._mark_splice(None)
        if mime.hasFormat(LAYER_MIME):
            kind = bytes(mime.data(LAYER_MIME).data()).decode()
            pos = self.mapToScene(event.position().toPoint())
            try:
                if target is not None:
                    self.graph_scene.document.insert_on_edge(kind, target.edge)
                else:
                    self.graph_scene.document.add_node(kind, (round(pos.x(), 1), round(pos.y(), 1)))
            except NetbuilderError as e:
                self.graph_scene.message_reported.emit(str(e))
            event.acceptProposedAction()
        elif mime.hasUrls():
            self.files_dropped.emit([u.toLocalFile() for u in mime.urls() if u.isLocalFile()])
            event.acceptProposedAction()
        else:
            event.ignore()
