"""Freezing: frozen weights stay put through optimiser steps (momentum and weight decay too)."""

import pytest
import torch
from _introspect_models import tiny_graph_module
from torch import nn

from netbuilder.introspect import IntrospectError, apply_frozen_bn_eval, freeze, frozen_nodes, unfreeze


def _step(model, opt):
    opt.zero_grad(set_to_none=False)
    model(torch.randn(4, 1, 8, 8)).pow(2).mean().backward()
    opt.step()


def test_frozen_weights_unchanged_after_optimiser_steps_while_the_others_change():
    torch.manual_seed(0)
    model = tiny_graph_module()
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01, foreach=False)
    _step(model, opt)  # momentum buffers and .grad now exist for every parameter
    freeze(model, ["conv2d_1", "batchnorm2d_1"])
    assert model.conv2d_1.weight.grad is None
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for _ in range(2):
        model.train()
        apply_frozen_bn_eval(model)
        _step(model, opt)
    after = model.state_dict()
    for k in ("conv2d_1.weight", "conv2d_1.bias", "batchnorm2d_1.weight", "batchnorm2d_1.bias",
              "batchnorm2d_1.running_mean", "batchnorm2d_1.running_var"):
        assert torch.equal(before[k], after[k]), k
    for k in ("conv2d_2.weight", "dense_1.weight", "dense_1.bias"):
        assert not torch.equal(before[k], after[k]), k


def test_frozen_nodes_and_unfreeze():
    model = tiny_graph_module()
    assert frozen_nodes(model) == set()
    freeze(model, "conv2d_2")
    freeze(model, ["dense_1"])
    assert frozen_nodes(model) == {"conv2d_2", "dense_1"}
    model.dense_1.bias.requires_grad_(True)  # partly trainable is not frozen
    assert frozen_nodes(model) == {"conv2d_2"}
    unfreeze(model, ["conv2d_2", "dense_1"])
    assert frozen_nodes(model) == set()
    assert all(p.requires_grad for p in model.parameters())


def test_frozen_batchnorm_kept_in_eval_and_released_on_unfreeze():
    model = tiny_graph_module()
    model.train()
    freeze(model, "batchnorm2d_1")
    assert not model.batchnorm2d_1.training and model.conv2d_1.training
    model.train()
    assert apply_frozen_bn_eval(model) == ["batchnorm2d_1"]
    assert not model.batchnorm2d_1.training
    unfreeze(model, "batchnorm2d_1")
    assert model.batchnorm2d_1.training


def test_a_frozen_block_is_named_once():
    model = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)), nn.Linear(2, 2))
    freeze(model, "0")
    assert frozen_nodes(model) == {"0"}
    assert apply_frozen_bn_eval(model) == ["0.1"]


def test_unknown_node_changes_nothing():
    model = tiny_graph_module()
    with pytest.raises(IntrospectError, match="no layer called 'conv2d_9'"):
        freeze(model, ["conv2d_1", "conv2d_9"])
    assert frozen_nodes(model) == set()
