"""Preprocessing that travels with the model: the dataset's normalisation as the model's first step.

Owns the preprocessing record (a plain, JSON-ready dict, as ``DatasetBundle.preprocessing()`` gives it
and weights files store it), ``IMAGENET_PREPROCESSING`` for presets given torchvision weights and no
dataset, the checks on such a record, and the sentence every export uses to state its input contract::

    {"scale": 0.00392156862745098,    raw file value * scale = the model's input (1/255 for 8-bit images)
     "mean": [0.49, 0.48, 0.45],      per channel (images) or per feature (tables, points); or one value
     "std": [0.25, 0.24, 0.26],       the same; every value > 0
     "kind": "image",                 "image" | "table" | "points"
     "input_shape": [3, 32, 32],      per sample, as the dataset gives it
     "class_names": ["airplane", ...]}

A model compiled or exported with it computes ``(x - mean) / std`` on its input ``x`` itself, so its
input is images as float tensors N×C×H×W with values in [0, 1] (as torchvision's ToTensor gives them),
or for tables and points the features as they appear in the file. ``scale`` is not applied inside the
model; it tells a loader how to get from raw file values to that input.

Imports torch-free modules only (the torch module is ``compiler.ops.Normalize``); never Qt.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from netbuilder.errors import NetbuilderError

KINDS = ("image", "table", "points")
NORMALIZE_NAME = "input_normalize"  # the normalising submodule (another name if a node has this id)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGENET_PREPROCESSING: dict[str, Any] = {
    "scale": 1 / 255, "mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD), "kind": "image",
    "input_shape": [3, 224, 224], "class_names": [],
}


class PreprocessingError(NetbuilderError):
    """A preprocessing record that cannot be applied (bad numbers, or the wrong number of channels)."""


def imagenet_preprocessing(input_shape: Sequence[int] = (3, 224, 224),
                           class_names: Iterable[str] = ()) -> dict[str, Any]:
    """A fresh copy of torchvision's ImageNet normalisation for a model with ``input_shape``."""
    return {**IMAGENET_PREPROCESSING, "mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD),
            "input_shape": [int(v) for v in input_shape], "class_names": [str(c) for c in class_names]}


def _numbers(value: Any, key: str) -> list[float]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = [value]
    try:
        out = [float(v) for v in value if not isinstance(v, bool)]
        if len(out) != len(value):
            raise TypeError
    except (TypeError, ValueError):
        raise PreprocessingError(f"preprocessing {key!r} must be a list of numbers, not {value!r}") from None
    if not out or not all(math.isfinite(v) for v in out):
        raise PreprocessingError(f"preprocessing {key!r} must hold finite numbers, not {out!r}")
    return out


def _size(shape: Sequence[int]) -> int:
    return math.prod(int(v) for v in shape)


