"""analyze(): LeNet-5's shapes and parameters, and one test per diagnostic code. Pure: no torch."""

import pytest

from netbuilder.analysis import Analysis, analyze
from netbuilder.graph import Edge, Graph, Node


def add(g: Graph, kind: str, params: dict | None = None, *srcs: str, nid: str | None = None) -> str:
    """Add a node fed by ``srcs`` on ports 0, 1, ...; returns its id."""
    nid = nid or g.new_id(kind)
    g.insert_node(Node(nid, kind, dict(params or {})))
    for port, src in enumerate(srcs):
        g.insert_edge(Edge(src, nid, port))
    return nid


def chain(g: Graph, *layers, start: str | None = None) -> list[str]:
    """``layers`` are ``kind`` or ``(kind, params)``; each feeds the next."""
    ids, prev = [], start
    for layer in layers:
        kind, params = (layer, {}) if isinstance(layer, str) else layer
        prev = add(g, kind, params, *([prev] if prev else []))
        ids.append(prev)
    return ids


LENET = [("input", {"shape": [1, 28, 28]}), ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}), "relu",
         ("maxpool2d", {"kernel_size": 2}), ("conv2d", {"filters": 16, "kernel_size": 5}), "relu",
         ("maxpool2d", {"kernel_size": 2}), "flatten", ("dense", {"units": 120}), "relu",
         ("dense", {"units": 84}), "relu", ("dense", {"units": 10}), "output"]


def one(a: Analysis, code: str, node_id=..., severity: str | None = None):
    found = [d for d in a.diagnostics if d.code == code]
    assert found, f"no {code} in {[str(d) for d in a.diagnostics]}"
    d = found[0]
    if node_id is not ...:
        assert d.node_id == node_id
    if severity:
        assert d.severity == severity
    assert d.message.strip() and d.fix.strip()
    return d


def test_lenet5_shapes_and_parameters():
    g = Graph()
    ids = chain(g, *LENET)
    a = analyze(g)
    assert a.valid and a.diagnostics == []
    shapes = [a.nodes[i].shape for i in ids]
    assert shapes == [(1, 28, 28), (6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10),
                      (16, 5, 5), (400,), (120,), (120,), (84,), (84,), (10,), (10,)]
    assert a.total_params == 61_706
    assert [a.nodes[i].params for i in ids if a.nodes[i].params] == [156, 2416, 48120, 10164, 850]
    assert a.total_macs == 6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10
    assert a.nodes[ids[1]].in_shapes == [(1, 28, 28)]
    assert a.order == ids and a.on_path == frozenset(ids)


def test_batchnorm_buffers_are_totalled():
    g = Graph()
    chain(g, ("input", {"shape": [3, 8, 8]}), ("conv2d", {"filters": 4}), "batchnorm2d", "flatten",
          ("dense", {"units": 2}), "output")
    a = analyze(g)
    assert a.valid and a.total_buffers == 2 * 4 + 1


def test_needs_flatten():
    g = Graph()
    ids = chain(g, ("input", {"shape": [1, 28, 28]}), ("dense", {"units": 10}), "output")
    a = analyze(g)
    d = one(a, "needs_flatten", ids[1], "error")
    assert "Flatten" in d.fix
    assert a.nodes[ids[2]].shape is None and len(a.errors) == 1  # no cascade onto the output


def test_merge_mismatch():
    g = Graph()
    inp = add(g, "input", {"shape": [3, 16, 16]})
    a1 = add(g, "conv2d", {"filters": 8, "padding": 1}, inp)
    b1 = add(g, "conv2d", {"filters": 4, "padding": 1}, inp)
    s = add(g, "add", {}, a1, b1)
    chain(g, "global_avgpool", "output", start=s)
    a = analyze(g)
    d = one(a, "merge_mismatch", s)
    assert "8×16×16" in d.message and "4×16×16" in d.message
    assert len(a.errors) == 1


def test_spatial_too_small_names_the_sizes():
    g = Graph()
    ids = chain(g, ("input", {"shape": [1, 4, 4]}), ("maxpool2d", {"kernel_size": 2}),
                ("conv2d", {"kernel_size": 3}), "flatten", "dense", "output")
    a = analyze(g)
    d = one(a, "spatial_too_small", ids[2])
    assert "2×2" in d.message
    assert len(a.errors) == 1 and a.nodes[ids[-1]].shape is None


def test_unconnected_isolated_node_is_a_warning():
    g = Graph()
    chain(g, ("input", {"shape": [4]}), "dense", "output")
    lone = add(g, "relu")
    a = analyze(g)
    one(a, "unconnected", lone, "warning")
    assert a.valid and lone not in a.on_path


def test_dangling_branch_is_unconnected():
    g = Graph()
    ids = chain(g, ("input", {"shape": [4]}), "dense", "output")
    side = add(g, "sigmoid", {}, ids[1])
    a = analyze(g)
    one(a, "unconnected", side, "warning")
    assert a.valid and a.nodes[side].shape == (10,)


def test_no_path():
    g = Graph()
    chain(g, ("input", {"shape": [4]}), "dense")
    tail = chain(g, "relu", "output")
    a = analyze(g)
    one(a, "no_path", tail[1], "error")
    one(a, "missing_input", tail[0])


def test_no_input():
    g = Graph()
    add(g, "output")
    one(analyze(g), "no_input", None)


