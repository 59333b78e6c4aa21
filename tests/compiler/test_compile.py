"""compile_design: every catalogue kind compiles and torch's shapes equal the analysis."""

from __future__ import annotations

import copy

import pytest
import torch
from _compiler_helpers import add, branchy, forward_shapes, lenet5, single_layer_design

from netbuilder.analysis import analyze
from netbuilder.compiler import CompileError, compile_design, compiled_info, node_modules, readable_code
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Edge, Graph, Node
from netbuilder.layers import all_specs


def _layer_ids(g: Graph) -> set[str]:
    return {n.id for n in g.iter_nodes() if n.kind not in ("input", "output")}


@pytest.mark.parametrize("kind", [s.kind for s in all_specs()])
def test_every_kind_compiles_with_the_analysed_shapes(kind):
    g = single_layer_design(kind)
    assert g is not None, f"no small design with {kind} at its default settings passes analysis"
    analysis = analyze(g)
    gm = compile_design(g)

    assert {name for name, _ in gm.named_children()} == _layer_ids(g)
    shapes = forward_shapes(gm, batch=2)
    assert shapes == {nid: (2, *info.shape) for nid, info in analysis.nodes.items()}
    for nid, module in node_modules(gm).items():
        assert sum(p.numel() for p in module.parameters()) == analysis.nodes[nid].params, nid
        assert sum(b.numel() for b in module.buffers()) == analysis.nodes[nid].buffers, nid


def test_lenet5_parameters_match_the_analysis():
    design = lenet5()
    analysis = analyze(design.graph)
    gm = compile_design(design)
    n_params = sum(p.numel() for p in gm.parameters())
    assert n_params == analysis.total_params == 61_706
    ids = _layer_ids(design.graph)
    for key in gm.state_dict():
        assert key.split(".")[0] in ids
    assert {k.split(".")[0] for k in gm.state_dict()} == {n for n in ids if n.startswith(("conv", "dense"))}
    assert gm(torch.randn(2, 1, 28, 28)).shape == (2, 10)


def test_code_is_readable_and_names_nodes():
    gm = compile_design(lenet5())
    code = readable_code(gm)
    assert code.startswith("def forward(self, input_1):")
    assert "conv2d_1 = self.conv2d_1(input_1)\n" in code
    assert "= None" not in code
    assert code.rstrip().endswith("return dense_3")
    assert type(gm).__name__ == "LeNet5"


def test_meta_describes_inputs_and_output():
    design = branchy()
    gm = compile_design(design)
    info = compiled_info(gm)
    assert info.inputs == ("input_1",) and info.input_shapes == ((3, 16, 16),)
    assert info.output == "output_1" and info.output_shape == (10,)
    assert info.name == "branchy net"
    assert list(node_modules(gm)) == list(info.order)
    assert info.to_dict()["input_shapes"] == [[3, 16, 16]]
    assert compiled_info(copy.deepcopy(gm)) == info


def test_branches_follow_the_analysis():
    design = branchy()
    analysis = analyze(design.graph)
    shapes = forward_shapes(compile_design(design), batch=3)
    assert shapes == {nid: (3, *info.shape) for nid, info in analysis.nodes.items()}


def test_nodes_that_do_not_feed_the_output_are_left_out():
    g = Graph()
    x = add(g, "input", shape=[6])
    add(g, "output", [add(g, "dense", [x], units=3)])
    stray = add(g, "dense", [x], units=4)
    if not analyze(g).valid:
        pytest.skip("analysis refuses a dangling branch")
    gm = compile_design(g)
    assert stray not in dict(gm.named_children())
    assert compiled_info(gm).unused == (stray,)


def test_invalid_design_raises_compile_error_naming_the_node():
    g = Graph()
    x = add(g, "input", shape=[1, 8, 8])
    d = add(g, "dense", [x], units=4)
    add(g, "output", [d])
    with pytest.raises(CompileError) as err:
        compile_design(Design(g))
    assert isinstance(err.value, NetbuilderError)
    assert err.value.diagnostics and err.value.diagnostics[0].node_id == d
    text = str(err.value)
    assert text.startswith("the design has") and f"{d}:" in text and "Flatten" in text
    assert "\n" not in text


def test_error_message_lists_several_problems():
    g = Graph()
    x = add(g, "input", shape=[1, 8, 8])
    d1 = add(g, "dense", [x], units=4)
    d2 = add(g, "dense", [x], units=4)
    add(g, "output", [add(g, "add", [d1, d2])])
    with pytest.raises(CompileError) as err:
        compile_design(g)
    n = len(err.value.diagnostics)
    assert n >= 2 and str(err.value).startswith(f"the design has {n} problems: ")
    assert d1 in str(err.value) and d2 in str(err.value)


def test_an_empty_design_does_not_compile():
    with pytest.raises(CompileError):
        compile_design(Graph())


def test_compiled_info_refuses_foreign_modules():
    with pytest.raises(NetbuilderError):
        compiled_info(torch.nn.Linear(2, 2))


def test_two_inputs_become_two_arguments():
    g = Graph()
    a = add(g, "input", shape=[4])
    b = add(g, "input", shape=[6])
    add(g, "output", [add(g, "dense", [add(g, "concat", [b, a])], units=3)])
    gm = compile_design(g)
    info = compiled_info(gm)
    assert info.inputs == (a, b) and info.input_shapes == ((4,), (6,))
    assert readable_code(gm).startswith(f"def forward(self, {a}, {b}):")
    assert "concat_1 = self.concat_1(input_2, input_1)" in readable_code(gm)
    assert forward_shapes(gm, batch=2)["concat_1"] == (2, 10)


def test_a_node_id_that_torch_reserves_is_refused_with_a_hint():
    g = Graph()
    x = add(g, "input", shape=[4])
    g.insert_node(Node("forward", "relu"))
    g.insert_edge(Edge(x, "forward"))
    add(g, "output", ["forward"])
    with pytest.raises(CompileError, match=r"forward: the id .* — rename the node"):
        compile_design(g)
