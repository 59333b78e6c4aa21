"""Design -> ``torch.fx.GraphModule``: one placeholder per Input node, one ``call_module`` per layer
node (the submodule is named by the node id), the Output node's input as the graph output.

With a preprocessing record (``compiler.preprocess``) the model first normalises its input in a
``Normalize`` submodule named ``input_normalize``, which is no design node: its numbers are buffers left
out of the state dict, so design layers keep their names and weights files load with or without it.

Owns: ``compile_design``, ``CompileError``, ``compiled_info``, ``node_modules``, ``readable_code``.
Imports graph, layers, analysis and torch; never Qt, never the training engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import torch.fx as fx
from torch import nn

from netbuilder.analysis import Analysis, Diagnostic, analyze
from netbuilder.compiler.modules import build_module
from netbuilder.compiler.ops import Normalize
from netbuilder.compiler.preprocess import check_preprocessing, normalize_kwargs, normalize_name
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph
from netbuilder.graph.topology import reachable
from netbuilder.layers import Shape, get_spec

META_KEY = "netbuilder"
_SHOWN_PROBLEMS = 3
# Names a submodule of a GraphModule cannot take (its own attributes and methods).
_RESERVED = frozenset(dir(fx.GraphModule(nn.Module(), fx.Graph()))) | {"meta", "graph", "code", "training"}


class CompileError(NetbuilderError):
    """The design cannot become a model; ``diagnostics`` lists every problem (errors first)."""

    def __init__(self, diagnostics: list[Diagnostic] | list[Any], message: str | None = None):
        self.diagnostics = list(diagnostics)
        super().__init__(message or problems_message(self.diagnostics))


def problems_message(diagnostics: list[Any]) -> str:
    """One line naming the first few problems, e.g.
    ``the design has 2 problems: dense_1: Dense expects a vector … — add a Flatten before it; …``."""
    n = len(diagnostics)
    if n == 0:
        return "the design cannot be compiled"
    head = "the design has a problem: " if n == 1 else f"the design has {n} problems: "
    shown = "; ".join(str(d) for d in diagnostics[:_SHOWN_PROBLEMS])
    more = f"; and {n - _SHOWN_PROBLEMS} more" if n > _SHOWN_PROBLEMS else ""
    return head + shown + more


@dataclass(frozen=True)
class CompiledInfo:
    """Plain facts about a compiled design, for the training engine and the exporters.

    Shapes are per sample (no batch dimension). ``unused`` are nodes that do not feed the Output
    node: they are left out of the model (analysis warns about them)."""

    inputs: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output: str
    output_shape: Shape
    order: tuple[str, ...]  # layer nodes in the order forward runs them
    shapes: dict[str, Shape] = field(default_factory=dict)  # every compiled node's output shape
    total_params: int = 0
    unused: tuple[str, ...] = ()
    name: str = "untitled"
    preprocessing: dict[str, Any] | None = None  # the normalisation the model applies to its input itself
    normalize: str | None = None  # the submodule that applies it (not a design node)
    scores: str = "logits"  # what the model returns: "logits", or "sigmoid"/"softmax" probabilities (scores.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs), "input_shapes": [list(s) for s in self.input_shapes],
            "output": self.output, "output_shape": list(self.output_shape), "order": list(self.order),
            "shapes": {k: list(v) for k, v in self.shapes.items()}, "total_params": self.total_params,
            "unused": list(self.unused), "name": self.name, "preprocessing": self.preprocessing,
            "normalize": self.normalize, "scores": self.scores,
        }


def _split(design_or_graph: Design | Graph) -> tuple[Graph, str]:
    if isinstance(design_or_graph, Design):
        return design_or_graph.graph, design_or_graph.name
    if isinstance(design_or_graph, Graph):
        return design_or_graph, "untitled"
    raise TypeError(f"expected a Design or a Graph, not {type(design_or_graph).__name__}")


def analyse_for_compile(graph: Graph, analysis: Analysis | None = None) -> tuple[Analysis, CompiledInfo]:
    """Analyse ``graph`` (unless given) and work out what the model holds; raises CompileError."""
    if analysis is None:
        analysis = analyze(graph)
    if not analysis.valid:
        raise CompileError(analysis.errors)
    kinds = {nid: get_spec(graph.node(nid).kind).kind for nid in analysis.order}
    outputs = [nid for nid, k in kinds.items() if k == "output"]
    if len(outputs) != 1:
        msg = "there is no Output node" if not outputs else f"there are {len(outputs)} Output nodes"
        raise CompileError([Diagnostic(outputs[1] if outputs else None, "no_output",
                                       f"{msg}; a model needs exactly one",
                                       "mark the class scores with one Output node")])
    out_id = outputs[0]
    preds = graph.predecessors_map()
    needed = reachable([out_id], {n: [e.src for e in es] for n, es in preds.items()})
    order = [nid for nid in analysis.order if nid in needed]
    inputs = tuple(nid for nid in order if kinds[nid] == "input")
    if not inputs:
        raise CompileError([Diagnostic(out_id, "no_input", "no Input node feeds the Output node",
                                       "connect an Input node to the network")])
    shapes = {nid: tuple(analysis.nodes[nid].shape) for nid in order}
    layers = tuple(nid for nid in order if kinds[nid] not in ("input", "output"))
    info = CompiledInfo(
        inputs=inputs,
        input_shapes=tuple(shapes[i] for i in inputs),
        output=out_id,
        output_shape=shapes[out_id],
        order=layers,
        shapes=shapes,
        total_params=sum(analysis.nodes[nid].params for nid in order),
        unused=tuple(nid for nid in analysis.order if nid not in needed),
        scores=_scores(graph, out_id, len(shapes[out_id])),
    )
    return analysis, info


def _scores(graph: Graph, out_id: str, rank: int) -> str:
    """What reaches the Output: probabilities when a Sigmoid, or a Softmax over the classes (a vector),
    comes just before it; else logits."""
    before = [e.src for e in graph.predecessors_map().get(out_id, ())]
    kind = get_spec(graph.node(before[0]).kind).kind if len(before) == 1 else None
    if kind == "sigmoid" or (kind == "softmax" and rank == 1):
        return kind
    return "logits"


def build_modules(graph: Graph, analysis: Analysis, info: CompiledInfo) -> dict[str, nn.Module]:
    """One fresh torch module per layer node, by node id, in forward order."""
    out: dict[str, nn.Module] = {}
    for nid in info.order:
        node = graph.node(nid)
        spec = get_spec(node.kind)
        try:
            out[nid] = build_module(spec, spec.resolve(node.params), analysis.nodes[nid].in_shapes)
        except Exception as exc:  # a catalogue / torch disagreement the analysis did not catch
            raise CompileError([Diagnostic(nid, "torch", f"torch refused to build this {spec.title} layer "
                                           f"({' '.join(str(exc).split())})", "check its settings")]) from exc
    return out


def preprocessing_for(graph: Graph, info: CompiledInfo, preprocessing: dict[str, Any] | None,
                      verb: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(checked preprocessing, the normalising submodule's name)`` for a design, or ``(None, None)``;
    ``verb`` ("compile", "export") says in the message what to do without it."""
    if preprocessing is None:
        return None, None
    if len(info.inputs) != 1:
        raise CompileError([], f"the preprocessing normalises one input, but the design has {len(info.inputs)} "
                               f"Input nodes; {verb} it without preprocessing")
    return check_preprocessing(preprocessing, info.input_shapes[0]), normalize_name([*graph.nodes, *graph.groups])


