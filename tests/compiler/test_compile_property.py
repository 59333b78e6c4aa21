"""Random valid designs (chains and branches) compile, and torch's shape at every node equals analysis."""

from __future__ import annotations

import pytest
from _compiler_helpers import add, forward_shapes
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from netbuilder.analysis import analyze
from netbuilder.compiler import compile_design
from netbuilder.graph import Graph
from netbuilder.layers import ShapeError, get_spec, has_kind

ACTIVATIONS = ["relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu", "silu"]


def _shape(g: Graph, nid: str, shapes: dict[str, tuple]) -> tuple | None:
    """The node's shape from its catalogue rule (None when the rule refuses)."""
    node = g.node(nid)
    spec = get_spec(node.kind)
    ins = [shapes[e.src] for e in g.incoming(nid)]
    try:
        return tuple(spec.shape(spec.resolve(node.params), ins))
    except ShapeError:
        return None


class _Builder:
    def __init__(self, draw, shape):
        self.draw, self.g, self.shapes = draw, Graph(), {}
        self.last = self.put("input", [], shape=list(shape))

    def put(self, kind: str, srcs: list[str], **params) -> str | None:
        """Add a node; undo it and return None when its shape rule refuses the inputs."""
        nid = add(self.g, kind, srcs, **params)
        shape = _shape(self.g, nid, self.shapes)
        if shape is None:
            for e in self.g.incoming(nid):
                self.g.pop_edge(e)
            self.g.pop_node(nid)
            return None
        self.shapes[nid] = shape
        return nid

    def step(self, src: str, image: bool) -> str | None:
        d = self.draw
        c = self.shapes[src][0]
        if image:
            op = d(st.sampled_from(["conv", "conv", "maxpool", "avgpool", "act", "bn", "dropout", "add",
                                    "concat", "se", "lrn"]))
        else:
            op = d(st.sampled_from(["dense", "act", "bn1d", "dropout", "add", "concat", "layernorm"]))
        if op == "conv":
            k = d(st.integers(1, 5))
            pad = d(st.sampled_from([0, 1, k // 2, "same", "valid"]))
            stride = 1 if pad == "same" else d(st.integers(1, 2))
            groups = d(st.sampled_from([g for g in (1, 2) if c % g == 0]))
            filters = groups * d(st.integers(1, 4))
            return self.put("conv2d", [src], filters=filters, kernel_size=k, stride=stride, padding=pad,
                            dilation=d(st.integers(1, 2)), groups=groups, bias=d(st.booleans()))
        if op in ("maxpool", "avgpool"):
            k = d(st.integers(1, 3))
            extra = {"count_include_pad": d(st.booleans())} if op == "avgpool" else {}
            return self.put(f"{op}2d", [src], kernel_size=k, stride=d(st.integers(0, 2)),
                            padding=d(st.integers(0, k // 2)), ceil_mode=d(st.booleans()), **extra)
        if op == "act":
            return self.put(d(st.sampled_from(ACTIVATIONS)), [src])
        if op == "bn":
            return self.put("batchnorm2d", [src], affine=d(st.booleans()))
        if op == "bn1d":
            return self.put("batchnorm1d", [src])
        if op == "lrn":
            return self.put("local_response_norm", [src], size=d(st.integers(1, 3)))
        if op == "layernorm":
            return self.put("layernorm", [src])
        if op == "dropout":
            return self.put(d(st.sampled_from(["dropout2d", "dropout"] if image else ["dropout"])), [src],
                            p=d(st.sampled_from([0.0, 0.3])))
        if op == "dense":
            return self.put("dense", [src], units=d(st.integers(1, 12)), bias=d(st.booleans()))
        if op in ("add", "concat"):
            width = c if op == "add" else None
            a = self._branch(src, image, width)
            b = self._branch(src, image, width) if d(st.booleans()) else src
            if a is None or b is None:
                return None
            return self.put(op, [a, b] if d(st.booleans()) else [b, a])
        # squeeze-and-excitation: x * sigmoid(conv(relu(conv(pool(x)))))
        s: str | None = src
        for kind, params in (("adaptive_avgpool2d", {"output_size": 1}),
                             ("conv2d", {"filters": max(1, c // 2), "kernel_size": 1}), ("relu", {}),
                             ("conv2d", {"filters": c, "kernel_size": 1}), ("sigmoid", {})):
            s = self.put(kind, [s], **params) if s else None
        return self.put("multiply", [src, s]) if s else None

    def _branch(self, src: str, image: bool, width: int | None) -> str | None:
        d = self.draw
        if image:
            k = d(st.sampled_from([1, 3]))
            return self.put("conv2d", [src], filters=width or d(st.integers(1, 4)), kernel_size=k, padding=k // 2)
        return self.put("dense", [src], units=width or d(st.integers(1, 6)))


@st.composite
def designs(draw):
    image = draw(st.booleans()) or draw(st.booleans())  # three images for one vector
    shape = (draw(st.integers(1, 4)), *(draw(st.integers(4, 12)),) * 2) if image else (draw(st.integers(2, 16)),)
    b = _Builder(draw, shape)
    for _ in range(draw(st.integers(2, 8))):
        image = len(b.shapes[b.last]) == 3
        if image and draw(st.integers(0, 9)) == 0:
            nid = b.put(draw(st.sampled_from(["flatten", "global_avgpool"])), [b.last])
        else:
            nid = b.step(b.last, image)
        b.last = nid or b.last
    if len(b.shapes[b.last]) == 3:
        b.last = b.put(draw(st.sampled_from(["flatten", "global_avgpool"])), [b.last]) or b.last
    if draw(st.booleans()):
        b.last = b.put("dense", [b.last], units=draw(st.integers(1, 10))) or b.last
    add(b.g, "output", [b.last])
    return b.g


_KINDS = ["conv2d", "maxpool2d", "avgpool2d", "batchnorm2d", "batchnorm1d", "layernorm", "dropout", "dropout2d",
          "add", "concat", "multiply", "adaptive_avgpool2d", "global_avgpool", "local_response_norm", *ACTIVATIONS]


# (torch notes that "same" padding with an even kernel copies the input, padded: a cost, not a fault, in a
# design drawn at random; without the filter the run's warning count depended on the draw)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@settings(max_examples=30)
@given(designs())
def test_random_designs_compile_with_the_analysed_shapes(g):
    assert all(has_kind(k) for k in _KINDS)
    analysis = analyze(g)
    assume(analysis.valid)
    gm = compile_design(g)
    assert {n for n, _ in gm.named_children()} == {n.id for n in g.iter_nodes()
                                                    if n.kind not in ("input", "output")}
    shapes = forward_shapes(gm, batch=2)
    assert shapes == {nid: (2, *info.shape) for nid, info in analysis.nodes.items()}
    assert sum(p.numel() for p in gm.parameters()) == analysis.total_params
