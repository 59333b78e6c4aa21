"""Small design builders and a shape recorder shared by the compiler tests."""

from __future__ import annotations

import torch
import torch.fx as fx

from netbuilder.analysis import analyze
from netbuilder.compiler import compiled_info
from netbuilder.graph import Design, Edge, Graph, Node
from netbuilder.layers import get_spec


def add(g: Graph, kind: str, srcs: list[str] | tuple[str, ...] = (), **params) -> str:
    """Add a ``kind`` node fed by ``srcs`` on ports 0, 1, ...; returns its id."""
    nid = g.new_id(kind)
    g.insert_node(Node(nid, kind, dict(params)))
    for port, src in enumerate(srcs):
        g.insert_edge(Edge(src, nid, port))
    return nid


def chain(g: Graph, src: str, *steps: tuple[str, dict]) -> str:
    for kind, params in steps:
        src = add(g, kind, [src], **params)
    return src


def lenet5() -> Design:
    """LeNet-5 for 1×28×28 digits: 61,706 parameters."""
    g = Graph()
    x = add(g, "input", shape=[1, 28, 28])
    x = chain(
        g, x,
        ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}), ("relu", {}),
        ("avgpool2d", {"kernel_size": 2, "stride": 2}),
        ("conv2d", {"filters": 16, "kernel_size": 5}), ("relu", {}),
        ("avgpool2d", {"kernel_size": 2, "stride": 2}),
        ("flatten", {}),
        ("dense", {"units": 120}), ("relu", {}),
        ("dense", {"units": 84}), ("relu", {}),
        ("dense", {"units": 10}),
        ("output", {}),
    )
    return Design(g, name="LeNet-5")


def branchy() -> Design:
    """Residual add, concat, squeeze-and-excitation multiply, batch norm and global pooling."""
    g = Graph()
    x = add(g, "input", shape=[3, 16, 16])
    a = chain(g, x, ("conv2d", {"filters": 8, "kernel_size": 3, "padding": 1}), ("batchnorm2d", {}),
              ("relu", {}))
    r = chain(g, a, ("conv2d", {"filters": 8, "kernel_size": 3, "padding": "same"}), ("batchnorm2d", {}))
    b = add(g, "relu", [add(g, "add", [a, r])])
    c1 = add(g, "conv2d", [b], filters=4, kernel_size=1)
    c2 = add(g, "conv2d", [b], filters=4, kernel_size=3, padding=1)
    c = add(g, "concat", [c1, c2])
    s = chain(g, c, ("adaptive_avgpool2d", {"output_size": 1}), ("conv2d", {"filters": 2, "kernel_size": 1}),
              ("relu", {}), ("conv2d", {"filters": 8, "kernel_size": 1}), ("sigmoid", {}))
    d = add(g, "multiply", [c, s])
    chain(g, d, ("maxpool2d", {"kernel_size": 2}), ("dropout", {"p": 0.2}), ("global_avgpool", {}),
          ("dense", {"units": 10}), ("output", {}))
    return Design(g, name="branchy net")


def single_layer_design(kind: str) -> Graph | None:
    """The first valid design input -> ``kind`` (fed twice if it merges) [-> flatten] -> output."""
    spec = get_spec(kind)
    for shape in ([3, 8, 8], [12], [4, 6, 6]):
        for tail in ((), ("flatten",)):
            g = Graph()
            last = add(g, "input", shape=shape)
            if spec.kind not in ("input", "output"):
                n_in = 2 if spec.variadic else spec.n_inputs
                last = add(g, spec.kind, [last] * n_in)
            for t in tail:
                last = add(g, t, [last])
            add(g, "output", [last])
            if analyze(g).valid:
                return g
    return None


class ShapeRecorder(fx.Interpreter):
    """Runs a compiled module and records each node id's output shape (batch included)."""

    def __init__(self, gm: fx.GraphModule):
        super().__init__(gm)
        self.shapes: dict[str, tuple[int, ...]] = {}

    def run_node(self, n: fx.Node):
        out = super().run_node(n)
        if n.op in ("placeholder", "call_module"):
            self.shapes[str(n.target)] = tuple(out.shape)
        elif n.op == "output":
            self.shapes[compiled_info(self.module).output] = tuple(out.shape)
        return out


def forward_shapes(gm: fx.GraphModule, batch: int = 2) -> dict[str, tuple[int, ...]]:
    info = compiled_info(gm)
    gen = torch.Generator().manual_seed(0)
    inputs = [torch.randn(batch, *s, generator=gen) for s in info.input_shapes]
    rec = ShapeRecorder(gm.eval())
    with torch.no_grad():
        rec.run(*inputs)
    return rec.shapes
