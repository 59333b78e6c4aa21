"""Receptive fields, worked out analytically from the design graph: the input region one output pixel
of a layer sees, and a layer's receptive-field size and jump (its stride in input pixels).

Reads netbuilder.graph and the layer catalogue only: no torch, no numpy. Settings are resolved with
``get_spec(kind).resolve(node.params)``. Windowed layers (conv2d, maxpool2d, avgpool2d,
adaptive_avgpool2d) map regions back; activations, normalisations, dropout, merges and the output
pass them through (LayerNorm's and BatchNorm's statistics are not counted as "seeing"); dense,
flatten and global average pooling see the whole input. Rows and columns read are tracked as exact
sets (a dilated kernel leaves holes), joined over branches by their union; the answer is the bounding
box of what the input gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Edge, Graph, Node, UnknownLayerKindError
from netbuilder.layers import canonical_kind, get_spec

Region = tuple[frozenset[int], frozenset[int]]  # (rows, columns) read, in one node's output coordinates
_WHOLE = "whole"  # the whole input

_WINDOW = {"conv2d", "maxpool2d", "avgpool2d"}
_WHOLE_KINDS = {"dense", "flatten", "global_avgpool"}
_PASS_CATEGORIES = {"activation", "normalisation", "regularisation", "merge", "output"}
_WHOLE_CATEGORIES = {"dense", "reshape"}


class ReceptiveFieldError(NetbuilderError):
    """The receptive field asked for cannot be worked out."""


def _resolve(node: Node) -> tuple[str, str, dict[str, Any]]:
    """(kind, category, settings with defaults) of a node."""
    try:
        kind = canonical_kind(node.kind)
    except UnknownLayerKindError:
        raise ReceptiveFieldError(f"{node.id} has an unknown layer kind {node.kind!r}: fix the design first") from None
    spec = get_spec(kind)
    return kind, spec.category, spec.resolve(node.params)


def _window(kind: str, s: dict[str, Any]) -> tuple[int, int, int, int]:
    """(kernel, stride, padding before, dilation) of a windowed layer."""
    k = int(s["kernel_size"])
    if kind == "conv2d":
        d, stride = int(s.get("dilation", 1)), int(s["stride"])
        pad = s["padding"]
        before = (d * (k - 1)) // 2 if pad == "same" else 0 if pad == "valid" else int(pad)
        return k, stride, before, d
    return k, int(s["stride"]) or k, int(s["padding"]), 1


def _out_size(n: int, kind: str, s: dict[str, Any]) -> int:
    k, stride, p, d = _window(kind, s)
    if kind == "conv2d" and s["padding"] == "same":
        return n
    span = n + 2 * p - d * (k - 1) - 1
    if s.get("ceil_mode"):
        out = -(-span // stride) + 1
        if (out - 1) * stride >= n + p:  # torch: the last window must start inside the image
            out -= 1
        return out
    return span // stride + 1


class _Net:
    """The graph's nodes with their kinds, settings and spatial output sizes (None: not an image)."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.order = graph.topological_order()
        self.preds = {n: [e.src for e in edges] for n, edges in graph.predecessors_map().items()}
        self.info = {n: _resolve(graph.node(n)) for n in self.order}
        self.size: dict[str, tuple[int, int] | None] = {}
        for n in self.order:
            self.size[n] = self._size_of(n)

    def _size_of(self, n: str) -> tuple[int, int] | None:
        kind, category, s = self.info[n]
        if kind == "input":
            shape = list(s["shape"])
            return (int(shape[1]), int(shape[2])) if len(shape) == 3 else None
        ins = [self.size[p] for p in self.preds[n]]
        spatial = [i for i in ins if i is not None]
        if not spatial:
            return None
        if kind in _WINDOW:
            h, w = spatial[0]
            return (_out_size(h, kind, s), _out_size(w, kind, s))
        if kind == "adaptive_avgpool2d":
            return (int(s["output_size"]), int(s["output_size"]))
        if kind in _WHOLE_KINDS or category in _WHOLE_CATEGORIES:
            return None
        if category in _PASS_CATEGORIES:
            return max(spatial)  # a merge broadcasting (C, 1, 1) keeps the larger map
        raise ReceptiveFieldError(f"{n}: receptive fields through a {kind} layer are not supported yet")

    def inputs(self) -> list[str]:
        return [n for n in self.order if self.info[n][0] == "input"]

    def image_size(self) -> tuple[int, int]:
        sizes = [self.size[n] for n in self.inputs() if self.size[n] is not None]
        if not sizes:
            raise ReceptiveFieldError("receptive fields need an image input (channels, height, width)")
        return max(sizes)