def compile_design(design_or_graph: Design | Graph, *, analysis: Analysis | None = None,
                   preprocessing: dict[str, Any] | None = None) -> fx.GraphModule:
    """A ``torch.fx.GraphModule`` for a valid design; raises CompileError listing the problems.

    Submodules are named by node id, so ``state_dict`` keys read ``conv2d_1.weight``. Input nodes
    become the forward arguments (in topological order); the Output node's input is returned.
    ``compiled_info(gm)`` (also ``gm.meta["netbuilder"]``) gives input ids and shapes, the output id.
    Pass ``analysis`` only if it is fresh for this very graph.

    ``preprocessing`` (see ``compiler.preprocess``): the model computes ``(x - mean) / std`` on its
    input first, so it takes images in [0, 1] (tables: the features as in the file). Without it the
    model is the bare network, fed normalised data (as training inside the app does). Needs a design
    with one Input node; raises PreprocessingError for numbers that do not fit that input."""
    graph, name = _split(design_or_graph)
    analysis, info = analyse_for_compile(graph, analysis)
    prep, norm = preprocessing_for(graph, info, preprocessing, "compile")
    info = CompiledInfo(**{**info.__dict__, "name": name, "preprocessing": prep, "normalize": norm})
    modules = build_modules(graph, analysis, info)

    root = nn.Module()
    for nid, module in modules.items():
        if nid in _RESERVED:
            raise CompileError([Diagnostic(nid, "reserved_id", f"the id {nid!r} is a name torch keeps for itself",
                                           "rename the node")])
        root.add_module(nid, module)
    if prep is not None and norm is not None:
        root.add_module(norm, Normalize(**normalize_kwargs(prep, info.input_shapes[0])))

    fx_graph = fx.Graph()
    values: dict[str, fx.Node] = {}
    preds = graph.predecessors_map()
    for nid in info.shapes:  # topological order, only what feeds the output
        kind = get_spec(graph.node(nid).kind).kind
        if kind == "input":
            values[nid] = fx_graph.placeholder(nid)
            if norm is not None:
                values[nid] = fx_graph.call_module(norm, (values[nid],))
        elif kind == "output":
            fx_graph.output(values[preds[nid][0].src])
        else:
            args = tuple(values[e.src] for e in preds[nid])
            values[nid] = fx_graph.call_module(nid, args)
    fx_graph.lint()
    gm = fx.GraphModule(root, fx_graph, class_name=class_name_for(name))
    gm.meta[META_KEY] = info
    return gm


