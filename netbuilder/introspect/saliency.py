"""Why a network decides: vanilla gradient saliency, Grad-CAM on a chosen layer (by default the last
layer with feature maps, ``cam_layers``), occlusion sensitivity, and an overlay of a heat map on the image
with a small built-in colour map.

Saliency and Grad-CAM differentiate the class score, the logit: when the design ends with a Softmax or
a Sigmoid (``scores_of``), the score is read at that layer's input, so a network explains the same with
or without it (the gradient of a confident probability all but vanishes). Occlusion measures the drop
in the class's probability.

Torch in, numpy (float32) out; no Qt, no matplotlib. The model runs in eval mode; gradients are taken
with ``torch.autograd.grad`` with respect to the input or a layer's output only, so the parameters'
``.grad`` stay untouched; every module's mode comes back and every hook is removed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import fx, nn

from netbuilder.compiler.scores import LOGITS, as_logits, probabilities, scores_of
from netbuilder.introspect._util import IntrospectError, as_batch, eval_mode, get_layer, to_numpy
from netbuilder.introspect.activations import map_layers


def _logits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's output ``(B, K)``: class scores or, after a final Sigmoid / Softmax, probabilities."""
    out = model(x)
    if isinstance(out, (tuple, list)):
        out = out[0]
    return out.reshape(out.shape[0], -1)


def final_squash(model: nn.Module) -> nn.Module | None:
    """The final Softmax or Sigmoid module that turns the class scores into the probabilities ``model``
    returns (``scores_of``), or None: the model returns logits, or squashes them some other way."""
    if scores_of(model) == LOGITS:
        return None
    last: nn.Module | None = None
    if isinstance(model, fx.GraphModule):  # a compiled design: the node the output returns
        out = next((n for n in reversed(model.graph.nodes) if n.op == "output"), None)
        arg = out.args[0] if out is not None and out.args else None
        if isinstance(arg, fx.Node) and arg.op == "call_module":
            last = model.get_submodule(str(arg.target))
    elif isinstance(model, nn.Sequential) and len(model):
        last = model[-1]
    return last if isinstance(last, (nn.Softmax, nn.Sigmoid)) else None


