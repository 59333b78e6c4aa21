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
Epsilon = float | Sequence[float]  # one number, or one per channel (ε in pixel units / each channel's std)


@dataclass(frozen=True)
class AdversarialResult:
    """One attack's outcome. Arrays have the input's per-sample shape (e.g. ``(C, H, W)``).

    ``perturbation_display`` maps the perturbation to [0, 1] around 0.5 (grey = unchanged), scaled
    so that the largest change reaches 0 or 1: the amplified view of a tiny ε. ``epsilon`` is as given:
    one number, or a tuple of one per channel."""

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
    epsilon: float | tuple[float, ...]
    steps: int

    @property
    def changed(self) -> bool:
        """The attack changed the predicted class."""
        return self.adversarial_class != self.original_class

    @property
    def max_change(self) -> float:
        return float(np.abs(self.perturbation).max()) if self.perturbation.size else 0.0


def amplified(delta: np.ndarray | torch.Tensor) -> np.ndarray:
    """A perturbation mapped to [0, 1] around 0.5 (grey = unchanged), scaled so that the largest change
    reaches 0 or 1."""
    d = delta.detach().cpu().double().numpy() if isinstance(delta, torch.Tensor) else np.asarray(delta, np.float64)
    peak = float(np.abs(d).max()) if d.size else 0.0
    shown = 0.5 + d / (2 * peak) if peak > 0 else np.full_like(d, 0.5)
    return np.clip(shown, 0.0, 1.0).astype(np.float32)


def _bound(value: Bound, ref: torch.Tensor, what: str = "a clamp bound") -> torch.Tensor | None:
    """A clamp bound (or ε, or a step) as a tensor broadcastable over the batch: one number, or one per
    channel."""
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
        f"{what} must be one number or one per channel ({ref.shape[1]}), not {list(t.shape)} numbers")


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


def _epsilon_value(epsilon: Epsilon | torch.Tensor) -> float | tuple[float, ...]:
    """ε as plain numbers (one, or one per channel), checked to be finite and at least 0."""
    values = np.asarray(epsilon.detach().cpu() if isinstance(epsilon, torch.Tensor) else epsilon,
                        dtype=np.float64)
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise IntrospectError(f"epsilon must be a number of at least 0 (or one per channel), not {epsilon}")
    return float(values) if values.ndim == 0 else tuple(float(v) for v in values.ravel())


def _prepare(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int, epsilon: Epsilon
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(input batch, target, probabilities before, ε as a tensor broadcastable over the batch)``."""
    value = _epsilon_value(epsilon)
    xb = as_batch(x, model)
    if xb.shape[0] != 1:
        raise IntrospectError(f"attack one input at a time, not a batch of {xb.shape[0]}")
    eps = _bound(value, xb, "epsilon")
    assert eps is not None  # for the type checker: ε is never None
    with torch.no_grad():
        logits = _logits(model, xb)
    probs = probabilities(logits, scores_of(model))[0]
    if not 0 <= int(target_class) < probs.numel():
        raise IntrospectError(f"class {target_class} does not exist: the network has classes 0 to {probs.numel() - 1}")
    return xb, torch.tensor([int(target_class)], device=xb.device), probs, eps


def _result(model: nn.Module, x: torch.Tensor, x_adv: torch.Tensor, probs_before: torch.Tensor,
            target_class: int, epsilon: Epsilon, steps: int) -> AdversarialResult:
    with torch.no_grad():
        probs_after = probabilities(_logits(model, x_adv), scores_of(model))[0]
    delta = (x_adv - x)[0]
    before, after = int(probs_before.argmax()), int(probs_after.argmax())
    return AdversarialResult(
        image=to_numpy(x_adv[0]),
        perturbation=to_numpy(delta),
        perturbation_display=amplified(delta),
        true_class=int(target_class),
        original_class=before,
        original_probability=float(probs_before[before]),
        adversarial_class=after,
        adversarial_probability=float(probs_after[after]),
        true_probability_before=float(probs_before[int(target_class)]),
        true_probability_after=float(probs_after[int(target_class)]),
        epsilon=_epsilon_value(epsilon),
        steps=steps,
    )


def fgsm(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int, epsilon: Epsilon,
         clamp: tuple[Bound, Bound] | None = None) -> AdversarialResult:
    """FGSM (Goodfellow et al. 2015): ``x_adv = clamp(x + ε·sign(∇x loss(x, true class)))``.

    ``target_class`` is the true class; ``epsilon`` one number or one per channel (for normalised images
    ``ε_pixels / std``, so that every pixel of every channel moves by ε_pixels); ``clamp = (lo, hi)`` is
    the range valid inputs take (numbers or one per channel, e.g. ``((0 - mean) / std, (1 - mean) / std)``
    for normalised images); None: no clamp."""
    with eval_mode(model):
        xb, target, probs, eps = _prepare(model, x, target_class, epsilon)
        grad = _loss_grad(model, xb, target)
        with torch.no_grad():
            x_adv = _clamp(xb + eps * grad.sign(), clamp)
        return _result(model, xb, x_adv, probs, target_class, epsilon, steps=1)


def pgd(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int, epsilon: Epsilon, steps: int = 10,
        step_size: Bound = None, clamp: tuple[Bound, Bound] | None = None,
        random_start: bool = False, seed: int | None = None) -> AdversarialResult:
    """PGD in the L∞ ball (Madry et al. 2018): ``steps`` FGSM steps of ``step_size`` (default
    ``2.5·ε / steps``), each followed by projection back onto ``|x_adv - x| ≤ ε`` and the clamp.
    ``random_start`` begins at a uniform random point of the ball (``seed`` makes it repeatable).
    ``epsilon`` and ``step_size``: one number or one per channel, as in ``fgsm``."""
    if steps < 0:
        raise IntrospectError(f"steps must be 0 or more, not {steps}")
    with eval_mode(model):
        xb, target, probs, eps = _prepare(model, x, target_class, epsilon)
        alpha = 2.5 * eps / max(steps, 1) if step_size is None else _bound(step_size, xb, "the step size")
        x_adv = xb.clone()
        if random_start and bool((eps > 0).any()):
            gen = torch.Generator(device=xb.device)
            if seed is not None:
                gen.manual_seed(seed)
            noise = torch.rand(xb.shape, generator=gen, device=xb.device, dtype=xb.dtype)
            x_adv = _clamp(xb + (2 * noise - 1) * eps, clamp)
        for _ in range(steps):
            grad = _loss_grad(model, x_adv, target)
            with torch.no_grad():
                x_adv = x_adv + alpha * grad.sign()
                x_adv = torch.minimum(torch.maximum(x_adv, xb - eps), xb + eps)
                x_adv = _clamp(x_adv, clamp)
        return _result(model, xb, x_adv.detach(), probs, target_class, epsilon, steps=steps)
