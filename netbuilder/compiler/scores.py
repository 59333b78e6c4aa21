"""What a model's output is: class scores (logits, the usual), or probabilities already, when the design puts
a Sigmoid or a Softmax just before its Output (as the lecture draws the neuron: a weighted sum, then a
sigmoid). The loss, the predictions and every view read the output through here, so a final Sigmoid is
not squashed a second time (a sigmoid's output is always > 0: read as a logit, every answer was "yes")
and a final Softmax is not softmaxed again.

Imports torch only.
"""

from __future__ import annotations

import torch
from torch import nn

LOGITS, SIGMOID, SOFTMAX = "logits", "sigmoid", "softmax"
EPS = 1e-7  # probabilities are kept this far from 0 and 1 when read back as logits (|logit| <= 16)


def scores_of(model: nn.Module) -> str:
    """``"logits"``, ``"sigmoid"`` or ``"softmax"``: what ``model`` returns. A compiled design says it
    (``CompiledInfo.scores``); a plain ``nn.Sequential`` by its last module; anything else gives logits."""
    meta = getattr(model, "meta", None)
    info = meta.get("netbuilder") if isinstance(meta, dict) else None
    if info is not None and getattr(info, "scores", None):
        return info.scores
    if isinstance(model, nn.Sequential) and len(model):
        last = model[-1]
        if isinstance(last, nn.Sigmoid):
            return SIGMOID
        if isinstance(last, nn.Softmax):
            return SOFTMAX
    return LOGITS


def as_logits(out: torch.Tensor, scores: str) -> torch.Tensor:
    """The class scores behind ``out``: ``out`` itself for logits; ``log p - log(1 - p)`` for a sigmoid's
    probabilities; ``log p`` for a softmax's (logits up to a constant, which softmax ignores)."""
    if scores == SIGMOID:
        p = out.clamp(EPS, 1 - EPS)
        return torch.log(p) - torch.log1p(-p)
    if scores == SOFTMAX:
        return torch.log(out.clamp_min(EPS))
    return out


def probabilities(out: torch.Tensor, scores: str = LOGITS) -> torch.Tensor:
    """Class probabilities ``(B, K)`` of a batch of outputs. One output unit is a yes/no classifier:
    ``[1 - p, p]``, ``p`` its sigmoid (or the unit itself, after a Sigmoid)."""
    out = out.float().reshape(out.shape[0], -1)
    if out.shape[1] == 1:
        p = out.clamp(0, 1) if scores == SIGMOID else torch.sigmoid(as_logits(out, scores))
        return torch.cat([1 - p, p], dim=1)
    if scores == SOFTMAX:
        return out
    if scores == SIGMOID:  # several sigmoids (each class on its own): their shares
        return out / out.sum(dim=1, keepdim=True).clamp_min(EPS)
    return torch.softmax(out, dim=1)
