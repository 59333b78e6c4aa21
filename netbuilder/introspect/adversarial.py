"""Adversarial examples: the fast gradient sign method (FGSM) and projected gradient descent (PGD) in
the L∞ ball, with what the student needs to see (perturbed image, amplified perturbation, how the
prediction and its probability change).

Torch in, numpy (float32) and plain values out; no Qt. The model runs in eval mode; gradients are
taken with respect to the input only (parameters' ``.grad`` untouched); modes come back as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from netbuilder.compiler.scores import as_logits, probabilities, scores_of
from netbuilder.introspect._util import IntrospectError, as_batch, eval_mode, to_numpy

Bound = float | Sequence[float] | None


@dataclass(frozen=True)
class AdversarialResult:
    """One attack's outcome. Arrays have the input's per-sample shape (e.g. ``(C, H, W)``).

    ``perturbation_display`` maps the perturbation to [0, 1] around 0.5 (grey = unchanged), scaled
    so that the largest change reaches 0 or 1: the amplified view of a tiny ε."""

    image: np.ndarray
    perturbation: np.ndarray
    perturbation_display: np.ndarray
    true_class: int
    original_class: int
    original_probability: float
    adversarial_class: int
    adversarial_probability: float
    true_probability_before: float
    true_probability_after: float
    epsilon: float
    steps: int

    @property
    def changed(self) -> bool:
        """The attack changed the predicted class."""
        return self.adversarial_class != self.original_class

    @property
    def max_change(self) -> float:
        return float(np.abs(self.perturbation).max()) if self.perturbation.size else 0.0


def _bound(value: Bound, ref: torch.Tensor) -> torch.Tensor | None:
    """A clamp bound as a tensor broadcastable over the batch: one number, or one per channel."""
    if value is None:
        return None
    t = torch.as_tensor(value, dtype=ref.dtype, device=ref.device)
    if t.dim() == 0:
        return t
    if t.dim() == 1 and ref.dim() == 4 and t.numel() == ref.shape[1]:
        return t.reshape(1, -1, 1, 1)
    if t.dim() == 1 and t.numel() == 1:
        return t.reshape(())
    raise IntrospectError(
        f"a clamp bound must be one number or one per channel ({ref.shape[1]}), not {list(t.shape)} numbers")


def _clamp(x: torch.Tensor, clamp: tuple[Bound, Bound] | None) -> torch.Tensor:
    if clamp is None:
        return x
    lo, hi = _bound(clamp[0], x), _bound(clamp[1], x)
    if lo is not None:
        x = torch.maximum(x, lo)
    if hi is not None:
        x = torch.minimum(x, hi)
    return x


def _logits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    out = model(x)
    if isinstance(out, (tuple, list)):
        out = out[0]
    return out.reshape(out.shape[0], -1)


def _loss_grad(model: nn.Module, x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d loss(true class) / d x: cross-entropy, or binary cross-entropy for one output unit (of the logits
    behind a final Sigmoid or Softmax)."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        logits = as_logits(_logits(model, x), scores_of(model))
        if logits.shape[1] == 1:
            loss = F.binary_cross_entropy_with_logits(logits[:, 0], target.to(logits.dtype))
        else:
            loss = F.cross_entropy(logits, target)
        (grad,) = torch.autograd.grad(loss, x)
    return grad


def _prepare(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int,
             epsilon: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    if not np.isfinite(epsilon) or epsilon < 0:
        raise IntrospectError(f"epsilon must be a number of at least 0, not {epsilon}")
    xb = as_batch(x, model)
    if xb.shape[0] != 1:
        raise IntrospectError(f"attack one input at a time, not a batch of {xb.shape[0]}")
    with torch.no_grad():
        logits = _logits(model, xb)
    probs = probabilities(logits, scores_of(model))[0]
    if not 0 <= int(target_class) < probs.numel():
        raise IntrospectError(f"class {target_class} does not exist: the network has classes 0 to {probs.numel() - 1}")
    return xb, torch.tensor([int(target_class)], device=xb.device), probs


def _result(model: nn.Module, x: torch.Tensor, x_adv: torch.Tensor, probs_before: torch.Tensor,
            target_class: int, epsilon: float, steps: int) -> AdversarialResult:
    with torch.no_grad():
        probs_after = probabilities(_logits(model, x_adv), scores_of(model))[0]
    delta = (x_adv - x)[0]
    peak = float(delta.abs().max()) if delta.numel() else 0.0
    display = 0.5 + delta / (2 * peak) if peak > 0 else torch.full_like(delta, 0.5)
    before, after = int(probs_before.argmax()), int(probs_after.argmax())
    return AdversarialResult(
        image=to_numpy(x_adv[0]),
        perturbation=to_numpy(delta),
        perturbation_display=to_numpy(display.clamp(0, 1)),
        true_class=int(target_class),
        original_class=before,
        original_probability=float(probs_before[before]),
        adversarial_class=after,
        adversarial_probability=float(probs_after[after]),
        true_probability_before=float(probs_before[int(target_class)]),
        true_probability_after=float(probs_after[int(target_class)]),
        epsilon=float(epsilon),
        steps=steps,
    )


def fgsm(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int, epsilon: float,
         clamp: tuple[Bound, Bound] | None = None) -> AdversarialResult:
    """FGSM (Goodfellow et al. 2015): ``x_adv = clamp(x + ε·sign(∇x loss(x, true class)))``.

    ``target_class`` is the true class; ``clamp = (lo, hi)`` is the range valid inputs take (numbers or
    one per channel, e.g. ``((0 - mean) / std, (1 - mean) / std)`` for normalised images); None: no clamp."""
    with eval_mode(model):
        xb, target, probs = _prepare(model, x, target_class, epsilon)
        grad = _loss_grad(model, xb, target)
        with torch.no_grad():
            x_adv = _clamp(xb + epsilon * grad.sign(), clamp)
        return _result(model, xb, x_adv, probs, target_class, epsilon, steps=1)


def pgd(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int, epsilon: float, steps: int = 10,
        step_size: float | None = None, clamp: tuple[Bound, Bound] | None = None,
        random_start: bool = False, seed: int | None = None) -> AdversarialResult:
    """PGD in the L∞ ball (Madry et al. 2018): ``steps`` FGSM steps of ``step_size`` (default
    ``2.5·ε / steps``), each followed by projection back onto ``|x_adv - x| ≤ ε`` and the clamp.
    ``random_start`` begins at a uniform random point of the ball (``seed`` makes it repeatable)."""
    if steps < 0:
        raise IntrospectError(f"steps must be 0 or more, not {steps}")
    alpha = 2.5 * epsilon / max(steps, 1) if step_size is None else float(step_size)
    with eval_mode(model):
        xb, target, probs = _prepare(model, x, target_class, epsilon)
        x_adv = xb.clone()
        if random_start and epsilon > 0:
            gen = torch.Generator(device=xb.device)
            if seed is not None:
                gen.manual_seed(seed)
            noise = torch.rand(xb.shape, generator=gen, device=xb.device, dtype=xb.dtype)
            x_adv = _clamp(xb + (2 * noise - 1) * epsilon, clamp)
        for _ in range(steps):
            grad = _loss_grad(model, x_adv, target)
            with torch.no_grad():
                x_adv = x_adv + alpha * grad.sign()
                x_adv = torch.minimum(torch.maximum(x_adv, xb - epsilon), xb + epsilon)
                x_adv = _clamp(x_adv, clamp)
        return _result(model, xb, x_adv.detach(), probs, target_class, epsilon, steps=steps)
