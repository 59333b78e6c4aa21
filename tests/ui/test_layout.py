"""The layered layout (pure: no Qt)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.ui.layout import NODE_GAP, NODE_H, NODE_W, layered_layout


def test_chain_reads_top_to_bottom_and_left_to_right():
    nodes, edges = ["a", "b", "c"], [("a", "b"), ("b", "c")]
    tb = layered_layout(nodes, edges, "TB")
    assert tb["a"][1] < tb["b"][1] < tb["c"][1]
    assert tb["a"][0] == tb["b"][0] == tb["c"][0]
    lr = layered_layout(nodes, edges, "LR")
    assert lr["a"][0] < lr["b"][0] < lr["c"][0]


def test_skip_connection_keeps_longest_path_layers():
    pos = layered_layout(["x", "conv", "bn", "add"], [("x", "conv"), ("conv", "bn"), ("bn", "add"), ("x", "add")])
    assert pos["add"][1] > pos["bn"][1] > pos["conv"][1] > pos["x"][1]


@st.composite
def dags(draw):
    n = draw(st.integers(1, 14))
    nodes = [f"n{i}" for i in range(n)]
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    return nodes, [(nodes[a], nodes[b]) for a, b in edges if a < b]


@settings(max_examples=60)
@given(dags(), st.sampled_from(["TB", "LR"]))
def test_every_edge_points_forward_and_boxes_do_not_overlap(graph, direction):
    nodes, edges = graph
    pos = layered_layout(nodes, edges, direction)
    along = 1 if direction == "TB" else 0
    assert set(pos) == set(nodes)
    for s, d in edges:
        assert pos[s][along] < pos[d][along]
    breadth = NODE_W if direction == "TB" else NODE_H
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if pos[a][along] == pos[b][along]:
                assert abs(pos[a][1 - along] - pos[b][1 - along]) >= breadth + NODE_GAP - 0.2  # positions are rounded to 0.1


def _resnet_like():
    from netbuilder.graph import Edge, Graph, Group, Node

    g = Graph()
    ids = ["x", "c1", "b1", "r1", "c2", "b2", "add", "relu", "fc"]
    for n in ids:
        g.insert_node(Node(n, "relu"))
    for s, d in zip(ids, ids[1:]):
        g.insert_edge(Edge(s, d, 0))
    g.insert_group(Group("block", "residual block", ["c1", "b1", "r1", "c2", "b2", "add", "relu"], True))
    return g


def test_graph_layout_lays_a_collapsed_group_out_as_one_box():
    from netbuilder.ui.layout import GROUP_W, graph_layout

    g = _resnet_like()
    pos = graph_layout(g, "TB")
    members = g.groups["block"].nodes
    ys = [pos[m][1] for m in members]
    centre = (min(ys) + max(ys)) / 2
    step = NODE_H + 32.0
    assert pos["x"][1] < centre < pos["fc"][1]
    assert pos["fc"][1] - pos["x"][1] == 2 * step  # three rows: x, the box, fc
    assert len({pos[m] for m in members}) == len(members)  # members keep distinct places inside
    assert GROUP_W > NODE_W
    opened = graph_layout(g, "TB", collapsed=())
    assert opened["fc"][1] - opened["x"][1] > 8 * step  # open: every layer its row, plus the frame's room
    assert graph_layout(g, "LR")["fc"][0] > graph_layout(g, "LR")["x"][0]