def _as_graph(graph_or_layers: Any, input_shape: Sequence[int] | None) -> Graph:
    """A Graph from a Graph, a Design, or a chain of ``(kind, params)`` pairs (ids ``conv2d_1``, ...)."""
    if isinstance(graph_or_layers, Graph):
        return graph_or_layers
    if isinstance(getattr(graph_or_layers, "graph", None), Graph):
        return graph_or_layers.graph
    layers = list(graph_or_layers)
    g = Graph()
    if not layers or layers[0][0] != "input":
        if input_shape is None:
            raise ReceptiveFieldError("a chain of layers needs an input: start it with ('input', {'shape': "
                                      "[C, H, W]}) or pass input_shape")
        layers.insert(0, ("input", {"shape": list(input_shape)}))
    prev = None
    for kind, params in layers:
        nid = g.new_id(kind)
        g.insert_node(Node(nid, kind, dict(params)))
        if prev is not None:
            g.insert_edge(Edge(prev, nid, 0))
        prev = nid
    return g


def _union(a: Region | str | None, b: Region | str) -> Region | str:
    if a is None:
        return b
    if a == _WHOLE or b == _WHOLE:
        return _WHOLE
    return (a[0] | b[0], a[1] | b[1])


def _taps(positions: frozenset[int], k: int, stride: int, pad: int, d: int) -> frozenset[int]:
    """Input positions a window layer reads for ``positions`` of its output (padding included)."""
    return frozenset(i * stride - pad + m * d for i in positions for m in range(k))


