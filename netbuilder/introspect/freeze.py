"""Transfer learning support: freeze and unfreeze layers by node id, list the frozen ones, and keep
frozen BatchNorm layers in eval mode (so their running statistics stay those of the pretrained net).

Torch only; no Qt. A layer is frozen when all its parameters have ``requires_grad`` False.
"""

from __future__ import annotations

from collections.abc import Iterable

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from netbuilder.introspect._util import get_layer


def _ids(node_ids: str | Iterable[str]) -> list[str]:
    return [node_ids] if isinstance(node_ids, str) else list(node_ids)


def freeze(model: nn.Module, node_ids: str | Iterable[str]) -> None:
    """Stop training layers ``node_ids``: their parameters get ``requires_grad=False`` and lose any
    ``.grad`` (so an optimiser step, momentum and weight decay included, leaves them alone), and their
    BatchNorm layers go to eval mode. Call ``apply_frozen_bn_eval`` again after every ``model.train()``."""
    layers = [get_layer(model, nid) for nid in _ids(node_ids)]  # check every id before changing anything
    for layer in layers:
        for p in layer.parameters():
            p.requires_grad_(False)
            p.grad = None
        for m in layer.modules():
            if isinstance(m, _BatchNorm):
                m.eval()


def unfreeze(model: nn.Module, node_ids: str | Iterable[str]) -> None:
    """Train layers ``node_ids`` again; their BatchNorm layers follow the model's train/eval mode."""
    layers = [get_layer(model, nid) for nid in _ids(node_ids)]
    for layer in layers:
        for p in layer.parameters():
            p.requires_grad_(True)
        for m in layer.modules():
            if isinstance(m, _BatchNorm):
                m.train(model.training)


def frozen_nodes(model: nn.Module) -> set[str]:
    """The names of the frozen layers: modules with parameters, all of them ``requires_grad=False``.
    Only the outermost is named when a whole block is frozen (``layer1``, not also ``layer1.0.conv1``);
    the model itself is never named."""
    frozen = set()
    for name, module in model.named_modules():
        if not name:
            continue
        params = list(module.parameters())
        if params and not any(p.requires_grad for p in params):
            frozen.add(name)
    return {n for n in frozen if not any(n.startswith(f"{other}.") for other in frozen)}


def apply_frozen_bn_eval(model: nn.Module, node_ids: str | Iterable[str] | None = None) -> list[str]:
    """Put the BatchNorm layers inside ``node_ids`` (default: the frozen layers) in eval mode, so their
    running mean and variance are used and not updated. Returns the names of the BatchNorm modules
    changed. The training loop calls it after each ``model.train()``."""
    ids = sorted(frozen_nodes(model)) if node_ids is None else _ids(node_ids)
    named = {m: n for n, m in model.named_modules()}
    changed = []
    for nid in ids:
        for m in get_layer(model, nid).modules():
            if isinstance(m, _BatchNorm):
                m.eval()
                changed.append(named[m])
    return changed
