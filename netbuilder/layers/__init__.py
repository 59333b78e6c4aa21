"""The layer catalogue: one LayerSpec per kind drives palette, inspector, analysis, compiler, docs.

Imports: graph only (torch targets are named by string and resolved by the compiler).
"""

from netbuilder.layers import catalog  # noqa: F401  (registers every kind)
from netbuilder.layers.aliases import ALIASES, aliases_of
from netbuilder.layers.registry import DEPRECATED, all_specs, canonical_kind, get_spec, has_kind, register
from netbuilder.layers.spec import VARIADIC, LayerSpec, ParamSpec, Shape, ShapeError

__all__ = [
    "ALIASES", "DEPRECATED", "VARIADIC", "LayerSpec", "ParamSpec", "Shape", "ShapeError",
    "aliases_of", "all_specs", "canonical_kind", "get_spec", "has_kind", "register",
]
