"""What a network computes for an input: feature maps of chosen layers, class probabilities, and
per-layer activation statistics (share of dead ReLUs, mean, standard deviation).

Torch in, numpy (float32) and plain Python values out; no Qt. Every function runs the model in eval
mode without gradients, then gives every module its own train/eval mode back and removes its hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch import nn

from netbuilder.compiler.build import node_modules
from netbuilder.compiler.scores import probabilities, scores_of
from netbuilder.errors import NetbuilderError
from netbuilder.introspect._util import (
    IntrospectError,
    as_batch,
    eval_mode,
    get_layer,
    normalise01,
    tile,
    to_numpy,
)

#: Activations whose units can "die" (output never positive whatever the input).
RELU_FAMILY: tuple[type[nn.Module], ...] = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.RReLU)


def _first_tensor(out: Any) -> torch.Tensor | None:
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (tuple, list)):
        for o in out:
            if isinstance(o, torch.Tensor):
                return o
    return None


def forward_seeing(model: nn.Module, x: torch.Tensor, layers: dict[str, nn.Module],
                    seen: Callable[[str, torch.Tensor], None]) -> None:
    """One forward pass of ``x`` (eval mode, no gradients) calling ``seen(name, output)`` as each of
    ``layers`` runs; the hooks are removed whatever happens."""
    def make_hook(name: str):
        def hook(module: nn.Module, args: Any, out: Any) -> None:
            t = _first_tensor(out)
            if t is not None:
                seen(name, t)
        return hook

    handles = [layer.register_forward_hook(make_hook(name)) for name, layer in layers.items()]
    try:
        with eval_mode(model), torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()


def _all_layers(model: nn.Module) -> dict[str, nn.Module]:
    """The layers to look at, by name: a compiled design's node modules (merges too: every node is a
    submodule named by its id), or every leaf module of another model."""
    try:
        return node_modules(model)
    except NetbuilderError:
        return {n: m for n, m in model.named_modules() if n and next(m.children(), None) is None}


def map_layers(model: nn.Module, inputs: torch.Tensor | np.ndarray, min_side: int = 1) -> list[str]:
    """The layers whose output for ``inputs`` (one sample or a batch) is a stack of feature maps (channels ×
    height × width, both sides at least ``min_side``), in the order the network runs them: those on the way
    to the output only (a layer that does not run is not listed). Convolutions, and also merges (Add,
    Concat), activations, normalisation and pooling that keep maps. Empty for a vector input."""
    x = as_batch(inputs, model)
    if x.dim() != 4:
        return []
    maps: dict[str, bool] = {}  # (in the order the layers first ran)

    def seen(name: str, t: torch.Tensor) -> None:
        maps[name] = t.dim() == 4 and min(t.shape[2:]) >= min_side

    forward_seeing(model, x, _all_layers(model), seen)
    return [n for n, ok in maps.items() if ok]


def feature_maps(model: nn.Module, inputs: torch.Tensor | np.ndarray,
                 node_ids: str | Iterable[str]) -> dict[str, np.ndarray]:
    """The outputs of layers ``node_ids`` for ``inputs``, from one forward pass.

    ``inputs`` is a batch, or one sample (``(C, H, W)`` image or ``(N,)`` vector). For a batch of one
    the batch dimension is dropped: ``(C, H, W)`` maps for a convolution layer, ``(N,)`` for a dense
    one; otherwise ``(B, ...)``. A layer run more than once in the forward pass keeps its last output.
    """
    ids = [node_ids] if isinstance(node_ids, str) else list(node_ids)
    layers = {nid: get_layer(model, nid) for nid in ids}
    captured: dict[str, torch.Tensor] = {}

    def seen(nid: str, t: torch.Tensor) -> None:  # clone: a following in-place ReLU must not change it
        captured[nid] = t.detach().clone()

    x = as_batch(inputs, model)
    forward_seeing(model, x, layers, seen)
    missing = [nid for nid in ids if nid not in captured]
    if missing:
        raise IntrospectError(f"{', '.join(missing)} did not run in the forward pass: is it connected to the output?")
    single = x.shape[0] == 1
    return {nid: to_numpy(captured[nid][0] if single else captured[nid]) for nid in ids}


def feature_grid(maps: np.ndarray, max_maps: int = 64, *, normalise: str = "each",
                 sep_value: float = 1.0, min_tile: int = 1) -> np.ndarray:
    """Feature maps ``(C, H, W)`` (or one ``(H, W)`` map) as one image ``(H', W')`` in [0, 1] with
    1-pixel separators; the first ``max_maps`` channels in a near-square grid (maps enlarged to
    ``min_tile`` pixels: see ``tile``).

    ``normalise="each"`` scales every map to its own range (patterns show, strengths do not);
    ``"all"`` uses one range for all maps (a weak map looks weak). A flat map (constant, or nearly next to
    the layer's strongest: ``_util.FLAT_RTOL``) is drawn black, not stretched."""
    m = np.asarray(maps, dtype=np.float32)
    if m.ndim == 2:
        m = m[None]
    if m.ndim != 3:
        raise IntrospectError(
            f"feature maps must be (channels, height, width), not shape {m.shape}: a dense layer's "
            "activations are a vector (show them as bars)")
    m = m[:max_maps]
    if normalise == "each":
        m = normalise01(m, axes=(1, 2))
    elif normalise == "all":
        m = normalise01(m)
    else:
        raise IntrospectError(f"normalise must be 'each' or 'all', not {normalise!r}")
    return tile(m, sep_value=sep_value, min_tile=min_tile)


def class_probabilities(model: nn.Module, x: torch.Tensor | np.ndarray) -> np.ndarray:
    """Class probabilities of the model's output: ``(K,)`` for one sample (or a batch of one), else ``(B, K)``:
    the softmax of its scores, or its own probabilities after a final Sigmoid or Softmax
    (``compiler.scores``). A model with a single output unit is read as binary: ``[1 - p, p]``."""
    xb = as_batch(x, model)
    with eval_mode(model), torch.no_grad():
        logits = _first_tensor(model(xb))
    if logits is None:
        raise IntrospectError("the model's output is not a tensor of class scores")
    probs = probabilities(logits, scores_of(model))
    return to_numpy(probs[0] if probs.shape[0] == 1 else probs)


def _dead_fraction(t: torch.Tensor) -> float:
    """Share of units never positive over the batch. A unit is a feature of a vector ``(B, N)`` and a
    channel of a map ``(B, C, H, W)`` (a filter whose ReLU never fires anywhere on any image)."""
    if t.dim() < 2 or t.shape[0] == 0:
        return float((t <= 0).all())
    alive = (t > 0).transpose(0, 1).reshape(t.shape[1], -1).any(dim=1)
    return float(1.0 - alive.float().mean())


def activation_stats(model: nn.Module, inputs: torch.Tensor | np.ndarray,
                     node_ids: Iterable[str] | None = None) -> dict[str, dict[str, float | None]]:
    """``{node_id: {"dead_fraction", "mean", "std"}}`` of each layer's output over the batch ``inputs``
    (every leaf layer, in the model's order, unless ``node_ids`` names some).

    ``dead_fraction`` is given for ReLU-family layers (see ``RELU_FAMILY``) and is None for the others;
    ``mean`` and ``std`` are over all the output's numbers (population std). Statistics are reduced on
    the model's device inside the hooks, so no activation is kept."""
    if node_ids is None:
        layers = {name: m for name, m in model.named_modules() if name and not any(True for _ in m.children())}
    else:
        layers = {nid: get_layer(model, nid) for nid in node_ids}
    stats: dict[str, dict[str, float | None]] = {}

    def seen(nid: str, t: torch.Tensor) -> None:
        t = t.detach().float()
        stats[nid] = {
            "dead_fraction": _dead_fraction(t) if isinstance(layers[nid], RELU_FAMILY) else None,
            "mean": float(t.mean()) if t.numel() else 0.0,
            "std": float(t.std(unbiased=False)) if t.numel() else 0.0,
        }

    forward_seeing(model, as_batch(inputs, model), layers, seen)
    return {nid: stats[nid] for nid in layers if nid in stats}
