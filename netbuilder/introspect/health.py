"""Training health: each layer's gradient norm after a backward pass, and plain-language hints when
something is wrong (vanishing or exploding gradients, dead ReLUs), with what to do about it.

Torch in (gradient_norms only), plain Python values out; no Qt. ``health_hints`` is pure Python, so
the window can run it on values the training thread sent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

DEAD_LIMIT = 0.5  # more than this share of a ReLU layer's units never firing is a problem
VANISHING_RATIO = 1e-3  # a layer's gradient norm below this times the last layer's: vanishing
EXPLODING_NORM = 1e3  # a gradient norm above this: exploding


def gradient_norms(model: nn.Module) -> dict[str, float]:
    """``{node_id: L2 norm of the gradients of the layer's own parameters}`` after a backward pass, in
    the model's layer order. Layers without gradients (frozen, or not reached) are left out; a norm is
    ``inf`` or ``nan`` when the gradients are."""
    out: dict[str, float] = {}
    for name, module in model.named_modules():
        grads = [p.grad for p in module.parameters(recurse=False) if p.grad is not None]
        if not grads:
            continue
        total = torch.zeros((), dtype=torch.float64, device=grads[0].device)
        for g in grads:
            total = total + g.detach().double().pow(2).sum()
        out[name or "model"] = float(total.sqrt())
    return out


def _fmt(v: float) -> str:
    return f"{v:.1e}" if (v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e4)) else f"{v:.3g}"


def health_hints(stats: Mapping[str, Mapping[str, Any]] | None,
                 grad_norms: Mapping[str, float] | None, *, dead_limit: float = DEAD_LIMIT,
                 vanishing_ratio: float = VANISHING_RATIO,
                 exploding_norm: float = EXPLODING_NORM) -> list[tuple[str, str]]:
    """``[(node_id, message)]`` for each problem found, in the order of the layers.

    - ``stats``: ``activation_stats`` output; a ReLU layer with ``dead_fraction > dead_limit`` is
      reported as dead units.
    - ``grad_norms``: ``gradient_norms`` output, in the network's order; the last layer with a
      finite, non-zero norm is the reference: a layer ``vanishing_ratio`` times below it has vanishing
      gradients; a norm above ``exploding_norm`` (or NaN / infinite) is exploding.
    """
    hints: list[tuple[str, str]] = []
    order: dict[str, int] = {}
    for name in list(grad_norms or {}) + list(stats or {}):
        order.setdefault(name, len(order))

    norms = dict(grad_norms or {})
    finite = [(n, v) for n, v in norms.items() if math.isfinite(v) and v > 0]
    ref_name, ref = finite[-1] if finite else (None, 0.0)
    for name, v in norms.items():
        if not math.isfinite(v):
            hints.append((name, f"the gradients in {name} are not numbers (NaN or infinite): training has "
                                "diverged; lower the learning rate, clip gradients, and start again"))
        elif v > exploding_norm:
            hints.append((name, f"the gradients in {name} are very large (norm {_fmt(v)}): exploding gradients; "
                                "lower the learning rate, clip gradients or add BatchNorm"))
        elif ref > 0 and name != ref_name and v < ref * vanishing_ratio:
            factor = ref / v if v > 0 else math.inf
            how = f"{_fmt(factor)} times smaller than" if v > 0 else "zero, unlike"
            hints.append((name, f"the gradients reaching {name} are {how} at the last layer ({ref_name}): "
                                "vanishing gradients, so it barely learns; use ReLU instead of sigmoid or "
                                "tanh, add BatchNorm or skip connections"))

    for name, st in (stats or {}).items():
        dead = st.get("dead_fraction")
        if dead is not None and dead > dead_limit:
            hints.append((name, f"many ReLUs in {name} never fire ({dead:.0%} dead): lower the learning "
                                "rate, use LeakyReLU or add BatchNorm"))
    hints.sort(key=lambda h: order.get(h[0], len(order)))
    return hints