def _bins(positions: frozenset[int], n: int, o: int) -> frozenset[int]:
    """Input positions adaptive pooling from ``n`` to ``o`` reads: bin i is [floor(i·n/o), ceil((i+1)·n/o))."""
    return frozenset(j for i in positions for j in range((i * n) // o, -(-((i + 1) * n) // o)))


def _back(net: _Net, n: str, pred: str, r: Region, clip: bool) -> Region | str | None:
    """The input positions (rows, columns) of ``pred``'s output that region ``r`` of ``n`` reads.

    Rows and columns are kept as exact sets, not ranges, so that the holes a dilated kernel leaves are
    not filled in before clipping at the border."""
    kind, category, s = net.info[n]
    size_in = net.size[pred]
    if size_in is None:
        return _WHOLE
    rows, cols = r
    if kind in _WINDOW:
        k, stride, p, d = _window(kind, s)
        rows, cols = _taps(rows, k, stride, p, d), _taps(cols, k, stride, p, d)
    elif kind == "adaptive_avgpool2d":
        o = int(s["output_size"])
        rows, cols = _bins(rows, size_in[0], o), _bins(cols, size_in[1], o)
    elif size_in != net.size[n]:  # pass-through; a broadcast input of size 1 is read at 0
        rows = frozenset({0}) if size_in[0] == 1 else rows
        cols = frozenset({0}) if size_in[1] == 1 else cols
    if clip:
        rows = frozenset(i for i in rows if 0 <= i < size_in[0])
        cols = frozenset(j for j in cols if 0 <= j < size_in[1])
        if not rows or not cols:
            return None  # only padding: no dependence on this input
    return (rows, cols)


def receptive_field(graph_or_layers: Any, node_id: str, y: int, x: int, *, clip: bool = True,
                    input_shape: Sequence[int] | None = None) -> tuple[int, int, int, int]:
    """The input region ``(y0, y1, x0, x1)`` that pixel ``(y, x)`` of ``node_id``'s output sees, half-open
    like a slice: ``image[..., y0:y1, x0:x1]`` (the bounding box of the input pixels it depends on, over
    every path from the input).

    ``clip=True`` keeps only real input pixels (padding sees nothing), so a pixel near the border gets a
    smaller region; ``clip=False`` reports the full theoretical window in input coordinates, which may
    reach past the image (negative, or beyond H and W) into the padding. A layer without a spatial
    output (dense, flatten) sees the whole image, whatever ``y`` and ``x``."""
    net = _Net(_as_graph(graph_or_layers, input_shape))
    if node_id not in net.size:
        raise ReceptiveFieldError(f"the design has no node called {node_id!r}")
    h_img, w_img = net.image_size()
    size = net.size[node_id]
    if size is None:
        return (0, h_img, 0, w_img)
    if not (0 <= y < size[0] and 0 <= x < size[1]):
        raise ReceptiveFieldError(f"pixel ({y}, {x}) is outside {node_id}'s {size[0]}×{size[1]} output")
    regions: dict[str, Region | str] = {node_id: (frozenset({y}), frozenset({x}))}
    result: Region | str | None = None
    for n in reversed(net.order):
        r = regions.get(n)
        if r is None:
            continue
        if net.info[n][0] == "input":
            if net.size[n] is not None:
                result = _union(result, r)
            continue
        for p in net.preds[n]:
            back = _WHOLE if r == _WHOLE else _back(net, n, p, r, clip)
            if back is not None:
                regions[p] = _union(regions.get(p), back)
    if result is None or result == _WHOLE:
        return (0, h_img, 0, w_img)
    rows, cols = result
    return (min(rows), max(rows) + 1, min(cols), max(cols) + 1)


def receptive_field_size(graph: Any, node_id: str, *, input_shape: Sequence[int] | None = None) -> tuple[int, int]:
    """``(size, jump)`` of ``node_id``: the side of the square of input pixels one of its output pixels
    sees (theoretical, padding included, so it may exceed the image) and the distance in input pixels
    between neighbouring output pixels. Computed by ``r = r_in + (k - 1)·d·j_in``, ``j = j_in·s``;
    through branches the largest of the paths (a broadcast 1×1 input of a merge widens the field, not the
    jump). Adaptive pooling counts as its largest bin with a stride
    of ``H // output_size``. A layer without a spatial output sees the whole image: ``(max(H, W), 0)``."""
    net = _Net(_as_graph(graph, input_shape))
    if node_id not in net.size:
        raise ReceptiveFieldError(f"the design has no node called {node_id!r}")
    side = max(net.image_size())
    rf: dict[str, tuple[int, int]] = {}
    for n in net.order:
        kind, _, s = net.info[n]
        if net.size[n] is None:
            rf[n] = (side, 0)
            continue
        if kind == "input":
            rf[n] = (1, 1)
            continue
        spatial = [p for p in net.preds[n] if net.size[p] is not None]
        # a merge's broadcast input (a squeeze-excitation gate, 1×1) widens what a pixel sees but does not set
        # the distance between pixels: that is the full-size inputs' (its jump is the whole image's side)
        steps = [p for p in spatial if net.size[p] == net.size[n]] or spatial
        r_in, j_in = max(rf[p][0] for p in spatial), max(rf[p][1] for p in steps)
        if kind in _WINDOW:
            k, stride, _, d = _window(kind, s)
            rf[n] = (r_in + (k - 1) * d * j_in, j_in * stride)
        elif kind == "adaptive_avgpool2d":
            h = net.size[net.preds[n][0]][0]
            o = int(s["output_size"])
            k = max(math.ceil((i + 1) * h / o) - (i * h) // o for i in range(o))
            rf[n] = (r_in + (k - 1) * j_in, j_in * max(h // o, 1))
        else:
            rf[n] = (r_in, j_in)
    return rf[node_id]
