"""Small designs built as the palette builds them (``intents.new_node``), for tests that need no window."""

from __future__ import annotations

from netbuilder.graph import Design, Edge
from netbuilder.ui.intents import new_node


def chain(*layers: tuple[str, dict], name: str = "mlp") -> Design:
    """A design of ``layers`` ((kind, params) each) in a row, each wired to the next."""
    design = Design(name=name)
    g = design.graph
    ids: list[str] = []
    for kind, params in layers:
        node = new_node(g, kind, (0.0, 100.0 * len(ids)))
        node.params.update(params)
        g.insert_node(node)
        ids.append(node.id)
    for a, b in zip(ids, ids[1:]):
        g.insert_edge(Edge(a, b, 0))
    return design
