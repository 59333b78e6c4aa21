"""Turn one catalogue entry into a torch module: resolve its dotted class name late, pass kwargs."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import torch.nn as nn

from netbuilder.layers import LayerSpec, Shape


def resolve(dotted: str) -> type[nn.Module]:
    module_name, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def build_module(spec: LayerSpec, params: dict[str, Any], in_shapes: Sequence[Shape]) -> nn.Module:
    """The module for a node (``params`` resolved with defaults); raises for input / output."""
    if not spec.torch:
        raise ValueError(f"{spec.kind} has no torch module (it is the graph's input or output)")
    return resolve(spec.torch)(**spec.torch_kwargs(params, in_shapes))
