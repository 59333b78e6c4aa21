"""A design as readable, standalone PyTorch source: one ``nn.Module`` class that imports only torch.

``__init__`` creates every layer as ``self.<node_id> = nn.Conv2d(...)`` with explicit keyword
arguments and ``forward`` calls them in topological order, so the state_dict keys equal those of
the compiled GraphModule and trained weights move between the two. With a preprocessing record the
class normalises its input itself (``self.input_normalize``, numbers written in the source, nothing in the
state dict). Every file has ``load_model(weights=None)``, which reads netbuilder's safetensors with torch
alone (``compiler.standalone``); an export with trained weights names the weights file written beside it.
Imports graph, layers, analysis and torch (to name module classes); the generated text imports torch alone.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import textwrap
from collections.abc import Mapping
from typing import Any

from torch import nn

from netbuilder.compiler import standalone
from netbuilder.compiler.build import (
    CompiledInfo,
    _split,
    analyse_for_compile,
    build_modules,
    class_name_for,
    preprocessing_for,
)
from netbuilder.compiler.ops import Normalize
from netbuilder.compiler.preprocess import (
    input_contract,
    normalize_kwargs,
)
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph
from netbuilder.layers import get_spec

_LINE = 110  # the project's line length; longer constructor calls continue on the next line
_RESERVED_VARS = {"self"}


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def _batch_shape(shape: tuple[int, ...]) -> str:
    return "(batch, " + ", ".join(str(v) for v in shape) + ")"


def _literal(value: object, where: str) -> str:
    text = repr(value)
    if isinstance(value, str) and '"' not in value and "\\" not in value:
        text = f'"{value}"'
    try:
        if ast.literal_eval(text) != value:
            raise ValueError
    except (ValueError, SyntaxError):
        raise NetbuilderError(f"{where}: the setting {value!r} cannot be written as Python source") from None
    return text


def _class_expr(cls: type) -> tuple[str, bool]:
    """How the generated source names ``cls``; True when its source must be copied in."""
    if cls.__module__ == "torch.nn" or cls.__module__.startswith("torch.nn."):
        if getattr(nn, cls.__name__, None) is cls:
            return f"nn.{cls.__name__}", False
    if cls.__module__ == "torch" or cls.__module__.startswith("torch."):
        return f"{cls.__module__}.{cls.__qualname__}", False
    return cls.__name__, True


def _constructor(attr: str, expr: str, kwargs: dict[str, object]) -> list[str]:
    """``self.attr = expr(k=v, ...)``, filled to the line length with continuation lines aligned."""
    args = [f"{k}={_literal(v, attr)}" for k, v in kwargs.items()]
    head = f"        self.{attr} = {expr}("
    lines, line = [], head
    for i, arg in enumerate(args):
        piece = arg + (", " if i < len(args) - 1 else ")")
        if line not in (head, " " * len(head)) and len(line + piece.rstrip()) > _LINE:
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece
    return [*lines, line if args else head + ")"]


def _variables(info: CompiledInfo) -> dict[str, str]:
    taken: set[str] = set()
    out = {}
    for nid in (*info.inputs, *info.order):
        name = nid
        while name in _RESERVED_VARS or keyword.iskeyword(name) or name in taken:
            name += "_"
        taken.add(name)
        out[nid] = name
    return out


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''").strip()


def _source(obj: Any, what: str) -> str:
    try:
        return inspect.getsource(obj).rstrip() + "\n"
    except (OSError, TypeError) as exc:
        raise NetbuilderError(f"{what}: the source of {obj.__name__} is not available ({exc})") from None


def _wrapped(text: str, width: int = 100) -> list[str]:
    return textwrap.wrap(_docstring_text(text), width, break_on_hyphens=False) or [""]


def to_python(design_or_graph: Design | Graph, class_name: str | None = None, *,
              preprocessing: Mapping[str, Any] | None = None, weights_file: str | None = None) -> str:
    """Readable Python source for the design (raises CompileError for an invalid design).

    The class is named after the design ("LeNet-5" -> ``LeNet5``; ``Net`` by default), takes no
    constructor arguments, and the file runs on its own: ``python net.py`` builds the model (with its
    weights, when ``weights_file`` names the file beside it), passes a random batch through it and prints
    the output shape. ``preprocessing``: the model normalises its input itself (one Input node only)."""
    graph, name = _split(design_or_graph)
    analysis, info = analyse_for_compile(graph)
    modules = build_modules(graph, analysis, info)
    cls_name = class_name or class_name_for(name)
    if not cls_name.isidentifier() or keyword.iskeyword(cls_name):
        raise NetbuilderError(f"{cls_name!r} cannot name a Python class; use letters, digits and _")
    prep, norm = preprocessing_for(graph, info, preprocessing, "export")

    copied: dict[str, str] = {}  # class name -> source
    init: list[str] = []
    if prep is not None and norm is not None:
        copied["Normalize"] = _source(Normalize, norm)
        init += _constructor(norm, "Normalize", normalize_kwargs(prep, info.input_shapes[0]))
    for nid in info.order:
        node = graph.node(nid)
        spec = get_spec(node.kind)
        cls = type(modules[nid])
        expr, copy_in = _class_expr(cls)
        if copy_in and expr not in copied:
            copied[expr] = _source(cls, nid)
        kwargs = spec.torch_kwargs(spec.resolve(node.params), analysis.nodes[nid].in_shapes)
        init += _constructor(nid, expr, kwargs)
    while cls_name in copied or cls_name in ("load_model", "read_safetensors"):
        cls_name += "Net"

    var = _variables(info)
    preds = graph.predecessors_map()
    body = []
    uses = dict(var)  # what each node's consumers read
    if norm is not None:
        normed = "x"
        while normed in var.values() or keyword.iskeyword(normed):
            normed += "_"
        body.append(f"        {normed} = self.{norm}({var[info.inputs[0]]})  # (x - mean) / std")
        uses[info.inputs[0]] = normed
    for nid in info.order:
        args = ", ".join(uses[e.src] for e in preds[nid])
        body.append(f"        {var[nid]} = self.{nid}({args})  # {_batch_shape(info.shapes[nid])}")
    result = uses[preds[info.output][0].src]
    signature = ", ".join(f"{var[i]}: torch.Tensor" for i in info.inputs)
    n_params = sum(p.numel() for m in modules.values() for p in m.parameters())

    ins = "; ".join(f"{i} {_shape_text(s)}" for i, s in zip(info.inputs, info.input_shapes))
    header = [
        f'"""{_docstring_text(name) or "untitled"}: a PyTorch model generated by netbuilder.',
        "",
        f"Input{'s' if len(info.inputs) > 1 else ''} per sample: {ins}; call the model with a batch"
        " in front, e.g. (batch, *shape).",
        f"Output per sample: {_shape_text(info.output_shape)} (from {info.output}).",
        f"Parameters: {n_params:,} trainable.",
        "",
        "Input contract:",
    ]
    for i, shape in zip(info.inputs, info.input_shapes):
        header += _wrapped(input_contract(shape, prep, var[i]))
    header.append("")
    if weights_file:
        header += _wrapped(f"Weights: trained, in {weights_file} beside this file; load_model() builds the model "
                           "and loads them, with PyTorch alone.")
    else:
        header += _wrapped("Weights: untrained; this file came without weights, so the model starts from random "
                           "values. load_model(path) loads netbuilder's trained weights (a .safetensors file).")
    if isinstance(design_or_graph, Design) and design_or_graph.description.strip():
        header += ["", _docstring_text(design_or_graph.description)]
    header += [
        "",
        "Needs only PyTorch: `python this_file.py` builds the model and runs a random batch through it.",
        "The attribute names are the design's node ids, so netbuilder's trained weights load with",
        "model.load_state_dict(...).",
        '"""',
    ]
    classes = list(prep["class_names"]) if prep and prep.get("class_names") else None
    example = ", ".join(f"torch.rand(2, {', '.join(map(str, s))})" for s in info.input_shapes)
    lines = [
        *header, "", "import json", "import os", "import struct", "from pathlib import Path", "",
        "import torch", "from torch import nn", "",
        f"WEIGHTS_FILE = {_literal(weights_file, 'weights_file')}  # trained weights beside this file, if any",
        *([f"CLASS_NAMES = {_literal(classes, 'class_names')}"] if classes else []),
        "",
        *(f"\n{src}" for src in copied.values()),
        "",
        f"class {cls_name}(nn.Module):",
        f'    """{_docstring_text(name) or "untitled"} ({n_params:,} parameters)."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        *init,
        "",
        f"    def forward(self, {signature}) -> torch.Tensor:",
        *body,
        f"        return {result}",
        "",
        "",
        _source(standalone.read_safetensors, "read_safetensors").rstrip(),
        "",
        "",
        f"def load_model(weights: str | os.PathLike | None = None) -> {cls_name}:",
        '    """The model in eval mode, with the weights in ``weights`` (a .safetensors file; by default',
        '    WEIGHTS_FILE beside this file, when there is one)."""',
        f"    model = {cls_name}()",
        "    if weights is None and WEIGHTS_FILE is not None:",
        "        weights = Path(__file__).with_name(WEIGHTS_FILE)",
        "    if weights is not None:",
        "        model.load_state_dict(read_safetensors(weights))",
        "    return model.eval()",
        "",
        "",
        'if __name__ == "__main__":',
        "    model = load_model()",
        f"    example = ({example},)",
        "    with torch.no_grad():",
        "        scores = model(*example)",
        '    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")',
        '    print("output shape:", tuple(scores.shape))',
    ]
    return "\n".join(lines) + "\n"
