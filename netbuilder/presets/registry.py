"""The preset registry (as timm's ``register_model``): name -> builder function + gallery entry.

A builder takes no arguments and returns the preset's default Design; ``build_preset`` fits it to
another input shape or number of classes with ``fit_design``. Imports: graph, layers, analysis.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from netbuilder.graph import Design
from netbuilder.presets.errors import PresetError

CATEGORIES = ("basics", "classic", "teaching")  # also the listing order


@dataclass(frozen=True)
class Paper:
    authors: str
    title: str
    venue: str
    url: str

    def cite(self) -> str:
        return f"{self.authors}. {self.title}. {self.venue}. {self.url}"


@dataclass(frozen=True)
class GalleryEntry:
    """What the gallery shows beside a preset. ``idea`` is two sentences for a student."""

    title: str
    year: int
    idea: str
    paper: Paper | None
    input_shape: tuple[int, ...]
    num_classes: int
    category: str = "classic"

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.title}: category must be one of {CATEGORIES}, not {self.category!r}")


Builder = Callable[[], Design]


@dataclass(frozen=True)
class _Entry:
    name: str
    builder: Builder
    aliases: tuple[str, ...]
    gallery: GalleryEntry


_PRESETS: dict[str, _Entry] = {}
_ALIASES: dict[str, str] = {}
_STATS: dict[str, tuple[int, int]] = {}


@dataclass(frozen=True)
class PresetInfo:
    """One preset for listings; ``params`` and ``macs`` are computed by analysis on first use."""

    name: str
    aliases: tuple[str, ...]
    gallery: GalleryEntry = field(compare=False)

    @property
    def params(self) -> int:
        return preset_stats(self.name)[0]

    @property
    def macs(self) -> int:
        return preset_stats(self.name)[1]


def register_preset(name: str, aliases: tuple[str, ...] = (), *, gallery: GalleryEntry) -> Callable[[Builder], Builder]:
    """Decorator: register ``builder`` under ``name`` (and ``aliases``); names are lower case."""

    def decorate(builder: Builder) -> Builder:
        for n in (name, *aliases):
            if n != n.lower() or not n.isidentifier():
                raise ValueError(f"preset name {n!r} must be a lower-case identifier")
            if n in _PRESETS or n in _ALIASES:
                raise ValueError(f"preset name {n!r} registered twice")
        _PRESETS[name] = _Entry(name, builder, tuple(aliases), gallery)
        for a in aliases:
            _ALIASES[a] = name
        return builder

    return decorate


def canonical_name(name: str) -> str:
    """The registered name for ``name`` or one of its aliases; PresetError with close matches."""
    key = str(name).strip().lower().replace("-", "_")
    if key in _PRESETS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, preset_names(), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise PresetError(f"there is no preset called {name!r}{hint} (`netbuilder presets` lists them all)")


def _ordered() -> list[_Entry]:
    """Basics, then classics, then teaching variants; by year within each; then registration order."""
    index = {name: i for i, name in enumerate(_PRESETS)}
    return sorted(_PRESETS.values(),
                  key=lambda e: (CATEGORIES.index(e.gallery.category), e.gallery.year, index[e.name]))


def preset_names() -> list[str]:
    """Every name a preset answers to: the listing's names, then the aliases."""
    return [*(e.name for e in _ordered()), *_ALIASES]


def gallery_entry(name: str) -> GalleryEntry:
    return _PRESETS[canonical_name(name)].gallery


def build_preset(name: str, *, input_shape: list[int] | tuple[int, ...] | None = None,
                 num_classes: int | None = None) -> Design:
    """A fresh Design of preset ``name``, fitted to ``input_shape`` / ``num_classes`` when given. The basics
    name the built-in dataset they are made for (One neuron: gaussian, the MLP: digits, Playground's net:
    circle); a fitted one names none."""
    entry = _PRESETS[canonical_name(name)]
    design = entry.builder()
    design.meta.setdefault("preset", entry.name)
    gallery = entry.gallery
    wants_shape = input_shape is not None and tuple(input_shape) != tuple(gallery.input_shape)
    wants_classes = num_classes is not None and num_classes != gallery.num_classes
    if wants_shape or wants_classes:
        from netbuilder.presets.fit import fit_design

        design = fit_design(design, input_shape, num_classes)
        design.dataset = {}  # (the dataset it was made for no longer fits it)
    return design


def preset_stats(name: str) -> tuple[int, int]:
    """(parameters, MACs) of the default preset, by analysis; cached."""
    key = canonical_name(name)
    if key not in _STATS:
        from netbuilder.analysis import analyze

        result = analyze(build_preset(key).graph)
        _STATS[key] = (result.total_params, result.total_macs)
    return _STATS[key]


def list_presets() -> list[PresetInfo]:
    """Every preset (not the aliases), basics first, then classics and teaching variants by year."""
    return [PresetInfo(e.name, e.aliases, e.gallery) for e in _ordered()]
