"""The torch side of the training window, run ONLY off the GUI thread (the training worker, or a
short background task): datasets, building the model (keeping the weights that still fit), and the
computations the views ask for (filters, feature maps, evaluation, decision boundary). Every answer
is plain values: Python numbers, strings and numpy arrays.

Imports torch, numpy, compiler, data, training and introspect lazily (inside functions); no Qt.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netbuilder.graph import Design
from netbuilder.ui.training.settings import compatible_keys, layers_of, structure_signature

MAX_EVAL_IMAGES = 4000
GALLERY = 48


class ModelHost:
    """The model and dataset shared by the worker and background tasks (never read by the GUI
    thread); ``lock`` is held by whoever runs torch on them."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.model = None
        self.signature: tuple | None = None
        self.data = None
        self.data_key: tuple | None = None
        self.trained = False  # the model holds trained (or loaded) weights


def warm_up() -> dict[str, Any]:
    """Import torch, list the datasets and say which device training would use."""
    from netbuilder.data import list_datasets
    from netbuilder.training.parts import device_name, resolve_device

    device = resolve_device("auto")
    return {"device": device_name(device), "device_type": device.type,
            "datasets": [{"name": i.name, "kind": i.kind, "input_shape": list(i.input_shape),
                          "classes": i.num_classes, "available": i.available, "description": i.description}
                         for i in list_datasets()]}


def dataset_key(spec: dict[str, Any]) -> tuple:
    return (spec.get("name"), tuple(sorted((k, repr(v)) for k, v in spec.items() if k != "name")))


def ensure_data(host: ModelHost, spec: dict[str, Any]):
    """The dataset of ``spec`` (the design's ``dataset`` dict), loaded once and cached in the host."""
    from netbuilder.data import load_dataset

    key = dataset_key(spec)
    if host.data is None or host.data_key != key:
        options = {k: v for k, v in spec.items() if k != "name"}
        host.data = load_dataset(spec.get("name") or "digits", **options)
        host.data_key = key
    return host.data


def describe_data(data) -> dict[str, Any]:
    """What the panel shows of a dataset: shape, classes, sizes, preview samples (and points)."""
    import numpy as np

    out = {"name": data.name, "kind": data.kind, "input_shape": list(data.input_shape),
           "class_names": list(data.class_names), "sizes": data.sizes(),
           "samples": np.asarray(data.samples, np.float32), "sample_labels": np.asarray(data.sample_labels)}
    if data.kind == "points" and data.x_train is not None:
        out["points"] = (data.x_train.numpy().astype(np.float32), data.y_train.numpy())
    return out


def state_shapes(model) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def build_model(host: ModelHost, design: Design, policy: str = "keep") -> dict[str, Any]:
    """Make ``host.model`` the network of ``design``. Unchanged: kept as is. Changed: compiled anew, and
    with policy ``keep`` the old weights whose names and shapes still fit are copied in."""
    from netbuilder.compiler import compile_design

    signature = structure_signature(design.graph)
    if policy == "fresh" or host.model is None or not host.trained:
        host.model, host.signature, host.trained = compile_design(design), signature, False
        return {"kept": [], "fresh": True}
    if signature == host.signature:
        return {"kept": layers_of(host.model.state_dict()), "fresh": False}
    old = host.model.state_dict()
    model = compile_design(design)
    kept, _ = compatible_keys(state_shapes(host.model), state_shapes(model))
    model.load_state_dict({k: old[k].detach().to("cpu") for k in kept}, strict=False)
    host.model, host.signature, host.trained = model, signature, bool(kept)
    return {"kept": layers_of(kept), "fresh": not kept}


def load_design_weights(host: ModelHost, design: Design, path: Path) -> dict[str, Any]:
    """Compile ``design`` and load its weights file; keys that do not fit are reported, not loaded."""
    from netbuilder.compiler import compile_design
    from netbuilder.training import load_weights

    state = load_weights(path)
    model = compile_design(design)
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    kept, dropped = compatible_keys(shapes, state_shapes(model))
    model.load_state_dict({k: state[k] for k in kept}, strict=False)
    host.model, host.signature, host.trained = model, structure_signature(design.graph), bool(kept)
    return {"kept": layers_of(kept), "dropped": layers_of(dropped), "path": str(path)}


def save_model_weights(host: ModelHost, path: Path) -> str:
    from netbuilder.training import save_weights

    if host.model is None:
        raise ValueError("there are no trained weights to save")
    return str(save_weights(host.model, path, metadata={"format": "netbuilder"}))


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Any exception becomes ``{"error": one line}``, so a request never stops a training run."""
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001  (reported to the view as text)
            from netbuilder.errors import NetbuilderError

            text = str(e) if isinstance(e, NetbuilderError) else f"{type(e).__name__}: {e}"
            if not isinstance(e, NetbuilderError | ValueError):
                traceback.print_exc()
            return {"error": text.splitlines()[0] if text else type(e).__name__}
    return call


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
        from netbuilder.introspect import conv_filters, filter_grid, grad_histograms, weight_histograms

        out: dict[str, Any] = layer_lists(model)
        target = node_id if node_id in out["conv_layers"] else (out["conv_layers"] or [None])[0]
        out["layer"] = target
        if target is not None:
            weights = conv_filters(model, target)
            out["grid"] = filter_grid(weights)
            out["shape"] = list(weights.shape)
        out["weights"] = weight_histograms(model, bins)
        out["grads"] = grad_histograms(model, bins)
        return out
    return guarded(job)


def _normalised(data, raw):
    import numpy as np
    import torch

    return data.normalize(torch.as_tensor(np.asarray(raw, np.float32) / data.scale))


def features_job(node_id: str | None, sample) -> Callable:
    """``sample`` in display units ([0, 1] for images, as given for points and tables)."""
    def job(model, data) -> dict[str, Any]:
        from netbuilder.introspect import class_probabilities, feature_grid, feature_maps

        out: dict[str, Any] = layer_lists(model)
        x = _normalised(data, sample)
        target = node_id if node_id in out["layers"] else (out["conv_layers"] or out["layers"] or [None])[0]
        out["layer"] = target
        if target is not None:
            maps = feature_maps(model, x, target)[target]
            out["shape"] = list(maps.shape)
            if maps.ndim == 3:
                out["grid"] = feature_grid(maps)
            elif maps.ndim == 2:
                out["grid"] = feature_grid(maps[None])
            else:
                out["vector"] = maps.reshape(-1)
        out["probs"] = class_probabilities(model, x)
        out["class_names"] = list(data.class_names)
        return out
    return guarded(job)


def _split(data, split: str, limit: int):
    import torch

    if data.streamed:
        dataset = data.val_set if split == "val" else data.test_set
        items = [dataset[i] for i in range(min(limit, len(dataset)))]
        return torch.stack([x for x, _ in items]), torch.as_tensor([int(y) for _, y in items])
    x, y = (data.x_val, data.y_val) if split == "val" else (data.x_test, data.y_test)
    return x[:limit], y[:limit]


def evaluation_job(split: str = "val") -> Callable:
    """Probabilities for (up to MAX_EVAL_IMAGES of) the validation or test set, with their raw images."""
    def job(model, data) -> dict[str, Any]:
        import numpy as np
        import torch

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
        return {"split": split, "probs": p, "labels": y.numpy().astype(np.int64),
                "images": (x_raw.to(torch.float32) * data.scale).numpy() if data.is_image else None,
                "class_names": list(data.class_names)}
    return guarded(job)


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
    return guarded(job)
