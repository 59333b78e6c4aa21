"""``contract``: the graph as the canvas shows it, each collapsed group one node (pure)."""

from netbuilder.graph.topology import contract


def test_a_group_becomes_one_node_where_its_first_member_was():
    nodes = ["x", "conv", "bn", "add", "relu", "fc"]
    edges = [("x", "conv"), ("conv", "bn"), ("bn", "add"), ("x", "add"), ("add", "relu"), ("relu", "fc")]
    shown, out, owner = contract(nodes, edges, {"block": ["conv", "bn", "add", "relu"]})
    assert shown == ["x", "block", "fc"]
    assert out == [("x", "block"), ("block", "fc")]  # inner edges dropped, the two x -> block merged
    assert owner == {"x": "x", "conv": "block", "bn": "block", "add": "block", "relu": "block", "fc": "fc"}


def test_no_groups_changes_nothing_and_unknown_ends_are_left_out():
    shown, out, owner = contract(["a", "b"], [("a", "b"), ("a", "zz")], {})
    assert shown == ["a", "b"] and out == [("a", "b")] and owner == {"a": "a", "b": "b"}
