"""The design's totals are what its model holds: a layer left out of the model (on no path from the Input to
the Output, warned as "left out of the model") is not counted in the parameters and MACs shown in the status
bar and the summary (they counted a dangling Dense(1000): 35,410 parameters for a model of 2,410). Pure."""

from netbuilder.analysis import analyze
from netbuilder.analysis.summary import summary_json
from netbuilder.graph import Edge, Graph, Node


def _add(g: Graph, kind: str, params: dict | None = None, src: str | None = None) -> str:
    nid = g.new_id(kind)
    g.insert_node(Node(nid, kind, dict(params or {})))
    if src is not None:
        g.insert_edge(Edge(src, nid, 0))
    return nid


def _mlp() -> tuple[Graph, str]:
    g = Graph()
    inp = _add(g, "input", {"shape": [64]})
    d1 = _add(g, "dense", {"units": 32}, inp)
    relu = _add(g, "relu", {}, d1)
    d2 = _add(g, "dense", {"units": 10}, relu)
    _add(g, "output", {}, d2)
    return g, relu


MODEL_PARAMS = (64 * 32 + 32) + (32 * 10 + 10)
MODEL_MACS = 64 * 32 + 32 * 10


def test_a_dangling_layer_is_not_counted_in_the_totals():
    g, relu = _mlp()
    side = _add(g, "dense", {"units": 1000}, relu)  # a branch that leads nowhere
    a = analyze(g)
    assert a.valid and side not in a.on_path
    assert a.nodes[side].params == 1000 * 32 + 1000  # its own box still says what it would hold
    assert (a.total_params, a.total_macs) == (MODEL_PARAMS, MODEL_MACS)
    assert summary_json(g, a)["total_params"] == MODEL_PARAMS


def test_a_half_built_design_still_counts_its_layers():
    g = Graph()  # no Output yet: nothing is left out of a model, every layer counts
    inp = _add(g, "input", {"shape": [64]})
    _add(g, "dense", {"units": 32}, inp)
    a = analyze(g)
    assert not a.valid and a.total_params == 64 * 32 + 32


def test_a_connected_design_counts_every_layer():
    g, _ = _mlp()
    a = analyze(g)
    assert a.total_params == MODEL_PARAMS == sum(i.params for i in a.nodes.values())
