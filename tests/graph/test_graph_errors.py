"""The graph's typed errors, readable ids and the events it emits per change."""

from __future__ import annotations

import keyword

import pytest

from netbuilder.errors import NetbuilderError
from netbuilder.graph import (
    CycleError,
    DuplicateIdError,
    Edge,
    Graph,
    GraphError,
    Group,
    Node,
    NodeNotFoundError,
    PortTakenError,
    UnknownLayerKindError,
)
from netbuilder.graph.edits import (
    AddEdge,
    AddGroup,
    AddNode,
    MoveNodes,
    RemoveEdge,
    RemoveGroup,
    RemoveNode,
    SetParam,
    UpdateGroup,
)
from netbuilder.graph.ids import base_name, is_valid_id, next_id


def chain(*ids: str) -> Graph:
    g = Graph()
    for n in ids:
        g.insert_node(Node(n, "relu"))
    for a, b in zip(ids, ids[1:]):
        g.insert_edge(Edge(a, b))
    return g


# ----- typed errors ---------------------------------------------------------------------------
def test_cycle_error():
    g = chain("a_1", "b_1", "c_1")
    with pytest.raises(CycleError) as info:
        g.insert_edge(Edge("c_1", "a_1", 1))
    assert (info.value.src, info.value.dst) == ("c_1", "a_1")
    assert "c_1 -> a_1 would make a cycle" in str(info.value)
    with pytest.raises(CycleError):
        g.insert_edge(Edge("b_1", "b_1", 1))  # a node into itself
    assert len(g.edges) == 2
    g.insert_edge(Edge("a_1", "c_1", 1))  # a skip connection is no cycle


def test_port_taken_error():
    g = chain("a_1", "b_1")
    g.insert_node(Node("x_1", "relu"))
    with pytest.raises(PortTakenError) as info:
        g.insert_edge(Edge("x_1", "b_1", 0))
    assert (info.value.node_id, info.value.port) == ("b_1", 0)
    assert "input 0 of b_1 is already connected" in str(info.value)
    g.insert_edge(Edge("x_1", "b_1", 1))  # another port is free
    assert g.edge_into("b_1", 1) == Edge("x_1", "b_1", 1)


def test_duplicate_id_error():
    g = chain("a_1")
    g.insert_group(Group("block_1", "block", ["a_1"]))
    for make in (lambda: g.insert_node(Node("a_1", "dense")), lambda: g.insert_node(Node("block_1", "dense")),
                 lambda: g.insert_group(Group("a_1", "x"))):
        with pytest.raises(DuplicateIdError) as info:
            make()
        assert info.value.node_id in ("a_1", "block_1") and "already exists" in str(info.value)


def test_node_not_found_error():
    g = chain("a_1")
    with pytest.raises(NodeNotFoundError) as info:
        g.node("ghost_1")
    assert str(info.value) == "no node named 'ghost_1' in the design"  # not KeyError's quoted repr
    assert isinstance(info.value, KeyError) and info.value.node_id == "ghost_1"
    for edit in (RemoveNode("ghost_1"), SetParam("ghost_1", "units", 3), MoveNodes({"ghost_1": (0, 0)}),
                 AddEdge(Edge("a_1", "ghost_1")), AddGroup(Group("g_1", "g", ["ghost_1"]))):
        with pytest.raises(NodeNotFoundError):
            edit.apply(g)
    assert g.to_dict() == chain("a_1").to_dict()


def test_unknown_layer_kind_error_from_the_registry():
    from netbuilder.layers import canonical_kind

    with pytest.raises(UnknownLayerKindError) as info:
        canonical_kind("conv2")
    assert (info.value.kind, info.value.suggestion) == ("conv2", "conv2d")
    assert str(info.value) == "unknown layer kind 'conv2' (did you mean 'conv2d'?)"
    with pytest.raises(UnknownLayerKindError) as info:
        canonical_kind("zzzzqqq")
    assert info.value.suggestion is None and str(info.value) == "unknown layer kind 'zzzzqqq'"
    assert canonical_kind("linear") == "dense"  # a renamed kind


def test_every_graph_error_is_for_the_user():
    for cls in (CycleError, PortTakenError, DuplicateIdError, NodeNotFoundError, UnknownLayerKindError):
        assert issubclass(cls, GraphError) and issubclass(cls, NetbuilderError)


def test_other_refusals_are_graph_errors():
    g = chain("a_1", "b_1")
    with pytest.raises(GraphError, match="not a valid node id"):
        g.insert_node(Node("2nd", "relu"))
    with pytest.raises(GraphError, match="not a valid group id"):
        g.insert_group(Group("my group", "x"))
    with pytest.raises(GraphError, match="port -1"):
        g.insert_edge(Edge("a_1", "b_1", -1))
    with pytest.raises(GraphError, match="no connection"):
        RemoveEdge(Edge("b_1", "a_1")).apply(g)
    with pytest.raises(GraphError, match="no group named"):
        RemoveGroup("ghost").apply(g)
    with pytest.raises(GraphError, match="still has connections"):
        g.pop_node("a_1")


