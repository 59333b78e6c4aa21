"""Small hand-written models for the introspect tests, and a check that a call left no trace
(no hooks, same train/eval modes, same requires_grad flags, parameters' .grad untouched)."""

from __future__ import annotations

import contextlib

import torch
from torch import fx, nn


class TinyNet(nn.Module):
    """conv -> relu -> pool -> conv -> relu -> global pool -> flatten -> dense, named like node ids."""

    def __init__(self, in_ch: int = 1, classes: int = 3):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(in_ch, 4, 3, padding=1)
        self.relu_1 = nn.ReLU(inplace=True)
        self.maxpool2d_1 = nn.MaxPool2d(2)
        self.conv2d_2 = nn.Conv2d(4, 6, 3, padding=1)
        self.batchnorm2d_1 = nn.BatchNorm2d(6)
        self.relu_2 = nn.ReLU()
        self.adaptive_avgpool2d_1 = nn.AdaptiveAvgPool2d(1)
        self.flatten_1 = nn.Flatten()
        self.dropout_1 = nn.Dropout(0.5)
        self.dense_1 = nn.Linear(6, classes)

    def forward(self, x):
        x = self.maxpool2d_1(self.relu_1(self.conv2d_1(x)))
        x = self.relu_2(self.batchnorm2d_1(self.conv2d_2(x)))
        return self.dense_1(self.dropout_1(self.flatten_1(self.adaptive_avgpool2d_1(x))))


def tiny_graph_module(in_ch: int = 1, classes: int = 3, seed: int = 0) -> fx.GraphModule:
    torch.manual_seed(seed)
    return fx.symbolic_trace(TinyNet(in_ch, classes))


def snapshot(model: nn.Module) -> dict:
    return {
        "modes": {n: m.training for n, m in model.named_modules()},
        "flags": {n: p.requires_grad for n, p in model.named_parameters()},
        "grads": {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()},
        "state": {k: v.clone() for k, v in model.state_dict().items()},
    }


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(getattr(m, "_backward_pre_hooks", {})) for m in model.modules())


@contextlib.contextmanager
def leaves_no_trace(model: nn.Module):
    """Assert the block leaves the model exactly as it found it."""
    before = snapshot(model)
    hooks = hook_count(model)
    yield
    after = snapshot(model)
    assert hook_count(model) == hooks, "hooks left registered"
    assert after["modes"] == before["modes"], "train/eval modes changed"
    assert after["flags"] == before["flags"], "requires_grad flags changed"
    for name, g in before["grads"].items():
        g2 = after["grads"][name]
        assert (g is None) == (g2 is None) and (g is None or torch.equal(g, g2)), f".grad of {name} changed"
    for k, v in before["state"].items():
        assert torch.equal(v, after["state"][k]), f"{k} changed (BatchNorm statistics updated?)"
