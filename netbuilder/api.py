"""The notebook API behind ``netbuilder.load / save / compile / analyze / summary / export``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph

if TYPE_CHECKING:
    from netbuilder.analysis.result import Analysis
    from netbuilder.compiler.export import ExportResult


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


def compile(design: Design | Graph, *, preprocessing: dict | None = None):  # noqa: A001  (reads best)
    """A ``torch.fx.GraphModule`` whose submodules are named by node id; with ``preprocessing`` it
    normalises its input itself (see ``netbuilder.compiler.preprocess``)."""
    from netbuilder.compiler import compile_design

    return compile_design(design, preprocessing=preprocessing)


def design_weights(design_path: str | os.PathLike, design: Design | None = None) -> Path | None:
    """The trained weights of the design file ``design_path`` (``design``: the design read from it, else it
    is read), if they exist, by the one rule the window and the commands follow (``io.weights_file``): the
    file its ``weights`` entry names beside it; None when the entry is null (untrained) or the file is
    missing."""
    from netbuilder.io import existing_design_weights, load_design

    if design is None:
        design = load_design(design_path)
    return existing_design_weights(design, design_path)


def summary(design: Design | Graph) -> str:
    from netbuilder.analysis.summary import summary_table

    g = _graph(design)
    return summary_table(design, analyze(g))  # (a Design: its locked layers count as not trainable)


def export(design: Design | Graph | str | os.PathLike, path: str | os.PathLike, format: str | None = None,  # noqa: A002
           *, weights: str | os.PathLike | Mapping | None = None, preprocessing: dict | None = None,
           partial: bool = False, module: Any = None) -> ExportResult:
    """Export as ``python`` (.py), ``pt2`` (torch.export) or ``onnx``; the format follows the suffix (a
    ``format`` whose file ends in another format's suffix, ``net.py`` with ``"onnx"``, is refused).

    ``design``: a Design, or a design file / preset name as ``load`` takes; a design file brings its
    trained weights (``design_weights``) unless ``weights`` is given. ``weights``: a netbuilder
    safetensors file or a torchvision checkpoint of the matching preset (loaded by
    ``training.transfer.load_into``; ``partial`` as there), or a state dict. ``preprocessing``: the
    normalisation the exported model applies itself; by default the one stored with the weights
    (ImageNet's for a torchvision checkpoint), else none. The result's ``trained`` is False when no
    weights went out (say "untrained"); ``load_report`` tells how a weights file was loaded."""
    import dataclasses

    from netbuilder.compiler.export import export as _export
    from netbuilder.compiler.export import format_for, not_over_inputs

    format_for(path, format)  # a wrong suffix (or one of another format's) is named before anything is read
    if not isinstance(design, Design | Graph):
        source = design
        design = load(source)
        if weights is None and module is None and os.path.isfile(os.fspath(source)):
            weights = design_weights(source, design)
        not_over_inputs(path, format, [(source, "the design file")])
    if weights is not None and not isinstance(weights, Mapping):
        not_over_inputs(path, format, [(weights, "the weights file")])
    if weights is None or isinstance(weights, Mapping):
        return _export(design, path, format, module=module, weights=weights, preprocessing=preprocessing)
    if module is not None:
        raise TypeError("give either a module or a weights file for it, not both")
    from netbuilder.compiler import compile_design
    from netbuilder.training.transfer import load_into

    model = compile_design(design)
    report = load_into(model, design, weights, partial=partial)
    prep = preprocessing if preprocessing is not None else report.preprocessing
    result = _export(design, path, format, module=model, preprocessing=prep)
    return dataclasses.replace(result, load_report=report)
