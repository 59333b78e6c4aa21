"""Architecture presets: a registry of builders (as timm's register_model), fitting, gallery entries.

Imports: graph, layers, analysis (no torch, no numpy). Importing this package registers every preset.
"""

from netbuilder.presets import (  # noqa: F401  (importing a module registers its presets)
    alexnet,
    basic,
    densenet,
    efficientnet,
    googlenet,
    lenet,
    mobilenet,
    resnet,
    small,
    vgg,
)
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.errors import PresetError
from netbuilder.presets.fit import fit_design
from netbuilder.presets.registry import (
    GalleryEntry,
    Paper,
    PresetInfo,
    build_preset,
    canonical_name,
    gallery_entry,
    list_presets,
    preset_names,
    preset_stats,
    register_preset,
)

__all__ = [
    "DesignBuilder", "GalleryEntry", "Paper", "PresetError", "PresetInfo", "build_preset", "canonical_name",
    "fit_design", "gallery_entry", "list_presets", "preset_names", "preset_stats", "register_preset",
]
