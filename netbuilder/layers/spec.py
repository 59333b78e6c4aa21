"""What a layer kind is: its settings schema, shape rule, cost, torch module (by name) and doc.

Pure Python: shape rules work on tuples, so analysis allocates no weights. Shapes are per sample,
without the batch dimension: ``(C, H, W)`` for images, ``(N,)`` for feature vectors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from netbuilder.errors import NetbuilderError

Shape = tuple[int, ...]
Params = Mapping[str, Any]

VARIADIC = -1  # n_inputs of a merge: two or more inputs

CATEGORIES = (
    "input", "dense", "convolution", "pooling", "activation", "normalisation",
    "regularisation", "merge", "reshape", "output",
)


class ShapeError(NetbuilderError):
    """A shape rule cannot produce an output: ``message`` says what, ``fix`` what to do.

    ``code`` names the kind of problem for tests and the UI (e.g. ``needs_flatten``)."""

    def __init__(self, message: str, fix: str = "", code: str = "shape", param: str | None = None):
        super().__init__(message)
        self.message, self.fix, self.code, self.param = message, fix, code, param


@dataclass(frozen=True)
class ParamSpec:
    """One setting. ``type`` is one of:
    ``int``, ``float``, ``bool``, ``choice`` (one of ``choices``),
    ``int_or_choice`` (an int within bounds, or one of ``choices``, e.g. padding 2 or "same"),
    ``shape`` (a list of 1 or 3 positive ints, e.g. an input's C, H, W).
    ``special``: what the minimum of an ``int`` setting means, shown instead of the number (a pooling
    stride of 0 is "same as kernel")."""

    name: str
    type: str
    default: Any
    label: str = ""
    doc: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] = ()
    special: str = ""

    def check(self, value: Any) -> str | None:
        """A plain-language problem with ``value``, or None when it is fine."""
        t = self.type
        if t == "bool":
            return None if isinstance(value, bool) else f"{self.name} must be true or false, not {value!r}"
        if t == "choice":
            return None if value in self.choices else f"{self.name} must be one of {', '.join(map(str, self.choices))}, not {value!r}"
        if t == "int_or_choice" and isinstance(value, str):
            return None if value in self.choices else f"{self.name} must be a whole number or one of {', '.join(self.choices)}, not {value!r}"
        if t in ("int", "int_or_choice"):
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{self.name} must be a whole number, not {value!r}"
            return self._check_bounds(value)
        if t == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                    isinstance(value, float) and not math.isfinite(value)):
                return f"{self.name} must be a finite number, not {value!r}"
            return self._check_bounds(value)
        if t == "shape":
            if not isinstance(value, (list, tuple)) or len(value) not in (1, 3):
                return f"{self.name} must be a list of 1 number (features) or 3 numbers (channels, height, width), not {value!r}"
            for v in value:
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    return f"every size in {self.name} must be a whole number of at least 1, not {v!r}"
                if self.max is not None and v > self.max:
                    return f"every size in {self.name} must be at most {format_number(self.max)}, not {format_number(v)}"
            return None
        return f"{self.name} has an unknown type {t!r}"

    def _check_bounds(self, value: float) -> str | None:
        if self.min is not None and value < self.min:
            return f"{self.name} must be at least {format_number(self.min)}, not {format_number(value)}"
        if self.max is not None and value > self.max:
            return f"{self.name} must be at most {format_number(self.max)}, not {format_number(value)}"
        return None


def format_number(value: float) -> str:
    """A number for a message: ``1,000,000``, ``0.5``, ``1e-05``, ``3.2e+400``; never fails (an int
    beyond float range cannot use ``:g``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        sign, digits = ("-" if value < 0 else ""), str(abs(value))
        return f"{value:,}" if len(digits) <= 15 else f"{sign}{digits[0]}.{digits[1:3]}e+{len(digits) - 1}"
    return f"{value:g}"


def _zero(p: Params, s: Sequence[Shape], *rest: Any) -> int:
    return 0


def _no_kwargs(p: Params, s: Sequence[Shape]) -> dict[str, Any]:
    return {}


def _no_label(p: Params) -> str:
    return ""


@dataclass(frozen=True)
class LayerSpec:
    """One entry of the catalogue.

    - ``shape(p, in_shapes) -> Shape`` raises ShapeError when the inputs do not fit.
    - ``param_count(p, in_shapes) -> int``: trainable parameters.
    - ``macs(p, in_shapes, out_shape) -> int``: multiply-accumulates for one sample. Convention (as
      torchinfo): conv = output elements · (in_channels / groups) · k · k, dense = in · out; layers
      without weights (pooling, activations, normalisation, dropout, merges, reshapes) count 0.
    - ``buffers(p, in_shapes) -> int``: non-trainable numbers torch keeps in the module (BatchNorm's
      running mean and variance and its num_batches_tracked counter).
    - ``torch``: dotted name of the module class it becomes ("torch.nn.Conv2d"), resolved late by
      the compiler; ``""`` for input and output, which become the fx placeholder and output.
    - ``torch_kwargs(p, in_shapes) -> dict``: constructor arguments (plain Python values).
    - ``label(p) -> str``: key settings for the node box ("6@5×5").
    - ``worked(p, in_shapes, out_shape) -> list[str]``: the shape / parameter / MAC formulas filled
      in with this node's numbers, for the inspector.
    ``p`` always has every setting (defaults filled in by ``resolve``)."""

    kind: str
    title: str
    category: str
    doc: str
    formula: str
    params: tuple[ParamSpec, ...]
    n_inputs: int
    shape: Callable[[Params, Sequence[Shape]], Shape]
    param_count: Callable[[Params, Sequence[Shape]], int] = _zero
    macs: Callable[[Params, Sequence[Shape], Shape], int] = _zero
    torch: str = ""
    torch_kwargs: Callable[[Params, Sequence[Shape]], dict[str, Any]] = _no_kwargs
    label: Callable[[Params], str] = _no_label
    worked: Callable[[Params, Sequence[Shape], Shape], list[str]] | None = None
    buffers: Callable[[Params, Sequence[Shape]], int] = _zero  # non-trainable numbers (BN stats)
    param_index: dict[str, ParamSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.kind}: unknown category {self.category!r}")
        object.__setattr__(self, "param_index", {p.name: p for p in self.params})

    def resolve(self, params: Params) -> dict[str, Any]:
        """The node's settings with defaults filled in (unknown names are kept for diagnostics)."""
        out = {p.name: p.default for p in self.params}
        out.update(params)
        return out

    def check_params(self, params: Params) -> list[tuple[str, str]]:
        """``(setting, problem)`` for each unknown or out-of-bounds setting."""
        problems = []
        for name, value in params.items():
            spec = self.param_index.get(name)
            if spec is None:
                problems.append((name, f"{self.title} has no setting called {name!r}"))
            elif (msg := spec.check(value)) is not None:
                problems.append((name, msg))
        return problems

    @property
    def variadic(self) -> bool:
        return self.n_inputs == VARIADIC
