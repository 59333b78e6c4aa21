"""What a network learnt, read from its weights: convolution kernels as an image grid, and histograms
of every layer's weights and gradients.

Torch in, numpy (float32) out; no Qt. Layers are addressed by node id (the submodule's name).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from netbuilder.introspect._util import IntrospectError, get_layer, normalise01, tile, to_numpy

Histogram = tuple[np.ndarray, np.ndarray]


def conv_filters(model: nn.Module, node_id: str) -> np.ndarray:
    """The kernels of convolution layer ``node_id`` as ``(out, in, kh, kw)`` (``in`` per group)."""
    layer = get_layer(model, node_id)
    weight = getattr(layer, "weight", None)
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4:
        raise IntrospectError(
            f"{node_id} is a {type(layer).__name__}, not a 2-D convolution: pick a Conv2d layer to see its filters")
    return to_numpy(weight)


def filter_grid(weights: np.ndarray, rgb: bool | None = None, *, max_filters: int = 64,
                max_channels: int = 16, sep_value: float = 1.0, min_tile: int = 1) -> np.ndarray:
    """The kernels ``(out, in, kh, kw)`` as one image in [0, 1] with 1-pixel separators (kernels enlarged
    to ``min_tile`` pixels: see ``tile``).

    Each filter (one output channel, all its input channels together) is min-max normalised on its
    own, so that its pattern shows whatever its scale; a constant filter is drawn black.

    - ``rgb`` (default: when there are 3 input channels, the first layer of a colour network): each
      filter is one colour tile ``(kh, kw, 3)``; tiles fill a near-square grid -> ``(H, W, 3)``.
    - one input channel: each filter is one grey tile in a near-square grid -> ``(H, W)``.
    - otherwise: one row per filter (at most ``max_filters``), one column per input channel (at most
      ``max_channels``) -> ``(H, W)``.
    """
    w = np.asarray(weights, dtype=np.float32)
    if w.ndim != 4:
        raise IntrospectError(f"filters must be (out, in, kh, kw), not an array of shape {w.shape}")
    out_c, in_c = w.shape[:2]
    if rgb is None:
        rgb = in_c == 3
    if rgb and in_c != 3:
        raise IntrospectError(f"colour filters need 3 input channels, these have {in_c}")
    w = w[:max_filters]
    if rgb:
        tiles = normalise01(w, axes=(1, 2, 3)).transpose(0, 2, 3, 1)  # (n, kh, kw, 3)
        return tile(tiles, sep_value=sep_value, min_tile=min_tile)
    if in_c == 1:
        return tile(normalise01(w, axes=(1, 2, 3))[:, 0], sep_value=sep_value, min_tile=min_tile)
    w = normalise01(w, axes=(1, 2, 3))[:, :max_channels]
    n, c, kh, kw = w.shape
    return tile(w.reshape(n * c, kh, kw), cols=c, sep_value=sep_value, min_tile=min_tile)


def _histogram(t: torch.Tensor, bins: int) -> Histogram:
    """``(counts, edges)`` like ``numpy.histogram(t, bins)``, counted on the tensor's own device
    (bincount, which stays allowed under deterministic algorithms, unlike histc on CUDA).
    Non-finite values are left out; a constant tensor gets the unit-wide range numpy would use."""
    if bins < 1:
        raise IntrospectError(f"a histogram needs at least 1 bin, not {bins}")
    flat = t.detach().reshape(-1).float()
    flat = flat[torch.isfinite(flat)]
    if flat.numel() == 0:
        return np.zeros(bins, np.float32), np.linspace(-0.5, 0.5, bins + 1, dtype=np.float32)
    lo, hi = (float(v) for v in torch.aminmax(flat))
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    idx = ((flat - lo) * (bins / (hi - lo))).floor().long().clamp_(0, bins - 1)
    counts = torch.bincount(idx, minlength=bins)
    return to_numpy(counts), np.linspace(lo, hi, bins + 1).astype(np.float32)


def _own_tensor(module: nn.Module, grads: bool) -> torch.Tensor | None:
    """The module's weight (or, without one, all its own parameters together), or their gradients."""
    params = dict(module.named_parameters(recurse=False))
    chosen = [params["weight"]] if "weight" in params else list(params.values())
    tensors = [p.grad if grads else p for p in chosen]
    tensors = [t for t in tensors if t is not None]
    if not tensors:
        return None
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def _histograms(model: nn.Module, bins: int, grads: bool) -> dict[str, Histogram]:
    out: dict[str, Histogram] = {}
    for name, module in model.named_modules():
        t = _own_tensor(module, grads)
        if t is not None and t.numel() > 0:
            out[name or "model"] = _histogram(t, bins)
    return out


def weight_histograms(model: nn.Module, bins: int = 30) -> dict[str, Histogram]:
    """``{node_id: (counts, edges)}`` of each layer's weights (its biases when it has no weight), in the
    model's layer order. ``counts`` has ``bins`` entries, ``edges`` ``bins + 1``."""
    return _histograms(model, bins, grads=False)


def grad_histograms(model: nn.Module, bins: int = 30) -> dict[str, Histogram]:
    """The same for the gradients of the last backward pass; layers without ``.grad`` are left out."""
    return _histograms(model, bins, grads=True)

