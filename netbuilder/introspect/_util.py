"""Shared helpers of the introspection functions: finding a layer by node id, the model's device,
restoring train/eval modes, batching an input, tiling images into a grid.

Imports torch and numpy (no Qt).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from netbuilder.introspect.errors import IntrospectError

__all__ = ["IntrospectError", "as_batch", "eval_mode", "get_layer", "model_device", "normalise01", "tile", "to_numpy"]


def get_layer(model: nn.Module, node_id: str) -> nn.Module:
    """The submodule named ``node_id`` (a design's node id, or a dotted torch module name)."""
    modules = dict(model.named_modules())
    if node_id and node_id in modules:
        return modules[node_id]
    close = difflib.get_close_matches(str(node_id), [n for n in modules if n], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise IntrospectError(f"the network has no layer called {node_id!r}{hint}: pick one of its layers")


def model_device(model: nn.Module) -> torch.device:
    for t in model.parameters():
        return t.device
    for t in model.buffers():
        return t.device
    return torch.device("cpu")


def model_dtype(model: nn.Module) -> torch.dtype:
    for t in model.parameters():
        if t.is_floating_point():
            return t.dtype
    return torch.float32


def as_batch(x: torch.Tensor | np.ndarray, model: nn.Module) -> torch.Tensor:
    """One input as a batch of one on the model's device and dtype, detached from any graph.

    A 1-D ``(N,)`` vector or a 3-D ``(C, H, W)`` image gets a batch dimension; 2-D and 4-D inputs are
    taken as batches already."""
    t = torch.as_tensor(x)
    if t.dim() in (1, 3):
        t = t.unsqueeze(0)
    return t.detach().to(device=model_device(model), dtype=model_dtype(model)).clone()


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """Put every module in eval mode (no dropout, no BatchNorm statistics update) and give each its own
    mode back afterwards, even when some were in eval mode already (frozen BatchNorm layers)."""
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        yield
    finally:
        for m, training in modes:
            m.training = training


def to_numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(device="cpu", dtype=torch.float32).numpy()


#: A part whose spread (max - min) is under FLAT_RTOL of the largest |value| of the whole array, or under
#: FLAT_ATOL, is flat: drawn in one shade, not stretched to full contrast (which drew rounding noise, a dead
#: ReLU's 1e-7 or a map between 0.30000 and 0.30001, as black-to-white structure). On the whole array's
#: own scale such a part would not move by a quarter of one of 256 grey levels.
FLAT_RTOL = 1e-3
FLAT_ATOL = 1e-6  # (float32 rounding noise of values about 1 is about 1e-7)


def normalise01(a: np.ndarray, axes: tuple[int, ...] | None = None, constant: float = 0.0) -> np.ndarray:
    """Min-max scale ``a`` to [0, 1] over ``axes`` (all when None: one part); a flat part (constant, or
    nearly: see ``FLAT_RTOL``, measured against the whole array, e.g. all maps of a layer) becomes
    ``constant``."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo = a.min(axis=axes, keepdims=True)
    hi = a.max(axis=axes, keepdims=True)
    span = hi - lo
    flat = span < max(FLAT_RTOL * float(np.abs(a).max()), FLAT_ATOL)
    safe = np.where(flat, 1.0, span)
    out = np.where(flat, np.float32(constant), (a - lo) / safe)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def tile(tiles: Sequence[np.ndarray] | np.ndarray, cols: int | None = None, sep: int = 1,
         sep_value: float = 1.0, min_tile: int = 1) -> np.ndarray:
    """Lay equal-sized tiles ``(n, h, w)`` or ``(n, h, w, 3)`` out in a grid, row by row, with ``sep``
    pixels of ``sep_value`` between them (none around the outside). ``cols`` defaults to a near-square
    grid. Unused cells are filled with ``sep_value`` too (the views' grids use NaN, drawn in a tint, so an
    empty cell is not taken for a map or filter all at full strength). Tiles smaller
    than ``min_tile`` pixels are enlarged by a whole factor (each pixel a square of pixels), so that a
    1-pixel gap stays thin beside them (beside a 3×3 kernel it was a third of the kernel)."""
    arr = np.asarray(tiles, dtype=np.float32)
    n = arr.shape[0]
    if n == 0:
        raise IntrospectError("there is nothing to show: the layer has no filters or maps")
    factor = max(1, -(-int(min_tile) // max(1, min(arr.shape[1], arr.shape[2]))))
    if factor > 1:
        arr = arr.repeat(factor, axis=1).repeat(factor, axis=2)
    h, w = arr.shape[1], arr.shape[2]
    cols = max(1, min(cols or math.ceil(math.sqrt(n)), n))
    rows = math.ceil(n / cols)
    shape = (rows * h + (rows - 1) * sep, cols * w + (cols - 1) * sep) + arr.shape[3:]
    grid = np.full(shape, sep_value, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = r * (h + sep), c * (w + sep)
        grid[y:y + h, x:x + w] = arr[i]
    return grid