def with_preprocessing(gm: fx.GraphModule, preprocessing: dict[str, Any]) -> fx.GraphModule:
    """A GraphModule that normalises its input and then runs ``gm``'s layers (shared, not copied): what
    ``compile_design(..., preprocessing=...)`` gives, for a model compiled (and trained) without it."""
    info = compiled_info(gm)
    if info.preprocessing is not None:
        raise NetbuilderError("this model already normalises its input")
    if len(info.inputs) != 1:
        raise CompileError([], f"the preprocessing normalises one input, but the model has {len(info.inputs)}")
    prep = check_preprocessing(preprocessing, info.input_shapes[0])
    norm = normalize_name(name for name, _ in gm.named_children())
    root = nn.Module()
    for name, child in gm.named_children():
        root.add_module(name, child)
    root.add_module(norm, Normalize(**normalize_kwargs(prep, info.input_shapes[0])))
    graph = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    for node in gm.graph.nodes:
        env[node] = graph.node_copy(node, lambda n: env[n])
        if node.op == "placeholder":
            env[node] = graph.call_module(norm, (env[node],))
    graph.lint()
    out = fx.GraphModule(root, graph, class_name=type(gm).__name__)
    out.meta[META_KEY] = CompiledInfo(**{**info.__dict__, "preprocessing": prep, "normalize": norm})
    out.training = gm.training  # only the wrapper's own flag: the shared layers keep theirs
    return out


def compiled_info(gm: nn.Module) -> CompiledInfo:
    """The facts ``compile_design`` attached to ``gm``; raises NetbuilderError for other modules."""
    info = getattr(gm, "meta", {}).get(META_KEY) if isinstance(getattr(gm, "meta", None), dict) else None
    if not isinstance(info, CompiledInfo):
        raise NetbuilderError("this model was not made by netbuilder's compiler; compile the design first")
    return info


def node_modules(gm: nn.Module) -> dict[str, nn.Module]:
    """Node id -> the torch module that node became (layer nodes only, forward order)."""
    info = compiled_info(gm)
    return {nid: gm.get_submodule(nid) for nid in info.order}


_DELETE = re.compile(r";\s+\w+(?: = \w+)* = None$", re.MULTILINE)


def readable_code(gm: fx.GraphModule) -> str:
    """``gm.code`` without fx's memory-freeing ``x = None`` statements and blank preamble lines."""
    return _DELETE.sub("", gm.code).strip("\n").rstrip() + "\n"


def class_name_for(name: str | None, default: str = "Net") -> str:
    """``"LeNet-5"`` -> ``"LeNet5"``, ``"my small net"`` -> ``"MySmallNet"``; ``default`` when empty."""
    words = re.findall(r"[A-Za-z0-9]+", name or "")
    text = "".join(w[0].upper() + w[1:] for w in words)
    if not text or (name or "").strip().lower() == "untitled":
        return default
    if text[0].isdigit():
        text = default + text
    return text
