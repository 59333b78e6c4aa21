"""A layer dropped on a connection goes into it, between the two layers it joined (as a node dropped on
a link in Blender's or Unreal's node editors): before, it was added unconnected on top of the connection,
which looked joined but was left out of the model."""

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragMoveEvent, QDropEvent

from netbuilder.graph import Edge
from netbuilder.io import load_design
from netbuilder.paths import resource
from netbuilder.ui import intents

pytestmark = pytest.mark.gui

EDGE = Edge("relu_1", "maxpool2d_1", 0)


def layer_mime(window, kind: str):
    palette = window.palette_view
    return palette.tree.mimeData([palette.items[kind]])


def over(window, scene_point: QPointF, kind: str, drop: bool = True) -> None:
    """Drag ``kind`` from the palette to ``scene_point`` (and drop it there)."""
    window.view.centerOn(scene_point)
    at = QPointF(window.view.mapFromScene(scene_point))
    args = (Qt.DropAction.CopyAction, layer_mime(window, kind), Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    window.view.dragMoveEvent(QDragMoveEvent(at.toPoint(), *args))
    if drop:
        window.view.dropEvent(QDropEvent(at, *args))


def middle_of(window, edge: Edge) -> QPointF:
    return window.scene.edges[edge].path().pointAtPercent(0.5)


def test_a_layer_dropped_on_a_connection_goes_into_it(window):
    doc, g = window.document, window.document.graph
    before = {n: g.node(n).pos for n in g.nodes}
    item = window.scene.edges[EDGE]
    over(window, middle_of(window, EDGE), "avgpool2d", drop=False)
    assert item.drop_target  # drawn marked while the layer is over it
    mime = layer_mime(window, "avgpool2d")  # kept: the event does not own it
    window.view.dropEvent(QDropEvent(QPointF(window.view.mapFromScene(middle_of(window, EDGE))),
                                     Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                     Qt.KeyboardModifier.NoModifier))
    assert not item.drop_target
    assert EDGE not in g.edges
    assert Edge("relu_1", "avgpool2d_1", 0) in g.edges and Edge("avgpool2d_1", "maxpool2d_1", 0) in g.edges
    assert doc.selection == ["avgpool2d_1"]
    assert doc.run_analysis().valid and "avgpool2d_1" in doc.run_analysis().on_path
    # the column keeps its rhythm: the new layer where maxpool2d_1 was, the layers from it on moved down by
    # the distance there was between relu_1 and maxpool2d_1
    apart = before["maxpool2d_1"][1] - before["relu_1"][1]
    assert apart >= intents.step("TB")[1]
    assert g.node("avgpool2d_1").pos == pytest.approx(before["maxpool2d_1"])
    assert g.node("maxpool2d_1").pos[1] == pytest.approx(before["maxpool2d_1"][1] + apart)
    assert g.node("output_1").pos[1] == pytest.approx(before["output_1"][1] + apart)
    assert g.node("input_1").pos == before["input_1"]
    assert doc.undo_stack.undoText() == "insert avgpool2d_1 between relu_1 and maxpool2d_1"
    doc.undo_stack.undo()  # one step takes it all back
    assert EDGE in g.edges and "avgpool2d_1" not in g and {n: g.node(n).pos for n in g.nodes} == before


def test_layers_that_cannot_go_between_two_are_added_where_dropped(window):
    g = window.document.graph
    over(window, middle_of(window, EDGE), "output", drop=False)
    assert not window.scene.edges[EDGE].drop_target
    over(window, middle_of(window, EDGE), "input")
    assert EDGE in g.edges and "input_2" in g and not g.incoming("input_2") and not g.outgoing("input_2")


def test_a_drop_on_a_layer_is_not_a_splice(window):
    """Over a layer's box (the connections run under it, to its ports), the drop adds a free layer."""
    g = window.document.graph
    over(window, QPointF(*g.node("relu_1").pos), "dropout")
    assert EDGE in g.edges and "dropout_1" in g and not g.incoming("dropout_1")


def test_room_is_made_only_when_there_is_none():
    graph = load_design(resource("examples", "digits_cnn.nbd")).graph
    step = intents.step("TB")[1]
    x, y = graph.node("relu_1").pos
    graph.set_pos("maxpool2d_1", (x, y + 3 * step))  # a gap left by a deleted layer
    after = {n: graph.node(n).pos for n in graph.nodes}
    edit, node_id = intents.insert_on_edge(graph, "avgpool2d", EDGE)
    edit.apply(graph)
    assert graph.node(node_id).pos == (x, y + 1.5 * step)  # in the middle of the gap
    assert all(graph.node(n).pos == p for n, p in after.items())  # nothing had to move


def test_a_layer_added_out_of_sight_is_scrolled_into_view(window, qtbot):
    """Double-clicking a palette entry appends after the selected layer; at the end of a column that runs
    past the bottom of the canvas, the new layer was added out of sight."""
    view, doc = window.view, window.document
    view.resetTransform()
    view.scale(2.0, 2.0)  # close up: only a few layers fit
    view.centerOn(QPointF(*doc.graph.node("input_1").pos))
    qtbot.wait(10)
    last = "dense_2"
    assert not view.visible_scene_rect().contains(window.scene.nodes[last].sceneBoundingRect())
    doc.select([last])
    node_id = doc.append("dropout", last)
    assert view.visible_scene_rect().contains(window.scene.nodes[node_id].sceneBoundingRect())
    view.centerOn(QPointF(*doc.graph.node("input_1").pos))
    doc.select(["input_1"])  # an ordinary selection does not scroll
    doc.select([node_id])
    assert not view.visible_scene_rect().contains(window.scene.nodes[node_id].sceneBoundingRect())
