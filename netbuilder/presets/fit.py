"""fit_design: give a design another input shape and number of classes, or say plainly why it cannot.

Sets the Input node's shape and the size of the classifier (the last Dense, or a 1×1-conv
classifier, feeding the Output), then analyses the copy. Imports: graph, layers, analysis.
"""

from __future__ import annotations

from collections.abc import Sequence

from netbuilder.graph import Design, Graph, Node
from netbuilder.presets.errors import PresetError

# Kinds the search for the classifier walks back through: they keep the number of features.
_PASS_THROUGH = frozenset({
    "flatten", "global_avgpool", "adaptive_avgpool2d", "avgpool2d", "maxpool2d", "dropout", "dropout2d",
    "relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "softmax",
    "batchnorm1d", "batchnorm2d", "layernorm",
})
MAX_SIDE = 4096


def _the_input(graph: Graph, name: str) -> Node:
    inputs = [n for n in graph.iter_nodes() if n.kind == "input"]
    if len(inputs) != 1:
        raise PresetError(f"{name}: fitting needs exactly one Input node, the design has {len(inputs)}")
    return inputs[0]


def classifier_node(graph: Graph) -> Node | None:
    """The Dense (or Conv2d) layer whose outputs become the class scores, if there is one."""
    outputs = [n for n in graph.iter_nodes() if n.kind == "output"]
    if len(outputs) != 1:
        return None
    node_id = outputs[0].id
    preds = graph.predecessors_map()
    while True:
        edges = preds[node_id]
        if len(edges) != 1:
            return None
        node = graph.node(edges[0].src)
        if node.kind in ("dense", "conv2d"):
            return node
        if node.kind not in _PASS_THROUGH:
            return None
        node_id = node.id


def _check_shape(shape: Sequence[int], name: str) -> list[int]:
    try:
        values = [int(v) for v in shape]
    except (TypeError, ValueError):
        raise PresetError(f"{name}: input shape {shape!r} must be numbers such as [3, 32, 32]") from None
    if len(values) not in (1, 3) or min(values) < 1 or any(v != s for v, s in zip(values, shape)):
        raise PresetError(f"{name}: input shape {list(shape)!r} must be 1 number (features) "
                          "or 3 (channels, height, width), each at least 1")
    return values


def _valid(graph: Graph) -> bool:
    from netbuilder.analysis import analyze

    return analyze(graph).valid


def minimum_side(graph: Graph, input_id: str, channels: int, start: int) -> int | None:
    """The smallest square side s (> start) for which ``[channels, s, s]`` analyses cleanly."""
    probe = graph.copy()

    def ok(side: int) -> bool:
        probe.set_param(input_id, "shape", [channels, side, side])
        return _valid(probe)

    lo, hi = max(start, 1), max(start, 1) * 2
    while not ok(hi):
        lo, hi = hi, hi * 2
        if hi > MAX_SIDE:
            return None
    while hi - lo > 1:  # invariant: lo fails (or is the start), hi works
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


# problems an input's size can cause (analysis.result.Diagnostic.code): the others (wiring, settings) it cannot
SHAPE_CODES = frozenset({"needs_flatten", "merge_mismatch", "spatial_too_small", "needs_image", "groups",
                         "same_needs_stride_1", "padding_too_large", "shape", "too_large"})


def fit_design(design: Design, input_shape: Sequence[int] | None = None,
               num_classes: int | None = None) -> Design:
    """A copy of ``design`` taking ``input_shape`` and predicting ``num_classes`` classes (a classifier
    with one output unit is kept for two classes: its one output is the probability of the second).

    Raises PresetError saying why (and the smallest input that works, when there is one)."""
    from netbuilder.analysis import analyze

    already = {(d.node_id, d.code) for d in analyze(design.graph).errors  # not the new shape's doing
               if d.code not in SHAPE_CODES}
    fitted = design.copy()
    graph = fitted.graph
    name = design.name
    inp = _the_input(graph, name)
    if input_shape is not None:
        graph.set_param(inp.id, "shape", _check_shape(input_shape, name))
    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise PresetError(f"{name}: the number of classes must be a whole number of at least 1, "
                              f"not {num_classes!r}")
        head = classifier_node(graph)
        if head is None:
            raise PresetError(f"{name}: cannot find the classifier (a Dense or Conv2d layer feeding the "
                              "Output) to give it a new number of classes; change its units by hand")
        key = "units" if head.kind == "dense" else "filters"
        if not (num_classes == 2 and graph.node(head.id).params.get(key) == 1):  # one output unit already
            graph.set_param(head.id, key, num_classes)  # answers a yes/no question of two classes: kept
    analysis = analyze(graph)
    if analysis.valid:
        fitted.meta["fitted"] = {"input_shape": list(graph.node(inp.id).params["shape"]),
                                 "num_classes": num_classes}
        return fitted
    if all((d.node_id, d.code) in already for d in analysis.errors):  # a wiring problem, say: no size helps
        n = len(analysis.errors)
        raise PresetError(f"{name} has {n} problem{'s' * (n != 1)} to fix first: {analysis.errors[0]}")
    first = next(d for d in analysis.errors if (d.node_id, d.code) not in already)
    where = "" if not first.node_id or first.message.startswith(f"{first.node_id}:") else f"{first.node_id}: "
    shape = list(graph.node(inp.id).params["shape"])
    text = f"{name} cannot take input {'×'.join(map(str, shape))}: {where}{first.message}"
    side = minimum_side(graph, inp.id, shape[0], max(shape[1:])) if len(shape) == 3 else None
    if side is not None:
        text += (f"; its downsampling needs images of at least {shape[0]}×{side}×{side}: resize the images, "
                 "or pick a teaching-size preset (resnet_cifar, vgg_small, ...)")
    elif first.fix:
        text += f" — {first.fix}"
    raise PresetError(text)
