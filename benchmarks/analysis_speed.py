"""How fast live analysis is: a 500-node chain and a 500-node residual (branchy) graph.

Prints ``name: value`` lines (milliseconds, best of several runs), e.g. ``analyze_500_nodes_ms: 4.2``.
Run: /work/venv/bin/python benchmarks/analysis_speed.py
"""

from __future__ import annotations

import time

from netbuilder.analysis import analyze
from netbuilder.analysis.summary import summary_table
from netbuilder.graph import Edge, Graph, Node

REPEATS = 20


def _node(g: Graph, kind: str, params: dict, *srcs: str) -> str:
    nid = g.new_id(kind)
    g.insert_node(Node(nid, kind, params))
    for port, src in enumerate(srcs):
        g.insert_edge(Edge(src, nid, port))
    return nid


def chain_graph(n_nodes: int) -> Graph:
    """Input, conv/bn/relu blocks, then Flatten, Dense, Output: ``n_nodes`` in one line."""
    g = Graph()
    x = _node(g, "input", {"shape": [3, 32, 32]})
    kinds = [("conv2d", {"filters": 16, "padding": 1}), ("batchnorm2d", {}), ("relu", {})]
    while len(g) < n_nodes - 3:
        kind, params = kinds[len(g) % 3]
        x = _node(g, kind, params, x)
    for kind in ("flatten", "dense", "output"):
        x = _node(g, kind, {}, x)
    return g


def residual_graph(n_nodes: int) -> Graph:
    """Residual blocks (conv, bn, relu, conv, add with a skip, relu) up to ``n_nodes``."""
    g = Graph()
    x = _node(g, "input", {"shape": [3, 32, 32]})
    x = _node(g, "conv2d", {"filters": 16, "padding": 1}, x)
    while len(g) + 6 <= n_nodes - 3:
        skip = x
        y = _node(g, "conv2d", {"filters": 16, "padding": 1}, x)
        y = _node(g, "batchnorm2d", {}, y)
        y = _node(g, "relu", {}, y)
        y = _node(g, "conv2d", {"filters": 16, "padding": "same"}, y)
        y = _node(g, "add", {}, y, skip)
        x = _node(g, "relu", {}, y)
    for kind in ("global_avgpool", "dense", "output"):
        x = _node(g, kind, {}, x)
    return g


def best_ms(fn) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> None:
    chain, branchy = chain_graph(500), residual_graph(500)
    assert analyze(chain).valid and analyze(branchy).valid
    print(f"chain_nodes: {len(chain)}")
    print(f"branchy_nodes: {len(branchy)}")
    print(f"analyze_500_nodes_ms: {best_ms(lambda: analyze(chain)):.2f}")
    print(f"analyze_500_nodes_branchy_ms: {best_ms(lambda: analyze(branchy)):.2f}")
    a = analyze(branchy)
    print(f"summary_table_500_nodes_ms: {best_ms(lambda: summary_table(branchy, a)):.2f}")


if __name__ == "__main__":
    main()
