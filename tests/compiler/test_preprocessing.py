"""Preprocessing travels with the model: compiled models normalise their input themselves, without
touching the design's layers or their state-dict keys; bad records are refused in one line."""

from __future__ import annotations

import pytest
import torch
from _compiler_helpers import add, branchy, lenet5

from netbuilder.compiler import CompileError, compile_design, compiled_info
from netbuilder.compiler.build import with_preprocessing
from netbuilder.compiler.preprocess import (
    IMAGENET_PREPROCESSING,
    PreprocessingError,
    check_preprocessing,
    imagenet_preprocessing,
    input_contract,
)
from netbuilder.graph import Design, Graph

CIFAR = {"scale": 1 / 255, "mean": [0.49, 0.48, 0.45], "std": [0.25, 0.24, 0.26], "kind": "image",
         "input_shape": [3, 16, 16], "class_names": [f"c{i}" for i in range(10)]}


def _randomise(model: torch.nn.Module, seed: int = 3) -> None:
    """Trained-looking weights: random parameters and batch-norm statistics."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=gen) * (1.0 if "running_var" in name else 0.4) +
                        (0.5 if "running_var" in name else -0.2))


def test_the_model_normalises_its_input_and_keeps_the_design_layers():
    design = branchy()
    bare = compile_design(design).eval()
    _randomise(bare)
    gm = compile_design(design, preprocessing=CIFAR).eval()
    assert list(gm.state_dict()) == list(bare.state_dict())  # weights files load either way
    gm.load_state_dict(bare.state_dict())
    info = compiled_info(gm)
    assert info.normalize == "input_normalize" and info.preprocessing["mean"] == CIFAR["mean"]
    children = [name for name, _ in gm.named_children()]
    assert children == ["input_normalize", *info.order]  # every other submodule is a node id
    x = torch.rand(4, 3, 16, 16)
    mean, std = torch.tensor(CIFAR["mean"]).view(-1, 1, 1), torch.tensor(CIFAR["std"]).view(-1, 1, 1)
    with torch.no_grad():
        torch.testing.assert_close(gm(x), bare((x - mean) / std), atol=1e-5, rtol=1e-5)
    assert "self.input_normalize(" in gm.code


def test_without_preprocessing_nothing_changes():
    gm = compile_design(lenet5())
    info = compiled_info(gm)
    assert info.preprocessing is None and info.normalize is None
    assert [n for n, _ in gm.named_children()] == list(info.order)
    assert not list(gm.buffers())


def test_a_table_is_normalised_per_feature():
    g = Graph()
    add(g, "output", [add(g, "dense", [add(g, "input", shape=[3])], units=2)])
    prep = {"mean": [1.0, -2.0, 10.0], "std": [2.0, 0.5, 4.0], "kind": "table"}
    bare, gm = compile_design(g), compile_design(g, preprocessing=prep)
    gm.load_state_dict(bare.state_dict())
    x = torch.tensor([[1.0, -2.0, 10.0], [3.0, -1.5, 14.0]])
    with torch.no_grad():
        torch.testing.assert_close(gm(x), bare(torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])))
    assert "features as they appear in the file" in input_contract([3], check_preprocessing(prep))


def test_a_node_called_input_normalize_keeps_its_name():
    g = Graph()
    from netbuilder.graph import Edge, Node

    inp = add(g, "input", shape=[4])
    g.insert_node(Node("input_normalize", "dense", {"units": 3}))
    g.insert_edge(Edge(inp, "input_normalize", 0))
    add(g, "output", ["input_normalize"])
    gm = compile_design(g, preprocessing={"mean": [0.0], "std": [2.0]})
    assert compiled_info(gm).normalize == "input_normalize_2"
    assert list(gm.state_dict()) == ["input_normalize.weight", "input_normalize.bias"]


def test_wrapping_a_trained_model_shares_its_layers_and_flags():
    bare = compile_design(branchy())
    _randomise(bare)
    bare.get_submodule("batchnorm2d_2").eval()  # a frozen batch norm keeps its mode
    wrapped = with_preprocessing(bare, CIFAR)
    assert wrapped.get_submodule("conv2d_1") is bare.get_submodule("conv2d_1")
    assert bare.get_submodule("batchnorm2d_2").training is False and wrapped.training is True
    assert compiled_info(bare).preprocessing is None  # the original stays bare


@pytest.mark.parametrize("prep, match", [
    ({"mean": [0.5, 0.5], "std": [0.2, 0.2]}, "normalises 2 channels but the model's input is 3×16×16"),
    ({"mean": [0.5], "std": [0.0]}, "above 0"),
    ({"mean": [float("nan")], "std": [1.0]}, "finite"),
    ({"mean": "abc", "std": [1.0]}, "list of numbers"),
    ({"mean": [0.5], "std": [1.0], "kind": "audio"}, "kind"),
])
def test_bad_records_are_refused_in_one_line(prep, match):
    with pytest.raises(PreprocessingError, match=match) as info:
        compile_design(branchy(), preprocessing=prep)
    assert "\n" not in str(info.value)


def test_two_inputs_cannot_take_one_normalisation():
    g = Graph()
    a, b = add(g, "input", shape=[4]), add(g, "input", shape=[4])
    add(g, "output", [add(g, "add", [a, b])])
    with pytest.raises(CompileError, match="2 Input nodes"):
        compile_design(Design(g), preprocessing={"mean": [0.0], "std": [1.0]})


def test_imagenet_preprocessing_is_torchvisions():
    prep = imagenet_preprocessing()
    assert prep["mean"] == [0.485, 0.456, 0.406] and prep["std"] == [0.229, 0.224, 0.225]
    prep["mean"][0] = 9  # a fresh copy each time: the constant cannot be changed by accident
    assert IMAGENET_PREPROCESSING["mean"][0] == 0.485
    contract = input_contract([3, 224, 224], check_preprocessing(IMAGENET_PREPROCESSING))
    assert "values in [0, 1]" in contract and "(0.485, 0.456, 0.406)" in contract
