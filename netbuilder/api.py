"""The notebook API behind ``netbuilder.load / save / compile / analyze / summary / export``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph

if TYPE_CHECKING:
    from netbuilder.analysis.result import Analysis


def _graph(design: Design | Graph) -> Graph:
    return design.graph if isinstance(design, Design) else design


def load(source: str | os.PathLike, **preset_options: Any) -> Design:
    """A design from a file path, or a preset by name (options such as ``input_shape``,
    ``num_classes`` fit a preset to a dataset)."""
    from netbuilder.io import DESIGN_EXTENSION, load_design

    text = os.fspath(source)
    if os.path.exists(text) or text.endswith((DESIGN_EXTENSION, ".json")):
        if preset_options:
            raise NetbuilderError(f"{text}: options {sorted(preset_options)} apply to presets only")
        return load_design(text)
    from netbuilder.presets import build_preset, preset_names

    if text.lower() in preset_names():
        return build_preset(text.lower(), **preset_options)
    raise NetbuilderError(
        f"{text!r} is neither a design file nor a preset; presets are: {', '.join(preset_names())}"
    )


def save(design: Design, path: str | os.PathLike) -> None:
    from netbuilder.io import save_design

    save_design(design, path)


def analyze(design: Design | Graph) -> Analysis:
    from netbuilder.analysis import analyze as _analyze

    return _analyze(_graph(design))


def compile(design: Design | Graph):  # noqa: A001  (the public name reads best)
    """A ``torch.fx.GraphModule`` whose submodules are named by node id."""
    from netbuilder.compiler import compile_design

    return compile_design(design)


def summary(design: Design | Graph) -> str:
    from netbuilder.analysis.summary import summary_table

    g = _graph(design)
    return summary_table(g, analyze(g))


def export(design: Design | Graph, path: str | os.PathLike, format: str | None = None) -> None:  # noqa: A002
    """Export as ``python`` (.py), ``pt2`` (torch.export) or ``onnx``; the format follows the suffix."""
    from netbuilder.compiler.export import export as _export

    _export(design, path, format)