def test_update_missing_group_is_a_typed_error():
    g = chain("a_1")
    with pytest.raises(GraphError):
        UpdateGroup("ghost", {"name": "x"}).apply(g)


def test_group_members_are_distinct_and_in_one_group():
    g = chain("a_1", "b_1")
    with pytest.raises(GraphError):
        g.insert_group(Group("g_1", "g", ["a_1", "a_1"]))
    g.insert_group(Group("g_2", "g", ["a_1"]))
    with pytest.raises(GraphError):
        g.insert_group(Group("g_3", "g", ["a_1"]))
    with pytest.raises(GraphError):
        UpdateGroup("g_2", {"nodes": ["a_1", "b_1", "b_1"]}).apply(g)


# ----- ids ------------------------------------------------------------------------------------
def test_next_id_is_readable_and_stable():
    g = Graph()
    ids = []
    for kind in ("Conv2d", "conv2d", "relu", "conv2d"):
        ids.append(g.new_id(kind))
        g.insert_node(Node(ids[-1], kind.lower()))
    assert ids == ["conv2d_1", "conv2d_2", "relu_1", "conv2d_3"]
    g.pop_node("conv2d_2")
    assert g.new_id("conv2d") == "conv2d_2"  # the gap is reused: ids never depend on memory addresses
    g.insert_group(Group("group_1", "g"))
    assert g.new_id("group") == "group_2"  # groups and nodes share one namespace


@pytest.mark.parametrize(("kind", "expected"), [
    ("Dense", "dense_1"), ("max pool 2d", "max_pool_2d_1"), ("3d_conv", "n_3d_conv_1"), ("class", "class__1"),
    ("", "node_1"), ("Conv-2D", "conv_2d_1"), ("ünïcode", "_n_code_1"),
])
def test_next_id_makes_python_identifiers(kind, expected):
    node_id = next_id(kind, set())
    assert node_id == expected
    assert is_valid_id(node_id) and not keyword.iskeyword(node_id)


def test_is_valid_id():
    assert is_valid_id("conv2d_1") and is_valid_id("_x")
    for bad in ("1conv", "class", "conv-1", "conv 1", "", "ünï", "None"):
        assert not is_valid_id(bad), bad
    assert base_name("  ReLU ") == "relu"


# ----- events ---------------------------------------------------------------------------------
def record(g: Graph) -> list[tuple]:
    events: list[tuple] = []
    g.subscribe(lambda e: events.append((e.kind, e.node_id, e.edge, e.group_id, e.name)))
    return events


def test_one_event_per_change():
    g = chain("a_1", "b_1")
    events = record(g)
    AddNode(Node("c_1", "relu")).apply(g)
    AddEdge(Edge("b_1", "c_1")).apply(g)
    SetParam("c_1", "units", 4).apply(g)
    MoveNodes({"c_1": (1, 2), "a_1": (3, 4)}).apply(g)
    AddGroup(Group("g_1", "g", ["a_1"])).apply(g)
    UpdateGroup("g_1", {"collapsed": True}).apply(g)
    RemoveGroup("g_1").apply(g)
    RemoveEdge(Edge("b_1", "c_1")).apply(g)
    assert events == [
        ("node_added", "c_1", None, None, None),
        ("edge_added", None, Edge("b_1", "c_1"), None, None),
        ("param_changed", "c_1", None, None, "units"),
        ("node_moved", "c_1", None, None, None),
        ("node_moved", "a_1", None, None, None),
        ("group_added", None, None, "g_1", None),
        ("group_changed", None, None, "g_1", None),
        ("group_removed", None, None, "g_1", None),
        ("edge_removed", None, Edge("b_1", "c_1"), None, None),
    ]


def test_remove_node_events_and_revert_events():
    g = chain("a_1", "b_1", "c_1")
    g.insert_group(Group("g_1", "g", ["b_1"]))
    events = record(g)
    edit = RemoveNode("b_1")
    edit.apply(g)
    assert [e[0] for e in events] == ["group_changed", "edge_removed", "edge_removed", "node_removed"]
    events.clear()
    edit.revert(g)
    assert [e[0] for e in events] == ["node_added", "edge_added", "edge_added", "group_changed"]


def test_unsubscribe_and_reset():
    g = chain("a_1")
    events = []
    stop = g.subscribe(events.append)
    g.replace_with(chain("x_1", "y_1"))
    assert [e.kind for e in events] == ["reset"] and list(g.nodes) == ["x_1", "y_1"]
    stop()
    stop()  # twice is harmless
    g.set_pos("x_1", (1, 1))
    assert len(events) == 1
