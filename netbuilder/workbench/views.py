"""The computations the training views ask for (filters, feature maps, evaluation, decision boundary):
jobs ``f(model, data) -> dict`` run ONLY on the workbench's executor (or between training steps).
Every answer is plain values: Python numbers, strings and numpy arrays.

Imports torch, numpy, data and introspect lazily (inside functions); no Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_EVAL_IMAGES = 4000
GALLERY = 48
GRID_TILE_PX = 12  # filters and maps smaller than this are enlarged in their grids (a 1-pixel gap stays thin)


# ----- what the views ask for: functions f(model, data) -> dict of plain values -------------------
def layer_lists(model) -> dict[str, list[str]]:
    import torch

    convs, all_layers = [], []
    for name, module in model.named_modules():
        if not name:
            continue
        all_layers.append(name)
        weight = getattr(module, "weight", None)
        if isinstance(weight, torch.Tensor) and weight.dim() == 4:
            convs.append(name)
    return {"conv_layers": convs, "layers": all_layers}


def filters_job(node_id: str | None, bins: int = 30) -> Callable:
    def job(model, data) -> dict[str, Any]:
        from netbuilder.introspect import (
            conv_filters,
            filter_grid,
            frozen_nodes,
            grad_histograms,
            weight_histograms,
        )

        out: dict[str, Any] = layer_lists(model)
        target = node_id if node_id in out["conv_layers"] else (out["conv_layers"] or [None])[0]
        out["layer"] = target
        if target is not None:
            weights = conv_filters(model, target)
            out["grid"] = filter_grid(weights, sep_value=float("nan"), min_tile=GRID_TILE_PX)  # (gaps: tinted)
            out["shape"] = list(weights.shape)
        out["weights"] = weight_histograms(model, bins)
        out["grads"] = grad_histograms(model, bins)
        frozen = frozen_nodes(model)  # (locked layers get no gradients: the view says why it shows none)
        out["locked"] = [name for name in out["weights"] if any(name == f or name.startswith(f"{f}.") for f in frozen)]
        return out
    return job


def _normalised(data, raw):
    import numpy as np
    import torch

    return data.normalize(torch.as_tensor(np.asarray(raw, np.float32) / data.scale))


def _shape_text(shape) -> str:
    return "×".join(map(str, shape)) or "a single number"


def features_job(node_id: str | None, sample) -> Callable:
    """``sample`` in display units ([0, 1] for images, as given for points and tables)."""
    def job(model, data) -> dict[str, Any]:
        import numpy as np

        from netbuilder.introspect import class_probabilities, feature_grid, feature_maps

        out: dict[str, Any] = layer_lists(model)
        shape = tuple(np.shape(sample))
        if shape != tuple(data.input_shape):  # an input of another dataset (it changed since it was picked)
            return {"error": f"the input is {_shape_text(shape)} but {data.name} takes "
                             f"{_shape_text(data.input_shape)}: pick a sample of {data.name}"}
        x = _normalised(data, sample)
        target = node_id if node_id in out["layers"] else (out["conv_layers"] or out["layers"] or [None])[0]
        out["layer"] = target
        if target is not None:
            maps = feature_maps(model, x, target)[target]
            out["shape"] = list(maps.shape)
            if maps.ndim == 3:
                out["grid"] = feature_grid(maps, sep_value=float("nan"), min_tile=GRID_TILE_PX)  # (gaps: tinted)
            elif maps.ndim == 2:
                out["grid"] = feature_grid(maps[None])
            else:
                out["vector"] = maps.reshape(-1)
        out["probs"] = class_probabilities(model, x)
        out["class_names"] = list(data.class_names)
        return out
    return job


def _split(data, split: str, limit: int):
    import torch

    if data.streamed:
        dataset = data.val_set if split == "val" else data.test_set
        items = [dataset[i] for i in range(min(limit, len(dataset)))]
        return torch.stack([x for x, _ in items]), torch.as_tensor([int(y) for _, y in items])
    x, y = (data.x_val, data.y_val) if split == "val" else (data.x_test, data.y_test)
    return x[:limit], y[:limit]


_SHOWN_IMAGES: dict[tuple[int, str], tuple[Any, Any]] = {}  # (id of the data, split) -> (data, images)


def _display_images(data, split: str, raw: Callable[[], Any]):
    """The split's first images (``raw()`` gives them, raw) in display units, made once per dataset and
    split (an epoch's evaluation would otherwise copy them again; the same read-only array goes to the
    view each time)."""
    key = (id(data), split)
    kept = _SHOWN_IMAGES.get(key)
    if kept is None or kept[0] is not data:
        import torch

        images = (raw().to(torch.float32) * data.scale).numpy()
        images.flags.writeable = False
        if any(d is not data for d, _ in _SHOWN_IMAGES.values()):
            _SHOWN_IMAGES.clear()  # one dataset at a time: the one being looked at
        _SHOWN_IMAGES[key] = kept = (data, images)
    return kept[1]


def evaluation_job(split: str = "val") -> Callable:
    """Probabilities for (up to MAX_EVAL_IMAGES of) the validation or test set, with their raw images."""
    def job(model, data) -> dict[str, Any]:
        import numpy as np

        from netbuilder.introspect import class_probabilities
        from netbuilder.introspect._util import model_device

        x_raw, y = _split(data, split, MAX_EVAL_IMAGES)
        device = model_device(model)
        probs = []
        for i in range(0, len(y), 512):
            xb = data.normalize(x_raw[i:i + 512].to(device))
            p = class_probabilities(model, xb)
            probs.append(p.reshape(len(xb), -1))
        k = len(data.class_names)
        p = np.concatenate(probs) if probs else np.zeros((0, k), np.float32)
        return evaluation_value(data, split, p, y.numpy().astype(np.int64), x_raw)
    return job


def evaluation_value(data, split: str, probs, labels, x_raw=None) -> dict[str, Any]:
    """What the Evaluation view shows: the probabilities and labels of the split's first samples, with
    their images (made once per dataset and split) when the data are images."""
    images = None
    if data.is_image:
        images = _display_images(data, split, lambda: x_raw if x_raw is not None
                                 else _split(data, split, MAX_EVAL_IMAGES)[0])
        images = images if len(images) == len(labels) else images[:len(labels)]
    return {"split": split, "probs": probs, "labels": labels, "images": images,
            "class_names": list(data.class_names)}


def boundary_job(resolution: int = 64) -> Callable:
    """For a 2-D dataset: the probability of the second class over a grid covering the points."""
    def job(model, data) -> dict[str, Any]:
        import numpy as np

        from netbuilder.introspect import class_probabilities

        if tuple(data.input_shape) != (2,):
            return {"error": f"the decision boundary needs a 2-D dataset; {data.name} has inputs "
                             f"{'×'.join(map(str, data.input_shape))}"}
        pts = data.x_train.numpy()
        lo, hi = pts.min(0), pts.max(0)
        pad = (hi - lo) * 0.08 + 1e-3
        lo, hi = lo - pad, hi + pad
        xs = np.linspace(lo[0], hi[0], resolution, dtype=np.float32)
        ys = np.linspace(lo[1], hi[1], resolution, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        grid = np.stack([gx.ravel(), gy.ravel()], 1)
        from netbuilder.introspect._util import model_device

        probs = class_probabilities(model, _normalised(data, grid * data.scale).to(model_device(model)))
        probs = probs.reshape(len(grid), -1)
        value = probs[:, 1] if probs.shape[1] == 2 else probs.argmax(1) / max(1, probs.shape[1] - 1)
        return {"grid": value.reshape(resolution, resolution).astype(np.float32),
                "rect": [float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])],
                "classes": int(probs.shape[1])}
    return job
