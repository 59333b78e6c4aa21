"""Gradient norms against a manual computation; hints for vanishing, exploding and dead units."""

import math

import pytest
import torch
from _introspect_models import tiny_graph_module
from torch import nn

from netbuilder.introspect import activation_stats, gradient_norms, health_hints


def test_gradient_norms_are_the_l2_norm_of_each_layers_own_gradients():
    model = tiny_graph_module()
    model(torch.randn(2, 1, 8, 8)).pow(2).sum().backward()
    norms = gradient_norms(model)
    assert list(norms) == ["conv2d_1", "conv2d_2", "batchnorm2d_1", "dense_1"]
    w, b = model.dense_1.weight.grad, model.dense_1.bias.grad
    assert norms["dense_1"] == pytest.approx(math.sqrt(float((w ** 2).sum() + (b ** 2).sum())), rel=1e-6)
    model.conv2d_1.weight.requires_grad_(False)
    model.conv2d_1.weight.grad = None
    model.conv2d_1.bias.grad = None
    assert "conv2d_1" not in gradient_norms(model)


def test_vanishing_gradients_in_a_deep_sigmoid_net_are_reported_first_layer_first():
    torch.manual_seed(0)
    layers = []
    for _ in range(12):
        layers += [nn.Linear(8, 8), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(8, 2))
    nn.functional.cross_entropy(model(torch.randn(16, 8)), torch.randint(0, 2, (16,))).backward()
    norms = gradient_norms(model)
    hints = health_hints(None, norms)
    names = [n for n, _ in hints]
    assert names and names[0] == "0" and "24" not in names  # the last layer is the reference
    assert all("vanishing" in m for _, m in hints)
    assert all(norms[n] < norms["24"] * 1e-3 for n in names)
    assert names == sorted(names, key=int)


def test_exploding_and_not_finite_gradients():
    hints = dict(health_hints({}, {"conv2d_1": float("nan"), "conv2d_2": 5e4, "dense_1": 2.0}))
    assert "diverged" in hints["conv2d_1"] and "NaN" in hints["conv2d_1"]
    assert "exploding" in hints["conv2d_2"] and "5.0e+04" in hints["conv2d_2"]
    assert "dense_1" not in hints


def test_healthy_numbers_give_no_hint():
    stats = {"relu_1": {"dead_fraction": 0.2, "mean": 0.3, "std": 0.5}, "dense_1": {"dead_fraction": None}}
    assert health_hints(stats, {"conv2d_1": 0.01, "dense_1": 0.5}) == []


def test_dead_relus_from_activation_stats():
    lin = nn.Linear(3, 10)
    with torch.no_grad():
        lin.bias.fill_(-100.0)  # every unit's input is negative: all dead
    model = nn.Sequential(lin, nn.ReLU(), nn.Linear(10, 2))
    stats = activation_stats(model, torch.randn(8, 3))
    hints = health_hints(stats, {})
    assert hints == [("1", "many ReLUs in 1 never fire (100% dead): lower the learning rate, use LeakyReLU "
                           "or add BatchNorm")]
    assert health_hints(stats, {}, dead_limit=1.0) == []