def class_scores(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The class scores (logits) ``(B, K)`` for ``x``, in the autograd graph when grad is on: the model's
    output, or, when it ends with a Softmax / Sigmoid, that layer's input (where no such module can be
    found, the logits are read back from the probabilities, ``as_logits``). One output unit ``z`` (a
    yes/no classifier) gives the two scores ``[-z, z]``, as its probabilities are ``[1 - p, p]``."""
    squash = final_squash(model)
    captured: dict[str, torch.Tensor] = {}
    handle = None
    if squash is not None:
        def hook(module: nn.Module, args: Any) -> None:
            captured["z"] = args[0]
        handle = squash.register_forward_pre_hook(hook)
    try:
        out = _logits(model, x)
    finally:
        if handle is not None:
            handle.remove()
    if "z" in captured:
        z = captured["z"]
        scores = z.reshape(z.shape[0], -1)
    else:
        scores = as_logits(out, scores_of(model))
    return torch.cat([-scores, scores], dim=1) if scores.shape[1] == 1 else scores


def _check_class(logits: torch.Tensor, target_class: int) -> None:
    k = max(logits.shape[1], 2)  # one output unit: the two classes "no" and "yes"
    if not 0 <= int(target_class) < k:
        raise IntrospectError(f"class {target_class} does not exist: the network has classes 0 to {k - 1}")


def _single(x: torch.Tensor | np.ndarray, model: nn.Module) -> torch.Tensor:
    xb = as_batch(x, model)
    if xb.shape[0] != 1:
        raise IntrospectError(f"explain one input at a time, not a batch of {xb.shape[0]}")
    return xb


def saliency(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int) -> np.ndarray:
    """Vanilla gradient saliency (Simonyan et al. 2013): ``max over channels of |d score / d x|`` where
    score is the target class's logit (``class_scores``: before a final Softmax / Sigmoid). ``(H, W)``
    for an image ``(C, H, W)``, ``(N,)`` for a vector. Not normalised (``overlay`` scales it for display)."""
    xb = _single(x, model).requires_grad_(True)
    with eval_mode(model), torch.enable_grad():
        logits = class_scores(model, xb)
        _check_class(logits, target_class)
        (grad,) = torch.autograd.grad(logits[0, int(target_class)], xb)
    g = grad[0].abs()
    if g.dim() == 3:
        g = g.amax(dim=0)
    return to_numpy(g)


MIN_MAP_SIDE = 2  # a layer's maps must be at least this many pixels high and wide for Grad-CAM


def cam_layers(model: nn.Module, x: torch.Tensor | np.ndarray) -> list[str]:
    """The layers Grad-CAM can use for the input ``x`` (``map_layers`` with maps at least ``MIN_MAP_SIDE``
    pixels high and wide), in the order the network runs them: the last of them but a final pooling (a
    residual block's ReLU after its Add, an Inception block's Concat) is where Grad-CAM is usually computed."""
    return map_layers(model, _single(x, model), MIN_MAP_SIDE)


_POOLING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveMaxPool2d, nn.AdaptiveAvgPool2d, nn.LPPool2d)


def default_cam_layer(model: nn.Module, layers: list[str]) -> str | None:
    """The layer Grad-CAM uses unless one is chosen: the last of ``layers`` (``cam_layers``) that is not a
    pooling layer at the end, which only halves the maps (the layer before it sees the same with twice the
    detail: LeNet-5's relu2 at 10×10, not pool2 at 5×5; VGG's last ReLU); None when there are none."""
    modules = dict(model.named_modules())
    for name in reversed(layers):
        if not isinstance(modules.get(name), _POOLING):
            return name
    return layers[-1] if layers else None


def grad_cam(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int,
             layer_id: str | None = None) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017) on layer ``layer_id`` (None: ``default_cam_layer``, the last layer
    with feature maps but a final pooling): ``ReLU(sum_k a_k A_k)`` with ``A_k`` the layer's maps and ``a_k`` the spatial mean of
    ``d score / d A_k`` (score: the class's logit, as in ``saliency``), upsampled bilinearly to the
    input's size and divided by its maximum, so it lies in [0, 1] (all zeros when nothing is positive).
    Any layer with maps will do: a convolution, or a merge (Add, Concat), activation or pooling after one.
    """
    xb = _single(x, model)
    if xb.dim() != 4:
        raise IntrospectError("Grad-CAM needs an image input (channels, height, width)")
    if layer_id is None:
        layer_id = default_cam_layer(model, cam_layers(model, xb))
        if layer_id is None:
            raise IntrospectError("Grad-CAM needs a layer with feature maps (channels × height × width), "
                                  "and this network has none for this input")
    layer = get_layer(model, layer_id)
    captured: dict[str, torch.Tensor] = {}

    def hook(module: nn.Module, args: Any, out: Any) -> Any:
        t = out[0] if isinstance(out, (tuple, list)) else out
        captured["a"] = t
        # hand the rest of the network a copy, so an in-place ReLU after the layer leaves A as it was
        return t.clone() if not isinstance(out, (tuple, list)) else out

    handle = layer.register_forward_hook(hook)
    try:
        xb.requires_grad_(True)  # so the layer's output is in the autograd graph even when frozen
        with eval_mode(model), torch.enable_grad():
            logits = class_scores(model, xb)
            _check_class(logits, target_class)
            if "a" not in captured:
                raise IntrospectError(f"{layer_id} did not run in the forward pass: is it connected to the output?")
            acts = captured["a"]
            if acts.dim() != 4:
                raise IntrospectError(
                    f"Grad-CAM needs a layer with feature maps (channels × height × width); {layer_id} gives "
                    f"{'×'.join(map(str, acts.shape[1:]))}: pick a convolution layer, or a merge, activation "
                    "or pooling layer that keeps its maps")
            (grads,) = torch.autograd.grad(logits[0, int(target_class)], acts)
    finally:
        handle.remove()
    with torch.no_grad():
        weights = grads[0].mean(dim=(1, 2))  # (K,)
        cam = F.relu((weights[:, None, None] * acts[0].detach()).sum(dim=0))
        cam = F.interpolate(cam[None, None].float(), size=tuple(xb.shape[2:]), mode="bilinear",
                            align_corners=False)[0, 0]
        peak = cam.max()
        cam = cam / peak if peak > 0 else torch.zeros_like(cam)
    return to_numpy(cam.clamp(0, 1))


def _positions(size: int, patch: int, stride: int) -> list[int]:
    """Window starts 0, stride, 2·stride, ... plus one flush with the far edge, so every pixel is covered."""
    last = max(size - patch, 0)
    starts = list(range(0, last + 1, stride))
    if starts[-1] != last:
        starts.append(last)
    return starts


