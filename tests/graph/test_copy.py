"""A graph's copy (every snapshot the window takes) is equal to it and shares nothing it could change."""

from __future__ import annotations

from netbuilder.graph import Edge, Graph, Group, Node
from netbuilder.presets import build_preset


def test_a_copy_is_equal_independent_and_works_like_the_original():
    original = build_preset("densenet121").graph
    first = next(iter(original.nodes))
    original.insert_group(Group("g_extra", "extra", [first], True))
    heard: list = []
    original.subscribe(heard.append)
    copy = original.copy()
    assert copy == original and copy.to_dict() == original.to_dict()
    assert copy.topological_order() == original.topological_order()
    # nothing shared that an edit of one could change in the other
    node_id = next(n.id for n in original.iter_nodes() if n.kind == "conv2d")
    copy.nodes[node_id].params["filters"] = 7
    assert original.nodes[node_id].params["filters"] != 7
    copy.groups["g_extra"].nodes.append("x")
    assert "x" not in original.groups["g_extra"].nodes
    copy.insert_node(Node("extra", "relu", {}))
    copy.insert_edge(Edge(node_id, "extra"))
    assert "extra" not in original.nodes and "extra" not in original.successors_map().get(node_id, [])
    assert heard == []  # the copy has no listeners of the original's


def test_nested_settings_are_copied_deeply():
    g = Graph()
    g.insert_node(Node("a", "input", {"shape": [1, 8, 8], "odd": {"k": [1, 2]}}))
    c = g.copy()
    c.nodes["a"].params["shape"].append(9)
    c.nodes["a"].params["odd"]["k"].append(3)
    assert g.nodes["a"].params == {"shape": [1, 8, 8], "odd": {"k": [1, 2]}}
