"""analyze() on big and on random graphs: it never raises, and errors never cascade. Pure: no torch."""

import random

from netbuilder.analysis import analyze
from netbuilder.graph import Edge, Graph, GraphError, Node
from netbuilder.layers import all_specs

SHAPE_CODES = {"needs_flatten", "needs_image", "merge_mismatch", "spatial_too_small", "groups",
               "same_needs_stride_1", "padding_too_large", "shape"}


def _node(g: Graph, kind: str, params: dict, *srcs: str) -> str:
    nid = g.new_id(kind)
    g.insert_node(Node(nid, kind, params))
    for port, src in enumerate(srcs):
        g.insert_edge(Edge(src, nid, port))
    return nid


def residual_graph(n_nodes: int) -> Graph:
    g = Graph()
    x = _node(g, "input", {"shape": [3, 32, 32]})
    x = _node(g, "conv2d", {"filters": 16, "padding": 1}, x)
    while len(g) < n_nodes - 8:
        skip = x
        y = _node(g, "conv2d", {"filters": 16, "padding": 1}, x)
        y = _node(g, "batchnorm2d", {}, y)
        y = _node(g, "relu", {}, y)
        y = _node(g, "conv2d", {"filters": 16, "padding": "same"}, y)
        y = _node(g, "add", {}, y, skip)
        x = _node(g, "relu", {}, y)
    for kind in ("global_avgpool", "dense", "output"):
        x = _node(g, kind, {}, x)
    return g


def chain_graph(n_nodes: int) -> Graph:
    g = Graph()
    x = _node(g, "input", {"shape": [64]})
    while len(g) < n_nodes - 1:
        x = _node(g, "dense" if len(g) % 2 else "relu", {"units": 64} if len(g) % 2 else {}, x)
    _node(g, "output", {}, x)
    return g


def test_500_node_chain_and_residual_graphs_analyse():
    for g in (chain_graph(500), residual_graph(500)):
        assert len(g) >= 490
        a = analyze(g)
        assert a.valid, [str(d) for d in a.diagnostics[:3]]
        assert all(info.shape is not None for info in a.nodes.values())
        assert len(a.order) == len(g)


def test_residual_graph_totals():
    g = residual_graph(40)
    a = analyze(g)
    assert a.valid
    assert a.total_params == sum(i.params for i in a.nodes.values()) > 0
    assert a.total_buffers == sum(i.buffers for i in a.nodes.values()) > 0


WEIRD_VALUES = [None, -1, 0, 1, 2, 3, 5, 2.5, float("nan"), True, "same", "x", [1, 2], [3, 8, 8], [4],
                10**12, 10**400, {"a": 1}]


def _random_graph(rng: random.Random) -> Graph:
    specs = all_specs()
    kinds = [s.kind for s in specs] + ["mystery", "linear"]
    g = Graph()
    for _ in range(rng.randint(0, 14)):
        kind = rng.choice(kinds)
        params = {}
        for s in specs:
            if s.kind == kind:
                for p in s.params:
                    if rng.random() < 0.4:
                        params[p.name] = rng.choice(WEIRD_VALUES + [p.default] * 6)
        if rng.random() < 0.05:
            params["bogus"] = 1
        nid = g.new_id(kind)
        g.insert_node(Node(nid, kind, params))
    ids = list(g.nodes)
    for _ in range(rng.randint(0, 2 * len(ids))):
        if len(ids) < 2:
            break
        src, dst = rng.sample(ids, 2)
        try:
            g.insert_edge(Edge(src, dst, rng.choice([0, 0, 0, 1, 2])))
        except GraphError:
            pass
    return g


def test_random_graphs_never_raise_and_never_cascade():
    rng = random.Random(7)
    for _ in range(400):
        g = _random_graph(rng)
        a = analyze(g, memory_limit_bytes=rng.choice([None, 10**6]))
        assert set(a.nodes) == set(g.nodes)
        pred = g.predecessors_map()
        for d in a.diagnostics:
            assert d.message and d.severity in ("error", "warning")
            assert d.node_id is None or d.node_id in g.nodes
            if d.code in SHAPE_CODES and d.node_id is not None:  # a shape error only where inputs were fine
                assert all(a.nodes[e.src].shape is not None for e in pred[d.node_id])
        if a.valid:
            for nid in a.on_path:
                assert a.nodes[nid].shape is not None


SMALL_VALUES = {"int": [1, 2, 3, 4, 8], "float": [0.0, 0.1, 0.5], "bool": [True, False],
                "int_or_choice": [0, 1, 2, "same", "valid"], "shape": [[3, 8, 8], [16], [1, 5, 7]]}


def _random_chain(rng: random.Random) -> Graph:
    """Mostly sensible chains of random layers with small settings, and some skip connections."""
    specs = [s for s in all_specs() if s.kind not in ("input", "output")]
    g = Graph()
    ids = [_node(g, "input", {"shape": rng.choice([[3, 12, 12], [2, 5, 9], [20], [1, 3, 3]])})]
    for _ in range(rng.randint(1, 10)):
        spec = rng.choice(specs)
        params = {p.name: rng.choice(SMALL_VALUES.get(p.type, [p.default])) for p in spec.params
                  if rng.random() < 0.5}
        srcs = [ids[-1]] + ([rng.choice(ids)] if spec.variadic else [])
        ids.append(_node(g, spec.kind, params, *srcs))
    _node(g, "output", {}, ids[-1])
    return g


def test_random_chains_never_raise_and_never_cascade():
    rng = random.Random(11)
    seen: set[str] = set()
    valid = 0
    for _ in range(600):
        g = _random_chain(rng)
        a = analyze(g)
        valid += a.valid
        pred = g.predecessors_map()
        for d in a.diagnostics:
            seen.add(d.code)
            assert d.code != "shape" or "cannot work out" not in d.message, d  # no rule crashed
            if d.code in SHAPE_CODES:
                assert all(a.nodes[e.src].shape is not None for e in pred[d.node_id])
        shape_errors = [d.node_id for d in a.errors if d.code in SHAPE_CODES]
        assert len(shape_errors) == len(set(shape_errors))  # one shape error per node at most
    assert valid > 50
    assert {"needs_flatten", "needs_image", "merge_mismatch", "spatial_too_small"} <= seen