def test_no_output():
    g = Graph()
    chain(g, ("input", {"shape": [4]}), "dense")
    a = analyze(g)
    one(a, "no_output", None)
    assert not a.valid


def test_too_many_outputs():
    g = Graph()
    ids = chain(g, ("input", {"shape": [4]}), "dense", "output")
    second = add(g, "output", {}, ids[1])
    one(analyze(g), "too_many_outputs", second)


def test_missing_input_on_a_merge():
    g = Graph()
    inp = add(g, "input", {"shape": [4]})
    s = add(g, "add", {}, inp)
    add(g, "output", {}, s)
    a = analyze(g)
    d = one(a, "missing_input", s)
    assert "1" in d.message


def test_missing_input_on_a_gap_between_merge_ports():
    g = Graph()
    inp = add(g, "input", {"shape": [4]})
    cat = add(g, "concat")
    g.insert_edge(Edge(inp, cat, 0))
    g.insert_edge(Edge(inp, cat, 2))
    add(g, "output", {}, cat)
    one(analyze(g), "missing_input", cat)


def test_too_many_inputs():
    g = Graph()
    inp = add(g, "input", {"shape": [4]})
    other = add(g, "input", {"shape": [4]})
    d1 = add(g, "dense", {}, inp)
    g.insert_edge(Edge(other, d1, 1))
    add(g, "output", {}, d1)
    a = analyze(g)
    d = one(a, "too_many_inputs", d1)
    assert other in d.message


def test_input_takes_no_input():
    g = Graph()
    a_in = add(g, "input", {"shape": [4]})
    b_in = add(g, "input", {"shape": [4]}, a_in)
    add(g, "output", {}, b_in)
    one(analyze(g), "too_many_inputs", b_in)


def test_param_out_of_bounds_and_no_cascade():
    g = Graph()
    ids = chain(g, ("input", {"shape": [4]}), ("dense", {"units": 10**12}), "relu", "output")
    a = analyze(g)
    d = one(a, "param_out_of_bounds", ids[1])
    assert d.param == "units"
    assert [x.code for x in a.errors] == ["param_out_of_bounds"]
    assert a.nodes[ids[3]].shape is None


def test_wrong_type_is_out_of_bounds():
    g = Graph()
    ids = chain(g, ("input", {"shape": [3, 8, 8]}), ("conv2d", {"kernel_size": "big"}), "flatten", "dense",
                "output")
    d = one(analyze(g), "param_out_of_bounds", ids[1])
    assert d.param == "kernel_size"


def test_unknown_param_is_a_warning_with_a_suggestion():
    g = Graph()
    ids = chain(g, ("input", {"shape": [4]}), ("dense", {"unit": 5}), "output")
    a = analyze(g)
    d = one(a, "unknown_param", ids[1], "warning")
    assert d.param == "unit" and "units" in d.fix
    assert a.valid and a.nodes[ids[1]].shape == (10,)


def test_unknown_kind_is_a_diagnostic():
    g = Graph()
    ids = chain(g, ("input", {"shape": [4]}), "convolution_3d", "dense", "output")
    a = analyze(g)
    one(a, "unknown_kind", ids[1])
    assert [x.code for x in a.errors] == ["unknown_kind"]


def test_deprecated_kind_still_analyses():
    g = Graph()
    ids = chain(g, ("input", {"shape": [4]}), ("linear", {"units": 3}), "output")
    a = analyze(g)
    assert a.valid and a.nodes[ids[1]].kind == "dense" and a.nodes[ids[1]].params == 15


def test_too_large():
    g = Graph()
    ids = chain(g, ("input", {"shape": [1_000]}), ("dense", {"units": 1_000_000}), "output")
    a = analyze(g, memory_limit_bytes=2**30)
    d = one(a, "too_large", ids[1])
    assert "1,001,000,000 parameters" in d.message
    assert analyze(g, memory_limit_bytes=2**40).valid
    # 4 GB of weights fit in 5 GiB, but training also keeps their gradients and Adam's two averages (16 GB)
    d = one(analyze(g, memory_limit_bytes=5 * 2**30), "too_large", ids[1])
    assert d.message.startswith("Training Dense needs about") and "gradient" in d.message


def test_too_large_against_this_machine_by_default():
    g = Graph()
    big = chain(g, ("input", {"shape": [1, 1024, 1024]}), ("conv2d", {"filters": 1_000_000, "kernel_size": 1}),
                "global_avgpool", "output")  # 1e12 numbers per sample: more than any machine has
    a = analyze(g)
    assert a.memory_limit_bytes > 0
    one(a, "too_large", big[1])


@pytest.mark.parametrize(("kind", "code"), [("conv2d", "needs_image"), ("batchnorm2d", "needs_image")])
def test_shape_rule_codes_reach_diagnostics(kind, code):
    g = Graph()
    ids = chain(g, ("input", {"shape": [8]}), kind, "output")
    one(analyze(g), code, ids[1])


def test_empty_graph():
    a = analyze(Graph())
    assert {d.code for d in a.diagnostics} == {"no_input", "no_output"}
    assert a.total_params == 0 and a.order == []


def test_physical_memory_is_read():
    from netbuilder.analysis import physical_memory_bytes

    assert physical_memory_bytes() > 2**28
