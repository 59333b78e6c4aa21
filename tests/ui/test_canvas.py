"""The canvas: drops from the palette, connecting by dragging between ports, moves recorded at
release, red nodes for problems, groups collapsing."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from netbuilder.graph import Edge
from netbuilder.graph.edits import MoveNodes
from netbuilder.ui.canvas.items import NodeItem
from netbuilder.ui.canvas.view import LAYER_MIME

pytestmark = pytest.mark.gui


def view_point(window, scene_pos: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_pos)


def test_scene_mirrors_the_graph(window):
    g = window.document.graph
    assert set(window.scene.nodes) == set(g.nodes)
    assert set(window.scene.edges) == set(g.edges)
    item = window.scene.nodes["conv2d_1"]
    assert item.label == "8@3×3" or "8" in item.label
    assert item.shape_out == (8, 8, 8)
    assert window.scene.edges[Edge("conv2d_1", "relu_1", 0)].label == "8×8×8"


def test_drop_a_layer_from_the_palette_onto_the_canvas(window, qtbot):
    palette = window.palette_view
    mime = palette.tree.mimeData([palette.items["dropout"]])
    assert bytes(mime.data(LAYER_MIME).data()) == b"dropout"
    target = window.view.viewport().rect().center() + QPoint(200, 0)
    event = QDropEvent(QPointF(target), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.view.dropEvent(event)
    g = window.document.graph
    assert "dropout_1" in g and "dropout_1" in window.scene.nodes
    expected = window.view.mapToScene(target)
    assert g.node("dropout_1").pos == pytest.approx((expected.x(), expected.y()), abs=0.1)
    assert window.document.selection == ["dropout_1"]
    assert window.document.undo_stack.undoText() == "add dropout_1"


def test_connect_two_nodes_by_dragging_between_ports(window, qtbot):
    doc = window.document
    doc.add_node("dense", (400.0, 200.0))
    doc.disconnect_edge(Edge("relu_2", "dense_2", 0))
    qtbot.wait(10)
    src = window.scene.nodes["relu_2"].port_pos(-1)
    dst = window.scene.nodes["dense_3"].port_pos(0)
    window.view.centerOn(QPointF((src.x() + dst.x()) / 2, (src.y() + dst.y()) / 2))
    viewport = window.view.viewport()
    a, b = view_point(window, src), view_point(window, dst)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, (a + b) / 2)
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert Edge("relu_2", "dense_3", 0) in doc.graph.edges
    assert Edge("relu_2", "dense_3", 0) in window.scene.edges
    assert doc.undo_stack.undoText() == "connect relu_2 to dense_3"


def _drag_refused(window, src: QPointF, dst: QPointF) -> list[str]:
    """Drag from scene point ``src`` to ``dst``; the design must not change; the messages the scene said."""
    before = window.document.graph.to_dict()
    messages: list[str] = []
    window.scene.message_reported.connect(messages.append)
    viewport = window.view.viewport()
    a, b = view_point(window, src), view_point(window, dst)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert window.document.graph.to_dict() == before
    return messages


def test_a_refused_connection_is_reported_not_raised(window, qtbot):
    src = window.scene.nodes["dense_2"].port_pos(-1)
    dst = window.scene.nodes["conv2d_1"].port_pos(0)
    window.view.fit()
    messages = _drag_refused(window, src, dst)
    assert messages and "already connected" in messages[0]


def test_a_drag_is_one_move_recorded_at_release(window, qtbot):
    doc = window.document
    item = window.scene.nodes["flatten_1"]
    start = doc.graph.node("flatten_1").pos
    window.view.centerOn(item)
    viewport = window.view.viewport()
    a = view_point(window, item.scenePos() + QPointF(-30, 0))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for dx in (10, 30, 60, 90):
        QTest.mouseMove(viewport, a + QPoint(dx, 5))
    assert doc.graph.node("flatten_1").pos == start  # nothing recorded during the drag
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a + QPoint(90, 5))
    assert doc.graph.node("flatten_1").pos != start
    assert doc.undo_stack.count() == 1
    assert isinstance(doc.undo_stack.command(0).edit, MoveNodes)
    doc.undo_stack.undo()
    assert doc.graph.node("flatten_1").pos == start and item.pos() == QPointF(*start)


@pytest.mark.parametrize(("onto", "said"), [("relu_1", "relu_1 cannot feed itself"),
                                           ("input_1", "input_1 takes no input: an Input starts the network")])
def test_a_drop_that_cannot_be_a_connection_says_why(window, onto, said):
    """Onto the layer itself or onto an Input: nothing happened and nothing was said."""
    window.view.fit()
    src = window.scene.nodes["relu_1"].port_pos(-1)
    messages = _drag_refused(window, src, window.scene.nodes[onto].sceneBoundingRect().center())
    assert messages and messages[0].startswith(said)


def test_broken_design_shows_red_node_and_problem_entry(window, qtbot):
    doc = window.document
    doc.delete(["flatten_1"])  # the chain closes over it: the pooling feeds the Dense, which wants a vector
    assert any(e.src == "maxpool2d_1" and e.dst == "dense_1" for e in doc.graph.edges)
    qtbot.waitUntil(lambda: not doc.analysis.valid)
    item = window.scene.nodes["dense_1"]
    assert item.has_error and "Flatten" in item.toolTip()
    problems = window.problems
    rows = [problems.topLevelItem(i) for i in range(problems.topLevelItemCount())]
    row = next(r for r in rows if r.text(0) == "dense_1")
    assert "flatten" in row.text(2).lower()
    assert "problem" in window.totals_label.text()
    doc.select([])
    problems._on_click(row)
    assert doc.selection == ["dense_1"] and item.isSelected()


def test_a_problem_inside_a_collapsed_group_opens_it_when_clicked(window, qtbot):
    doc = window.document
    gid = doc.group_nodes(["flatten_1", "dense_1"], "head")
    doc.set_collapsed(gid, True)
    doc.set_param("dense_1", "units", 0)
    qtbot.waitUntil(lambda: not doc.analysis.valid)
    problems = window.problems
    row = next(problems.topLevelItem(i) for i in range(problems.topLevelItemCount())
               if problems.topLevelItem(i).text(0) == "dense_1")
    problems._on_click(row)  # the layer was selected but hidden in its box: nothing to see
    assert not doc.graph.groups[gid].collapsed
    item = window.scene.nodes["dense_1"]
    assert item.isVisible() and item.isSelected() and doc.selection == ["dense_1"]


def test_collapse_keeps_the_box_selected_so_the_same_key_opens_it_again(window):
    doc = window.document
    gid = doc.group_nodes(["conv2d_1", "relu_1"], "block")
    doc.select(["conv2d_1"])
    window.toggle_selected_group()
    assert doc.graph.groups[gid].collapsed and window.scene.groups[gid].isSelected()
    window.toggle_selected_group()  # (Ctrl+E twice: it did nothing the second time)
    assert not doc.graph.groups[gid].collapsed
    assert window.scene.nodes["conv2d_1"].isSelected() and window.scene.nodes["relu_1"].isSelected()


def test_a_box_with_a_warning_and_an_error_shows_the_error(window, qtbot):
    doc = window.document
    doc.add_node("add", (600.0, 100.0))
    doc.connect_nodes("conv2d_1", "add_1", 0)
    doc.connect_nodes("maxpool2d_1", "add_1", 1)  # 8×8×8 and 8×4×4: an error; and off the path: a warning
    qtbot.waitUntil(lambda: window.scene.nodes["add_1"].has_error)
    item = window.scene.nodes["add_1"]
    errors = [d.message for d in item.problems if d.severity == "error"]
    assert item.problems[0].severity == "warning"  # (listed first: its text was shown under the ✖)
    assert item._bottom_text(True) == "✖ " + errors[0] and "same shape" in errors[0]


def test_groups_collapse_to_one_box_and_back(window, qtbot):
    doc = window.document
    group_id = doc.group_nodes(["conv2d_1", "relu_1", "maxpool2d_1"], "features")
    group = window.scene.groups[group_id]
    assert group.isVisible() and window.scene.nodes["relu_1"].isVisible()
    window.scene.toggle_group(group_id)
    assert doc.graph.groups[group_id].collapsed
    assert not window.scene.nodes["relu_1"].isVisible()
    assert not window.scene.edges[Edge("conv2d_1", "relu_1", 0)].isVisible()
    assert group.params == 80
    assert doc.undo_stack.undoText() == f"collapse {group_id}"
    doc.undo_stack.undo()
    assert window.scene.nodes["relu_1"].isVisible()


def test_selection_is_shared_between_scene_and_document(window):
    doc = window.document
    doc.select(["dense_1", "relu_2"])
    assert {i.node_id for i in window.scene.selectedItems() if isinstance(i, NodeItem)} == {"dense_1", "relu_2"}
    window.scene.clearSelection()
    window.scene.nodes["input_1"].setSelected(True)
    assert doc.selection == ["input_1"]


def test_zoom_pan_fit_and_rubber_band(window, qtbot):
    view = window.view
    view.fit()
    rect = view.mapFromScene(window.scene.items_rect()).boundingRect()
    assert view.viewport().rect().adjusted(-2, -2, 2, 2).contains(rect)
    before = view.zoom()
    view.zoom_by(2.0)
    assert view.zoom() == pytest.approx(min(before * 2.0, 4.0))
    view.zoom_by(1000)
    assert view.zoom() == pytest.approx(4.0)
    view.fit()
    bar = view.verticalScrollBar()
    start = bar.value()
    viewport = view.viewport()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    assert not view.isInteractive()
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert view.isInteractive()
    p = QPoint(10, 10)
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, p)
    QTest.mouseMove(viewport, p + QPoint(0, 40))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, p + QPoint(0, 40))
    assert bar.value() == start - 40 or bar.maximum() == bar.minimum()
    # rubber band from an empty corner across the whole design selects every node
    view.fit()
    r = view.mapFromScene(window.scene.items_rect()).boundingRect().adjusted(-15, -15, 15, 15)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, r.topLeft())
    QTest.mouseMove(viewport, r.center())
    QTest.mouseMove(viewport, r.bottomRight())
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, r.bottomRight())
    assert set(window.document.selection) == set(window.document.graph.nodes)