def check_preprocessing(prep: Mapping[str, Any], input_shape: Sequence[int] | None = None) -> dict[str, Any]:
    """A checked, plain copy of ``prep``; with the model's per-sample ``input_shape`` it also checks that
    mean and std have one value, or one per channel (images) or per feature. Raises PreprocessingError."""
    if not isinstance(prep, Mapping):
        raise PreprocessingError(f"preprocessing must be a dict, not {type(prep).__name__}")
    mean, std = _numbers(prep.get("mean", [0.0]), "mean"), _numbers(prep.get("std", [1.0]), "std")
    if any(v <= 0 for v in std):
        raise PreprocessingError(f"preprocessing 'std' must be above 0 everywhere, not {std!r}")
    if len(mean) != len(std) and 1 not in (len(mean), len(std)):
        raise PreprocessingError(f"preprocessing has {len(mean)} means but {len(std)} standard deviations")
    shape = [int(v) for v in prep.get("input_shape") or input_shape or []]
    kind = prep.get("kind") or ("image" if len(input_shape or shape) == 3 else "table")
    if kind not in KINDS:
        raise PreprocessingError(f"preprocessing 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    scale = _numbers(prep.get("scale", 1.0), "scale")
    if len(scale) != 1 or scale[0] <= 0:
        raise PreprocessingError(f"preprocessing 'scale' must be one number above 0, not {prep.get('scale')!r}")
    names = prep.get("class_names") or []
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise PreprocessingError("preprocessing 'class_names' must be a list of text")
    out = {**{k: v for k, v in prep.items()}, "scale": scale[0], "mean": mean, "std": std, "kind": kind,
           "input_shape": shape, "class_names": list(names)}
    if input_shape is not None:
        view_shape(out, input_shape)  # raises when the numbers do not fit the model's input
    return out


def view_shape(prep: Mapping[str, Any], input_shape: Sequence[int]) -> list[int]:
    """How mean and std are shaped to broadcast over a batch of ``input_shape`` samples: ``[-1, 1, 1]``
    per channel for images, the sample's shape per feature, ``[-1]`` for one value."""
    n = max(len(prep["mean"]), len(prep["std"]))
    dims = [int(v) for v in input_shape]
    if n == 1:
        return [-1]
    if prep.get("kind") == "image" or len(dims) == 3:
        if len(dims) != 3 or dims[0] != n:
            raise PreprocessingError(f"the preprocessing normalises {n} channels but the model's input is "
                                     f"{'×'.join(map(str, dims))}; use the dataset the model was trained on")
        return [-1, 1, 1]
    if _size(dims) != n:
        raise PreprocessingError(f"the preprocessing normalises {n} features but the model's input has "
                                 f"{_size(dims)}; use the dataset the model was trained on")
    return dims


def normalize_kwargs(prep: Mapping[str, Any], input_shape: Sequence[int]) -> dict[str, Any]:
    """The constructor arguments of ``compiler.ops.Normalize`` for this record and input shape."""
    shape = view_shape(prep, input_shape)
    n = max(len(prep["mean"]), len(prep["std"]))
    mean = list(prep["mean"]) * (n if len(prep["mean"]) == 1 else 1)
    std = list(prep["std"]) * (n if len(prep["std"]) == 1 else 1)
    return {"mean": mean, "std": std, "shape": shape}


def normalize_name(taken: Iterable[str]) -> str:
    """``input_normalize``, or ``input_normalize_2``... when a design node already has that id."""
    used = set(taken)
    name, i = NORMALIZE_NAME, 1
    while name in used:
        i += 1
        name = f"{NORMALIZE_NAME}_{i}"
    return name


def _numbers_text(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in values) + ")"


def _scale_text(scale: float) -> str:
    """How raw file values become the model's input: ``raw values × 0.0625 (0–16 → 0–1)``."""
    top = 1 / scale
    span = f" (0–{round(top):d} → 0–1)" if math.isclose(top, round(top), rel_tol=1e-6) and top > 1 else ""
    return f"raw values × {scale:.4g}{span}"


def input_contract(input_shape: Sequence[int], prep: Mapping[str, Any] | None, name: str = "the input") -> str:
    """One or two sentences on what the model takes, for docstrings and file metadata: the shape, how raw file
    values become that input (the record's ``scale``: 1/255 for 8-bit images, 1/16 for the digits), and
    the normalisation the model applies itself."""
    dims = ", ".join(str(int(v)) for v in input_shape)
    if prep is None:
        return (f"{name}: a float tensor (batch, {dims}), fed to the first layer as it is: the model does no "
                "normalisation of its own, so normalise it as it was in training.")
    how = (f"the model normalises it itself, (x - mean) / std with mean {_numbers_text(prep['mean'])} and std "
           f"{_numbers_text(prep['std'])}")
    scale = float(prep.get("scale", 1.0) or 1.0)
    if prep.get("kind", "image") == "image":
        if math.isclose(scale, 1 / 255, rel_tol=1e-6):
            raw = ", as torchvision's ToTensor gives them (8-bit pixel values / 255)"
        elif math.isclose(scale, 1.0):
            raw = ""
        else:
            raw = f": {_scale_text(scale)}"
        return f"{name}: images as a float tensor (batch, {dims}) with values in [0, 1]{raw}; {how} per channel."
    raw = "" if math.isclose(scale, 1.0) else f" × {scale:.4g}"
    return f"{name}: a float tensor (batch, {dims}) of the features as they appear in the file{raw}; {how}."
