"""Intents -> edits (pure: no Qt). Each edit applies and reverts exactly."""

import pytest

from netbuilder.graph import Edge, Graph
from netbuilder.ui import intents


def chain(*kinds: str) -> Graph:
    g = Graph()
    prev = None
    for i, kind in enumerate(kinds):
        node = intents.new_node(g, kind, (0.0, 100.0 * i))
        g.insert_node(node)
        if prev:
            g.insert_edge(Edge(prev, node.id))
        prev = node.id
    return g


def roundtrip(g: Graph, edit) -> None:
    before = g.to_dict()
    edit.apply(g)
    after = g.to_dict()
    assert after != before
    edit.revert(g)
    assert g.to_dict() == before
    edit.apply(g)
    assert g.to_dict() == after


def test_new_node_has_readable_id_and_default_settings():
    g = chain("input", "dense")
    node = intents.new_node(g, "dense", (1, 2))
    assert node.id == "dense_2" and node.params == {"units": 10, "bias": True} and node.pos == (1.0, 2.0)


def test_append_after_inserts_between_and_makes_room():
    g = chain("input", "flatten", "output")
    old_out = g.node("output_1").pos
    edit, new = intents.append_after(g, "dense", "flatten_1")
    roundtrip(g, edit)
    assert [(e.src, e.dst) for e in g.edges if new in (e.src, e.dst)] == [("flatten_1", new), (new, "output_1")]
    assert g.edge_into("output_1", 0).src == new
    assert g.node("output_1").pos[1] > old_out[1]


def test_append_after_a_leaf_connects_it():
    g = chain("input", "flatten")
    edit, new = intents.append_after(g, "dense", "flatten_1", "LR")
    edit.apply(g)
    assert g.edge_into(new, 0) == Edge("flatten_1", new, 0)
    assert g.node(new).pos[0] > g.node("flatten_1").pos[0]


def test_free_port_grows_for_merges_and_stops_for_fixed_inputs():
    g = chain("input", "relu")
    assert intents.free_port(g, "relu_1") is None
    add = intents.new_node(g, "add", (0, 0))
    g.insert_node(add)
    g.insert_edge(Edge("input_1", add.id, 0))
    assert intents.free_port(g, add.id) == 1


def test_delete_selection_with_edges_and_empty_groups():
    g = chain("input", "flatten", "dense", "output")
    intents.group(g, ["flatten_1", "dense_1"], "head").apply(g)
    roundtrip(g, intents.delete(g, ["flatten_1", "dense_1"]))
    assert not g.groups and len(g) == 2
    assert intents.delete(g, []) is None


def test_deleting_layers_in_a_chain_closes_it_over_them():
    g = chain("input", "flatten", "dense", "relu", "output")
    edit = intents.delete(g, ["dense_1"])
    roundtrip(g, edit)  # (undo gives back the layer and its own connections, without the bridge)
    assert Edge("flatten_1", "relu_1", 0) in g.edges  # flatten -> (dense) -> relu: flatten feeds relu
    edit.revert(g)
    intents.delete(g, ["dense_1", "relu_1"]).apply(g)  # two in a row
    assert Edge("flatten_1", "output_1", 0) in g.edges
    g = chain("input", "dense", "output")
    intents.delete(g, ["input_1"]).apply(g)  # nothing feeds what came after it: nothing to close
    assert not g.incoming("dense_1")


def test_a_layer_of_several_inputs_is_not_bridged():
    g = chain("input", "dense", "output")
    add = intents.new_node(g, "add", (0.0, 0.0))
    g.insert_node(add)
    g.pop_edge(Edge("dense_1", "output_1", 0))
    g.insert_edge(Edge("dense_1", add.id, 0))
    g.insert_edge(Edge("input_1", add.id, 1))
    g.insert_edge(Edge(add.id, "output_1", 0))
    intents.delete(g, [add.id]).apply(g)
    assert not g.incoming("output_1")  # which of its two inputs would it be? none: the student connects


def test_copy_paste_gives_new_ids_and_keeps_inner_edges():
    g = chain("input", "flatten", "dense", "output")
    intents.group(g, ["flatten_1", "dense_1"], "head").apply(g)
    data = intents.copy_subgraph(g, ["flatten_1", "dense_1"])
    assert [e["src"] for e in data["edges"]] == ["flatten_1"]
    edit, ids = intents.paste(g, data)
    roundtrip(g, edit)
    assert ids == ["flatten_2", "dense_2"]
    assert Edge("flatten_2", "dense_2", 0) in g.edges
    x, y = g.node("dense_1").pos
    assert g.node("dense_2").pos == (x + intents.NODE_W + intents.PASTE_GAP, y)  # beside, not on top
    assert len(g.groups) == 2
    with pytest.raises(ValueError):
        intents.paste(g, {"nodes": []})


def test_a_paste_lands_where_it_covers_no_layer():
    g = chain("input", "flatten", "dense", "output")
    data = intents.copy_subgraph(g, ["dense_1"])
    for _ in range(3):  # each copy beside the last
        edit, _ids = intents.paste(g, data)
        roundtrip(g, edit)
    boxes = [n.pos for n in g.iter_nodes()]
    assert all(abs(a[0] - b[0]) >= intents.NODE_W or abs(a[1] - b[1]) >= intents.NODE_H
               for i, a in enumerate(boxes) for b in boxes[i + 1:])
    g = chain("input", "flatten", "dense", "output")
    lone = intents.copy_subgraph(g, ["dense_1"])
    intents.delete(g, ["flatten_1", "dense_1", "output_1"]).apply(g)
    edit, (new,) = intents.paste(g, lone)  # cut and pasted back where nothing is: the usual small step
    edit.apply(g)
    assert g.node(new).pos == (lone["nodes"][0]["pos"][0] + 40, lone["nodes"][0]["pos"][1] + 40)


def test_auto_layout_is_one_move_and_none_when_in_place():
    g = chain("input", "flatten", "output")
    for n in g.nodes:
        g.set_pos(n, (0, 0))
    edit = intents.auto_layout(g)
    roundtrip(g, edit)
    assert intents.auto_layout(g) is None


def test_group_skips_nodes_already_grouped():
    g = chain("input", "flatten", "output")
    intents.group(g, ["flatten_1"]).apply(g)
    assert intents.group(g, ["flatten_1"]) is None
    edit = intents.group(g, ["input_1", "flatten_1"], "stem")
    assert edit.group.nodes == ["input_1"] and edit.group.id == "stem_1"
