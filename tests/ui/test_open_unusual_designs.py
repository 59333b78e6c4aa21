"""Designs a hand edit (or another tool) left in a state the window must still open: an edge into an Input
layer, a ``training.frozen`` that is not a list. The window opens them and shows what is wrong; and
when a view cannot show a design part-way through opening it, the design before stays, whole."""

from __future__ import annotations

import json

import pytest

from netbuilder import io as nio
from netbuilder import presets

pytestmark = pytest.mark.gui


def _write(tmp_path, data: dict, name: str = "hand_edited.nbd"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _mlp() -> dict:
    return json.loads(nio.dumps_design(presets.build_preset("mlp")))


def test_an_edge_into_an_input_layer_opens_with_the_node_red_and_the_problem_listed(window, tmp_path, qtbot):
    data = _mlp()
    for node in data["nodes"]:
        if node["id"] == "relu":
            node.update(kind="input", params={})
    path = _write(tmp_path, data)
    assert window.files.open_path(path, ask=False)
    doc = window.document
    assert doc.path == path and "relu" in doc.graph and doc.graph.node("relu").kind == "input"
    qtbot.waitUntil(lambda: window.view.scene().nodes["relu"].has_error, timeout=5000)
    problems = window.problems
    rows = [(problems.topLevelItem(i).text(0), problems.topLevelItem(i).text(1))
            for i in range(problems.topLevelItemCount())]
    assert any(node == "relu" and "takes no input" in text for node, text in rows), rows
    scene = window.view.scene()
    edge = next(e for e in scene.edges if e.dst == "relu")
    item = scene.nodes["relu"]
    end = scene.anchor_in("relu", edge.port)  # the middle of the box's input side (it has no input port)
    assert item.sceneBoundingRect().contains(end)
    assert abs(end.x() - item.scenePos().x()) < 1 and end.y() < item.scenePos().y()


@pytest.mark.parametrize("frozen", [True, 5, "hidden", {"hidden": True}, None])
def test_a_frozen_that_is_not_a_list_opens_with_nothing_locked(window, tmp_path, frozen):
    data = _mlp()
    data["training"] = {"frozen": frozen}
    path = _write(tmp_path, data)
    assert window.files.open_path(path, ask=False)
    doc = window.document
    assert doc.path == path and set(doc.graph.nodes) == {n["id"] for n in data["nodes"]}
    assert doc.design.training["frozen"] == frozen  # kept as the file says until the student locks a layer
    assert doc.frozen == []
    scene = window.view.scene()
    assert set(scene.nodes) == set(doc.graph.nodes) and not any(i.frozen for i in scene.nodes.values())
    assert doc.set_frozen(["hidden"], True)
    assert doc.design.training["frozen"] == ["hidden"] and scene.nodes["hidden"].frozen


def test_a_view_failing_part_way_through_an_open_leaves_the_design_before_whole(window, tmp_path):
    doc = window.document
    doc.set_param("dense_1", "units", 48)  # an edit: one undo step, the design modified
    before_graph, before_name, before_path = doc.graph.to_dict(), doc.design.name, doc.path
    before_title, steps = window.windowTitle(), doc.undo_stack.count()
    path = _write(tmp_path, _mlp())
    failing = []

    def view_that_fails(event) -> None:
        if event.kind == "reset" and not failing:
            failing.append(event)
            raise RuntimeError("a view could not show this design")

    unsubscribe = doc.graph.subscribe(view_that_fails)
    try:
        with pytest.raises(RuntimeError, match="could not show"):
            window.files.open_path(path, ask=False)
    finally:
        unsubscribe()
    assert doc.graph.to_dict() == before_graph and doc.design.name == before_name and doc.path == before_path
    assert doc.design.graph is doc.graph
    assert window.windowTitle() == before_title and doc.is_modified
    assert doc.undo_stack.count() == steps  # the history of the design put back is kept
    scene = window.view.scene()
    assert set(scene.nodes) == set(doc.graph.nodes) and len(scene.edges) == len(doc.graph.edges)
    doc.undo_stack.undo()
    assert doc.graph.node("dense_1").params["units"] != 48
    assert window.files.open_path(path, ask=False)  # and the next open works
    assert doc.path == path and set(scene.nodes) == set(doc.graph.nodes)
