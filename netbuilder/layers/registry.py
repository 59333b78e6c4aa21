"""The catalogue's registry: kind name -> LayerSpec, with a map for renamed kinds (as timm does)."""

from __future__ import annotations

import difflib

from netbuilder.graph.errors import UnknownLayerKindError
from netbuilder.layers.spec import LayerSpec

_REGISTRY: dict[str, LayerSpec] = {}

# Old kind name -> current one. Design files that use an old name still load.
DEPRECATED: dict[str, str] = {
    "linear": "dense",
    "fully_connected": "dense",
    "conv": "conv2d",
    "swish": "silu",
    "concatenate": "concat",
}


def register(spec: LayerSpec) -> LayerSpec:
    if spec.kind in _REGISTRY:
        raise ValueError(f"layer kind {spec.kind!r} registered twice")
    if not spec.kind.isidentifier():
        raise ValueError(f"layer kind {spec.kind!r} must be an identifier")
    _REGISTRY[spec.kind] = spec
    return spec


def canonical_kind(kind: str) -> str:
    """The current name of ``kind`` (following renames); raises UnknownLayerKindError."""
    if kind in _REGISTRY:
        return kind
    if kind in DEPRECATED:
        return DEPRECATED[kind]
    close = difflib.get_close_matches(str(kind).lower(), list(_REGISTRY) + list(DEPRECATED), n=1)
    raise UnknownLayerKindError(kind, close[0] if close else None)


def get_spec(kind: str) -> LayerSpec:
    return _REGISTRY[canonical_kind(kind)]


def has_kind(kind: str) -> bool:
    return kind in _REGISTRY or kind in DEPRECATED


def all_specs() -> list[LayerSpec]:
    """Every registered kind, in registration order (the palette's order)."""
    return list(_REGISTRY.values())
