"""A design as readable, standalone PyTorch source: one ``nn.Module`` class that imports only torch.

``__init__`` creates every layer as ``self.<node_id> = nn.Conv2d(...)`` with explicit keyword
arguments and ``forward`` calls them in topological order, so the state_dict keys equal those of
the compiled GraphModule and trained weights move between the two. Imports graph, layers, analysis
and torch (to name module classes); the generated text imports torch alone.
"""

from __future__ import annotations

import ast
import inspect
import keyword

from torch import nn

from netbuilder.compiler.build import CompiledInfo, _split, analyse_for_compile, build_modules, class_name_for
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


def to_python(design_or_graph: Design | Graph, class_name: str | None = None) -> str:
    """Readable Python source for the design (raises CompileError for an invalid design).

    The class is named after the design ("LeNet-5" -> ``LeNet5``; ``Net`` by default), takes no
    constructor arguments, and the file runs on its own: ``python net.py`` builds the model, passes
    a random batch through it and prints the output shape."""
    graph, name = _split(design_or_graph)
    analysis, info = analyse_for_compile(graph)
    modules = build_modules(graph, analysis, info)
    cls_name = class_name or class_name_for(name)
    if not cls_name.isidentifier() or keyword.iskeyword(cls_name):
        raise NetbuilderError(f"{cls_name!r} cannot name a Python class; use letters, digits and _")

    copied: dict[str, str] = {}  # class name -> source
    init: list[str] = []
    for nid in info.order:
        node = graph.node(nid)
        spec = get_spec(node.kind)
        cls = type(modules[nid])
        expr, copy_in = _class_expr(cls)
        if copy_in and expr not in copied:
            try:
                copied[expr] = inspect.getsource(cls).rstrip() + "\n"
            except (OSError, TypeError) as exc:
                raise NetbuilderError(f"{nid}: the source of {cls.__name__} is not available ({exc})") from None
        kwargs = spec.torch_kwargs(spec.resolve(node.params), analysis.nodes[nid].in_shapes)
        init += _constructor(nid, expr, kwargs)
    while cls_name in copied:
        cls_name += "Net"

    var = _variables(info)
    preds = graph.predecessors_map()
    body = []
    for nid in info.order:
        args = ", ".join(var[e.src] for e in preds[nid])
        body.append(f"        {var[nid]} = self.{nid}({args})  # {_batch_shape(info.shapes[nid])}")
    result = var[preds[info.output][0].src]
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
    ]
    if isinstance(design_or_graph, Design) and design_or_graph.description.strip():
        header += ["", _docstring_text(design_or_graph.description)]
    header += [
        "",
        "Needs only PyTorch: `python this_file.py` builds the model and runs a random batch through it.",
        "The attribute names are the design's node ids, so netbuilder's trained weights load with",
        "model.load_state_dict(...).",
        '"""',
    ]
    example = ", ".join(f"torch.randn(2, {', '.join(map(str, s))})" for s in info.input_shapes)
    lines = [
        *header, "", "import torch", "from torch import nn", "",
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
        'if __name__ == "__main__":',
        f"    model = {cls_name}().eval()",
        f"    example = ({example},)",
        "    with torch.no_grad():",
        "        scores = model(*example)",
        '    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")',
        '    print("output shape:", tuple(scores.shape))',
    ]
    return "\n".join(lines) + "\n"
