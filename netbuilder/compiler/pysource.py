"""A design as readable, standalone PyTorch source: one ``nn.Module`` class that imports only torch.

``__init__`` creates every layer as ``self.<node_id> = nn.Conv2d(...)`` with explicit keyword
arguments and ``forward`` calls them in topological order, so the state_dict keys equal those of
the compiled GraphModule and trained weights move between the two. With a preprocessing record the
class normalises its input itself (``self.input_normalize``, numbers written in the source, nothing in the
state dict). Every file has ``load_model(weights=None)``, which reads netbuilder's safetensors with torch
alone (``compiler.standalone``); an export with trained weights names the weights file written beside it.

The file reads as the project's own code: every line fits in 110 characters (long calls continue on the
next line), no variable shadows a builtin (a node ``input`` is read as ``input_1``), a comment names each
group of layers, the docstring says whether the model returns logits or probabilities (``compiler.scores``)
and how raw file values become its input, and the layers the design locks stay locked. The Code view shows
the same text (``workbench.host.ModelHost.python_code``), naming the weights an export would carry.
Imports graph, layers, analysis, choices and torch (to name module classes); the generated text imports
torch alone.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import keyword
import re
import textwrap
import unicodedata
from collections.abc import Mapping
from typing import Any

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from netbuilder.choices import frozen_ids
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
from netbuilder.compiler.scores import LOGITS, SIGMOID, SOFTMAX
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Graph
from netbuilder.layers import get_spec

_LINE = 110  # the project's line length: longer statements continue on the next line
# names a forward() variable never takes (the builtins, as ruff's A001/A002 say, and the file's own imports)
_RESERVED_VARS = {"self", "torch", "nn", "json", "os", "struct", "Path", *dir(builtins)}
_SPLIT_LIST = 40  # a list setting longer than this may continue on the next line, item by item


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def _batch_shape(shape: tuple[int, ...]) -> str:
    return "(batch, " + ", ".join(str(v) for v in shape) + ")"


def _py(value: object) -> str:
    """Python source for a plain value, text in double quotes (as the rest of the file)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_py(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _literal(value: object, where: str) -> str:
    text = _py(value)
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


def _pieces(items: list[str], close: str = "") -> list[str]:
    """``items`` as pieces to fill lines with: each but the last followed by ", ", the last by ``close``."""
    return [item + (", " if i < len(items) - 1 else close) for i, item in enumerate(items)]


def _fill(head: str, pieces: list[str], tail: str, comment: str = "") -> list[str]:
    """``head + pieces + tail`` (a call or a list: ``head`` ends with its opening bracket) filled to the line
    length: continuation lines aligned after ``head``, or indented once below it when ``head`` is long.
    ``comment`` ends the last line, or stands on a line of its own above when it does not fit there."""
    indent = " " * (len(head) - len(head.lstrip()))
    note = f"  # {comment}" if comment else ""
    flat = head + "".join(pieces) + tail
    if len(flat + note) <= _LINE or not pieces:
        return [flat + note]
    aligned = _pack(head, " " * len(head), pieces, tail)
    hanging = [head.rstrip(), *_pack(indent + "    ", indent + "    ", pieces, tail)]
    inner = indent + "    "
    each = [head.rstrip(), *(inner + p.rstrip() for p in pieces[:-1]), inner + pieces[-1] + tail]
    fitting = [lines for lines in (aligned, hanging, each) if all(len(line) <= _LINE for line in lines)]
    for lines in fitting:
        if len(lines) > 1 and len(lines[-1] + note) <= _LINE:
            return [*lines[:-1], lines[-1] + note]
    lines = ([flat] if len(flat) <= _LINE else fitting[0] if fitting else hanging)
    return [f"{indent}# {comment}", *lines] if comment else lines


def _pack(first: str, cont: str, pieces: list[str], tail: str) -> list[str]:
    lines, line, empty = [], first, True
    for i, piece in enumerate(pieces):
        text = piece + (tail if i == len(pieces) - 1 else "")
        if not empty and len((line + text).rstrip()) > _LINE:
            lines.append(line.rstrip())
            line = cont
        line, empty = line + text, False
    return [*lines, line]


def _argument(key: str, value: object, where: str) -> list[str]:
    """``key=value`` as pieces: a long list of plain values may break between its items."""
    text = _literal(value, where)
    if not isinstance(value, list) or len(text) <= _SPLIT_LIST or any(isinstance(v, list | tuple | dict)
                                                                      for v in value):
        return [f"{key}={text}"]
    items = [_literal(v, where) for v in value]
    return [f"{key}=[{items[0]}", *items[1:-1], f"{items[-1]}]"] if len(items) > 1 else [f"{key}={text}"]


def _constructor(attr: str, expr: str, kwargs: dict[str, object]) -> list[str]:
    """``self.attr = expr(k=v, ...)``, filled to the line length with continuation lines aligned."""
    items = [piece for k, v in kwargs.items() for piece in _argument(k, v, attr)]
    return _fill(f"        self.{attr} = {expr}(", _pieces(items), ")")


def _variables(info: CompiledInfo, ids: list[str]) -> dict[str, str]:
    """forward()'s variable for each node: its id, or ``input_1``... when the id is a builtin (``input``,
    ``list``) or a keyword, numbered past every node id."""
    taken = set(ids)
    out = {}
    for nid in (*info.inputs, *info.order):
        name, k = nid, 0
        while name in _RESERVED_VARS or keyword.iskeyword(name) or (name != nid and name in taken):
            k += 1
            name = f"{nid}_{k}"
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


def _ascii(text: str) -> str:
    """``"Mon réseau"`` -> ``"Mon reseau"``: accented letters without their accents (others dropped)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _spelling_in(name: str, text: str) -> str | None:
    """How ``text`` (the design's description) spells the all-lowercase ``name``: ``"GoogLeNet"`` for
    ``googlenet``, ``"DenseNet 121"`` for ``densenet121``; None when it does not."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    words = re.findall(r"[A-Za-z0-9]+", text)
    for i in range(len(words)):
        joined = ""
        for j in range(i, min(i + 4, len(words))):
            joined += words[j]
            if joined.lower() == key:
                return " ".join(words[i:j + 1])
            if len(joined) >= len(key):
                break
    return None


def class_name_of(name: str | None, description: str = "") -> str:
    """The generated class's name: ``"LeNet-5"`` -> ``LeNet5``, ``"Mon réseau"`` -> ``MonReseau``; a name in
    lowercase letters takes the capitals its description gives it (``googlenet`` -> ``GoogLeNet``)."""
    text = _ascii(name or "")
    if text == text.lower() and text.strip().lower() != "untitled":
        text = _spelling_in(text, _ascii(description or "")) or text
    return class_name_for(text)


def _output_text(scores: str, shape: tuple[int, ...]) -> str:
    """What the model returns and how it is trained (``CompiledInfo.scores``)."""
    if scores == LOGITS:
        if shape == (1,):
            return ("one score (a logit) for yes/no: train with BCEWithLogitsLoss; torch.sigmoid(logits) gives "
                    "the probability of yes.")
        if len(shape) == 1:
            return ("class scores (logits), one per class: train with CrossEntropyLoss; torch.softmax(logits, "
                    "dim=1) gives probabilities.")
        return "scores (logits), as the last layer gives them."
    ending = "Softmax" if scores == SOFTMAX else "Sigmoid"
    if scores == SIGMOID and shape == (1,):
        what = "the probability of yes (sigmoid)"
    elif scores == SIGMOID:
        what = "probabilities (sigmoid), one per class, each on its own"
    else:
        what = "probabilities (softmax), one per class, summing to 1"
    if scores == SOFTMAX:
        loss = "use NLLLoss on their log, or drop the Softmax and use CrossEntropyLoss (steadier)"
    else:
        loss = "use BCELoss, or drop the Sigmoid and use BCEWithLogitsLoss (steadier)"
    return f"{what}, as the design ends in a {ending}: not logits. To train it, {loss}."


def _groups_before(graph: Graph, order: tuple[str, ...]) -> dict[str, str]:
    """A comment line before the first node of each run of a group's nodes in forward(): its name."""
    out, last = {}, None
    for nid in order:
        group = graph.group_of(nid)
        gid = group.id if group is not None else None
        if group is not None and gid != last:
            name = " ".join(str(group.name).split()) or gid
            text = name if name == gid else f"{name} ({gid})"
            out[nid] = text if len(text) <= _LINE - 12 else text[:_LINE - 13] + "…"
        last = gid
    return out


def _locked(design_or_graph: Design | Graph, modules: Mapping[str, nn.Module]) -> list[str]:
    """The layers the design locks (``training["frozen"]``, read as ``choices.frozen_ids`` reads it) that have
    parameters, in forward order."""
    if not isinstance(design_or_graph, Design):
        return []
    frozen = set(frozen_ids(design_or_graph.training))
    return [nid for nid in modules if nid in frozen and any(True for _ in modules[nid].parameters())]


def _freezing(locked: list[str], modules: Mapping[str, nn.Module],
              cls_name: str) -> tuple[list[str], list[str]]:
    """``__init__``'s lines that lock the layers, and a ``train`` method keeping their BatchNorm in eval mode
    (its running statistics stay as trained), as netbuilder's training does."""
    if not locked:
        return [], []
    attrs = [f"self.{nid}" for nid in locked]
    init = ["        # Locked (frozen) in netbuilder: these layers' parameters are not trained.",
            *_fill("        for layer in (", _pieces(attrs, "," if len(attrs) == 1 else ""), "):"),
            "            layer.requires_grad_(False)"]
    norms = [f"self.{nid}" for nid in locked if any(isinstance(m, _BatchNorm) for m in modules[nid].modules())]
    if not norms:
        return init, []
    method = [
        "",
        f'    def train(self, mode: bool = True) -> "{cls_name}":',
        '        """Train mode, except the locked BatchNorm layers: they keep their running statistics."""',
        "        super().train(mode)",
        *_fill("        for layer in (", _pieces(norms, "," if len(norms) == 1 else ""), "):"),
        "            layer.eval()",
        "        return self",
    ]
    return init, method


def _weights_text(weights_file: str | None, weights_note: str | None) -> list[str]:
    if weights_file:
        return _wrapped(f"Weights: trained, in {weights_file} beside this file; load_model() builds the model "
                        "and loads them, with PyTorch alone.")
    if weights_note:
        named = weights_note if weights_note.startswith(("trained", "weights")) else f"trained ({weights_note})"
        return _wrapped(f"Weights: {named}; an export (File > Export, or netbuilder export) writes them beside "
                        "the .py file, where load_model() finds them. This code alone starts from random values.")
    return _wrapped("Weights: untrained; this file came without weights, so the model starts from random "
                    "values. load_model(path) loads netbuilder's trained weights (a .safetensors file).")


def to_python(design_or_graph: Design | Graph, class_name: str | None = None, *,
              preprocessing: Mapping[str, Any] | None = None, weights_file: str | None = None,
              weights_note: str | None = None) -> str:
    """Readable Python source for the design (raises CompileError for an invalid design).

    The class is named after the design ("LeNet-5" -> ``LeNet5``; ``Net`` by default), takes no
    constructor arguments, and the file runs on its own: ``python net.py`` builds the model (with its
    weights, when ``weights_file`` names the file beside it), passes a random batch through it and prints
    the output shape and what it predicts. ``preprocessing``: the model normalises its input itself (one
    Input node only). ``weights_note``: without ``weights_file``, the trained weights an export would write
    beside the file (the Code view shows the code alone). Layers the design locks (``training["frozen"]``)
    are locked in ``__init__`` too. Every line fits in 110 characters."""
    graph, name = _split(design_or_graph)
    analysis, info = analyse_for_compile(graph)
    modules = build_modules(graph, analysis, info)
    description = design_or_graph.description if isinstance(design_or_graph, Design) else ""
    cls_name = class_name or class_name_of(name, description)
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
    locked = _locked(design_or_graph, modules)
    lock_lines, train_method = _freezing(locked, modules, cls_name)

    var = _variables(info, list(graph.nodes))
    preds = graph.predecessors_map()
    body = []
    uses = dict(var)  # what each node's consumers read
    if norm is not None:
        normed = "x"
        while normed in var.values() or normed in _RESERVED_VARS:
            normed += "_"
        body.append(f"        {normed} = self.{norm}({var[info.inputs[0]]})  # (x - mean) / std")
        uses[info.inputs[0]] = normed
    groups = _groups_before(graph, info.order)
    for nid in info.order:
        if nid in groups:
            body += [""] * bool(body) + [f"        # {groups[nid]}"]
        args = [uses[e.src] for e in preds[nid]]
        body += _fill(f"        {var[nid]} = self.{nid}(", _pieces(args), ")", _batch_shape(info.shapes[nid]))
    result = uses[preds[info.output][0].src]
    signature = ", ".join(f"{var[i]}: torch.Tensor" for i in info.inputs)
    n_params = sum(p.numel() for m in modules.values() for p in m.parameters())
    n_locked = sum(p.numel() for nid in locked for p in modules[nid].parameters())

    ins = "; ".join(f"{var[i]} {_shape_text(s)}" for i, s in zip(info.inputs, info.input_shapes))
    title = _docstring_text(name) or "untitled"
    header = [
        *_wrapped(f"{title}: a PyTorch model generated by netbuilder."),
        "",
        *_wrapped(f"Input{'s' if len(info.inputs) > 1 else ''} per sample: {ins}; call the model with a batch "
                  "in front, e.g. (batch, *shape)."),
        *_wrapped(f"Output per sample: {_shape_text(info.output_shape)} (from {info.output}): "
                  + _output_text(info.scores, tuple(info.output_shape))),
    ]
    if locked:
        header += _wrapped(f"Parameters: {n_params:,}: {n_params - n_locked:,} trainable, {n_locked:,} locked "
                           f"(frozen in netbuilder, so not trained: {', '.join(locked)}).")
    else:
        header.append(f"Parameters: {n_params:,} trainable.")
    header += ["", "Input contract:"]
    header[0] = '"""' + header[0]
    for i, shape in zip(info.inputs, info.input_shapes):
        header += _wrapped(input_contract(shape, prep, var[i]))
    header += ["", *_weights_text(weights_file, weights_note)]
    if description.strip():
        header.append("")
        header += [w for line in _docstring_text(description).splitlines() for w in _wrapped(line)]
    header += [
        "",
        "Needs only PyTorch: `python this_file.py` builds the model and runs a random batch through it.",
        "The attribute names are the design's node ids, so netbuilder's trained weights load with",
        "model.load_state_dict(...).",
        '"""',
    ]
    classes = list(prep["class_names"]) if prep and prep.get("class_names") else []
    out_name = "logits" if info.scores == LOGITS else "probs"
    predict = _prediction(out_name, info.scores, tuple(info.output_shape), classes)
    if not any("CLASS_NAMES" in line for line in predict):
        classes = []
    names = [_literal(c, "class_names") for c in classes]
    example = ", ".join(f"torch.rand(2, {', '.join(map(str, s))})" for s in info.input_shapes)
    cls_doc = f'    """{title} ({n_params:,} parameters)."""'
    lines = [
        *header, "", "import json", "import os", "import struct", "from pathlib import Path", "",
        "import torch", "from torch import nn", "",
        "# the trained weights beside this file, if any (load_model reads them)",
        f"WEIGHTS_FILE = {_literal(weights_file, 'weights_file')}",
        *(_fill("CLASS_NAMES = [", _pieces(names), "]") if classes else []),
        "",
        *(f"\n{src}" for src in copied.values()),
        "",
        f"class {cls_name}(nn.Module):",
        cls_doc if len(cls_doc) <= _LINE else f'    """The model ({n_params:,} parameters)."""',
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        *init,
        *lock_lines,
        *train_method,
        "",
        *_fill("    def forward(self, ", _pieces(signature.split(", ")), ") -> torch.Tensor:"),
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
        f"        {out_name} = model(*example)",
        '    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")',
        f'    print("output shape:", tuple({out_name}.shape))',
        *predict,
    ]
    return "\n".join(lines) + "\n"


def _prediction(out: str, scores: str, shape: tuple[int, ...], classes: list[str]) -> list[str]:
    """``__main__``'s lines printing the predicted class of each example (by name, with CLASS_NAMES)."""
    if len(shape) != 1:
        return []
    if shape == (1,):
        cut = "0" if scores == LOGITS else "0.5"
        lines = [f"    predicted = ({out}.view(-1) > {cut}).long().tolist()  # 1: yes, 0: no"]
        named = len(classes) == 2
    else:
        lines = [f"    predicted = {out}.argmax(dim=1).tolist()"]
        named = len(classes) == shape[0]
    if named:
        return [*lines, '    print("predicted:", [CLASS_NAMES[i] for i in predicted])']
    return [*lines, '    print("predicted class:", predicted)']