def occlusion(model: nn.Module, x: torch.Tensor | np.ndarray, target_class: int, patch: int = 4,
              stride: int = 2, fill: float = 0.0, batch_size: int = 64) -> np.ndarray:
    """Occlusion sensitivity (Zeiler & Fergus 2014): slide a ``patch``×``patch`` square of value
    ``fill`` over the image with ``stride``; each pixel gets the mean, over the windows that cover it,
    of the drop in the target class's probability. ``(H, W)``; positive where covering hurts the
    prediction, negative where it helps. The occluded copies run in batches of ``batch_size``."""
    if patch < 1 or stride < 1:
        raise IntrospectError(f"occlusion needs a patch and a stride of at least 1 pixel, not {patch} and {stride}")
    xb = _single(x, model)
    if xb.dim() != 4:
        raise IntrospectError("occlusion needs an image input (channels, height, width)")
    _, _, h, w = xb.shape
    ph, pw = min(patch, h), min(patch, w)
    windows = [(y, x0) for y in _positions(h, ph, stride) for x0 in _positions(w, pw, stride)]
    total = torch.zeros(h, w, dtype=torch.float64)
    count = torch.zeros(h, w, dtype=torch.float64)
    with eval_mode(model), torch.no_grad():
        logits = _logits(model, xb)
        _check_class(logits, target_class)
        base = float(probabilities(logits, scores_of(model))[0, int(target_class)])
        for i in range(0, len(windows), batch_size):
            chunk = windows[i:i + batch_size]
            batch = xb.repeat(len(chunk), 1, 1, 1)
            for j, (y, x0) in enumerate(chunk):
                batch[j, :, y:y + ph, x0:x0 + pw] = fill
            probs = probabilities(_logits(model, batch), scores_of(model))[:, int(target_class)].double().cpu()
            for j, (y, x0) in enumerate(chunk):
                total[y:y + ph, x0:x0 + pw] += base - float(probs[j])
                count[y:y + ph, x0:x0 + pw] += 1
    return to_numpy(total / count.clamp(min=1))


# A small perceptual colour map (dark blue -> blue -> cyan -> yellow -> red), interpolated linearly.
_ANCHORS = np.array([
    [0.00, 0.00, 0.30],
    [0.00, 0.30, 1.00],
    [0.00, 0.90, 0.90],
    [1.00, 0.95, 0.00],
    [0.85, 0.00, 0.00],
], dtype=np.float32)


def colormap(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (clipped) -> RGB in [0, 1], shape ``values.shape + (3,)``."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float32)), 0.0, 1.0)
    pos = v * (len(_ANCHORS) - 1)
    i = np.minimum(pos.astype(np.int64), len(_ANCHORS) - 2)
    t = (pos - i)[..., None]
    return ((1 - t) * _ANCHORS[i] + t * _ANCHORS[i + 1]).astype(np.float32)


def _image_hw3(image: np.ndarray | torch.Tensor) -> np.ndarray:
    img = image.detach().cpu().float().numpy() if isinstance(image, torch.Tensor) else np.asarray(image, np.float32)
    if img.ndim == 4 and img.shape[0] == 1:
        img = img[0]
    if img.ndim == 3 and img.shape[0] in (1, 3) and img.shape[-1] not in (1, 3):
        img = img.transpose(1, 2, 0)  # (C, H, W) -> (H, W, C)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if img.ndim != 3 or img.shape[-1] != 3:
        raise IntrospectError(f"overlay needs a grey or colour image, not an array of shape {image.shape}")
    lo, hi = float(img.min()), float(img.max())
    return ((img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)).astype(np.float32)


def overlay(image: np.ndarray | torch.Tensor, heatmap: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """The image (``(H, W)``, ``(H, W, C)`` or ``(C, H, W)``, any range: it is min-max scaled) blended
    with the colour-mapped heat map (min-max scaled to [0, 1]): ``(1 - alpha)·image + alpha·colour``,
    an ``(H, W, 3)`` float32 array in [0, 1]."""
    img = _image_hw3(image)
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.shape != img.shape[:2]:
        raise IntrospectError(f"the heat map is {heat.shape} but the image is {img.shape[:2]}: they must match")
    lo, hi = float(np.nanmin(heat)), float(np.nanmax(heat))
    heat = (heat - lo) / (hi - lo) if hi > lo else np.zeros_like(heat)
    a = float(np.clip(alpha, 0.0, 1.0))
    return np.clip((1 - a) * img + a * colormap(heat), 0.0, 1.0).astype(np.float32)
