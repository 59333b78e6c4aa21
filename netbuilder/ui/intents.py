"""Turn a user's intent (add after, reconnect, delete a selection, paste, lay out, group) into one graph edit.

Pure: imports graph, layers and io (pasted layers are checked as a file's are), no Qt, so the builders are
tested without a window. The Document pushes what these return; nothing here touches the graph.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from netbuilder.graph import Edge, Graph, Group, Node
from netbuilder.graph import ids as _ids
from netbuilder.graph.edits import (
    AddEdge,
    AddGroup,
    AddNode,
    Compound,
    Edit,
    MoveNodes,
    RemoveEdge,
    RemoveGroup,
    RemoveNode,
)
from netbuilder.io import SUBGRAPH_FORMAT, subgraph_from_data
from netbuilder.layers import get_spec
from netbuilder.ui.layout import LAYER_GAP, NODE_H, NODE_W, graph_layout

PASTE_GAP = 24.0  # between a pasted copy and the layers it would otherwise cover


def new_node(graph: Graph, kind: str, pos: tuple[float, float], taken: set[str] | None = None) -> Node:
    """A node of ``kind`` with the catalogue's defaults written out, under a fresh readable id."""
    spec = get_spec(kind)
    used = set(graph.nodes) | set(graph.groups) | (taken or set())
    return Node(_ids.next_id(spec.kind, used), spec.kind, copy.deepcopy(spec.resolve({})),
                (float(pos[0]), float(pos[1])))


def step(direction: str) -> tuple[float, float]:
    return (NODE_W + LAYER_GAP, 0.0) if direction.upper() == "LR" else (0.0, NODE_H + LAYER_GAP)


def append_after(graph: Graph, kind: str, after: str, direction: str = "TB") -> tuple[Edit, str]:
    """Add ``kind`` after node ``after``; if it feeds a node, insert the new one in between and push
    everything downstream one step further."""
    spec = get_spec(kind)
    src = graph.node(after)
    dx, dy = step(direction)
    node = new_node(graph, kind, (src.pos[0] + dx, src.pos[1] + dy))
    edits: list[Edit] = [AddNode(node)]
    out = graph.outgoing(after)
    if spec.n_inputs != 0:
        if out and get_spec(graph.node(after).kind).kind != "output":
            e = out[0]
            downstream = _reachable(graph, e.dst)
            moved = {n: (graph.node(n).pos[0] + dx, graph.node(n).pos[1] + dy) for n in downstream}
            edits += [MoveNodes(moved, "make room"), RemoveEdge(e), AddEdge(Edge(after, node.id, 0)),
                      AddEdge(Edge(node.id, e.dst, e.port))]
            return Compound(edits, f"insert {node.id} after {after}"), node.id
        edits.append(AddEdge(Edge(after, node.id, 0)))
    return Compound(edits, f"add {node.id} after {after}"), node.id


def splices(kind: str) -> bool:
    """Whether a layer of ``kind`` can go into a connection: it takes an input and gives an output."""
    spec = get_spec(kind)
    return spec.n_inputs != 0 and spec.kind != "output"


def insert_on_edge(graph: Graph, kind: str, edge: Edge, direction: str = "TB") -> tuple[Edit, str]:
    """Splice a new ``kind`` into ``edge`` (a layer dropped on a connection): src -> new -> dst, one undo
    step, as a node dropped on a link in Blender's or Unreal's editors. The design keeps its rhythm: with
    room for a layer between the two (a gap a deleted layer left), the new one goes in the middle;
    without, it takes dst's place and the layers from dst on move along by the distance that was between
    the two (at least one ``step``)."""
    src, dst = graph.node(edge.src), graph.node(edge.dst)
    along = 0 if direction.upper() == "LR" else 1
    gap = step(direction)[along]
    apart = dst.pos[along] - src.pos[along]
    pos = [(src.pos[0] + dst.pos[0]) / 2, (src.pos[1] + dst.pos[1]) / 2]
    shift = 0.0 if apart >= 2 * gap else max(apart, gap)
    if shift:
        pos[along] = src.pos[along] + shift
    node = new_node(graph, kind, (pos[0], pos[1]))
    edits: list[Edit] = [AddNode(node)]
    if shift:
        push = (shift, 0.0) if along == 0 else (0.0, shift)
        edits.append(MoveNodes({n: (graph.node(n).pos[0] + push[0], graph.node(n).pos[1] + push[1])
                                for n in _reachable(graph, dst.id)}, "make room"))
    edits += [RemoveEdge(edge), AddEdge(Edge(src.id, node.id, 0)), AddEdge(Edge(node.id, dst.id, edge.port))]
    return Compound(edits, f"insert {node.id} between {src.id} and {dst.id}"), node.id


def end_of_network(graph: Graph) -> str | None:
    """The layer that feeds the design's one Output (where a layer added with nothing selected goes, as
    Keras's ``Sequential.add``), or None: no Output, several, or one fed by nothing."""
    outputs = [n.id for n in graph.iter_nodes() if get_spec(n.kind).kind == "output"]
    if len(outputs) != 1:
        return None
    edges = graph.incoming(outputs[0])
    return edges[0].src if len(edges) == 1 else None


def _reachable(graph: Graph, start: str) -> list[str]:
    succ = graph.successors_map()
    seen, stack = {start}, [start]
    while stack:
        for s in succ[stack.pop()]:
            if s not in seen:
                seen.add(s)
                stack.append(s)
    return [n for n in graph.nodes if n in seen]


def reconnect(edge: Edge, src: str) -> Edit:
    """Feed ``edge``'s input port from ``src`` instead: one undo step (the inspector's "from" list)."""
    return Compound([RemoveEdge(edge), AddEdge(Edge(src, edge.dst, edge.port))],
                    f"connect {src} to {edge.dst}")


def free_port(graph: Graph, node_id: str) -> int | None:
    """The first unconnected input port of a node (merges grow a port), or None if all are taken."""
    spec = get_spec(graph.node(node_id).kind)
    limit = None if spec.variadic else spec.n_inputs
    port = 0
    while graph.edge_into(node_id, port) is not None:
        port += 1
    return port if limit is None or port < limit else None


def delete(graph: Graph, node_ids: Iterable[str], edges: Iterable[Edge] = ()) -> Edit | None:
    """Remove nodes (with their connections) and edges; groups left empty go too. A chain closes over
    what was cut out of it: a layer fed by the removed ones through single connections is fed by the
    layer before them (delete the ReLU of conv → relu → pool, and conv feeds pool), as the student means."""
    nodes = [n for n in dict.fromkeys(node_ids) if n in graph]
    gone = set(nodes)
    edits: list[Edit] = [RemoveEdge(e) for e in dict.fromkeys(edges)
                         if e in graph.edges and e.src not in gone and e.dst not in gone]
    edits += [RemoveNode(n) for n in nodes]
    edits += [AddEdge(e) for e in graph.bridges(gone)]
    edits = [RemoveGroup(g.id) for g in graph.groups.values() if g.nodes and set(g.nodes) <= gone] + edits
    if not edits:
        return None
    what = nodes[0] if len(nodes) == 1 and len(edits) == 1 else f"{len(nodes)} nodes" if nodes else "connection"
    return Compound(edits, f"delete {what}")


def copy_subgraph(graph: Graph, node_ids: Iterable[str]) -> dict[str, Any]:
    """A plain dict (JSON for the clipboard) of the nodes, the edges between them and whole groups."""
    keep = [n for n in graph.nodes if n in set(node_ids)]
    inside = set(keep)
    return {
        "format": SUBGRAPH_FORMAT,
        "nodes": [graph.node(n).to_dict() for n in keep],
        "edges": [e.to_dict() for e in graph.edges if e.src in inside and e.dst in inside],
        "groups": [g.to_dict() for g in graph.groups.values() if g.nodes and set(g.nodes) <= inside],
    }


def paste(graph: Graph, data: dict[str, Any] | Graph, offset: tuple[float, float] = (40.0, 40.0)) \
        -> tuple[Edit, list[str]]:
    """An edit adding copied layers (``copy_subgraph``'s dict, checked as a file's entries are, or the Graph
    ``io.loads_subgraph`` made of them) under fresh ids, shifted by ``offset``; and the new ids. Raises
    ``io.NotLayersError`` or ``io.DesignFileError`` before anything changes."""
    sub = data if isinstance(data, Graph) else subgraph_from_data(data)
    offset = free_offset(graph, [n.pos for n in sub.iter_nodes()], offset)
    taken: set[str] = set()
    rename: dict[str, str] = {}
    edits: list[Edit] = []
    for n in sub.iter_nodes():
        node = new_node(graph, n.kind, (n.pos[0] + offset[0], n.pos[1] + offset[1]), taken)
        node.params = copy.deepcopy(n.params)
        taken.add(node.id)
        rename[n.id] = node.id
        edits.append(AddNode(node))
    for e in sub.edges:
        edits.append(AddEdge(Edge(rename[e.src], rename[e.dst], e.port)))
    for g in sub.groups.values():
        gid = _ids.next_id(g.id.rstrip("0123456789").rstrip("_") or "group",
                           set(graph.nodes) | set(graph.groups) | taken)
        taken.add(gid)
        edits.append(AddGroup(Group(gid, g.name, [rename[n] for n in g.nodes], g.collapsed)))
    ids = list(rename.values())
    return Compound(edits, f"paste {len(ids)} node{'s' * (len(ids) != 1)}"), ids


def free_offset(graph: Graph, positions: list[tuple[float, float]], offset: tuple[float, float],
                tries: int = 40) -> tuple[float, float]:
    """``offset`` when boxes at ``positions`` moved by it cover none of the graph's boxes (a cut layer pasted
    back); else the nearest offset beside them, a column to the right or a row below, where they cover
    none (a copy lands beside its original as a parallel branch, never on top of another layer)."""
    boxes = [n.pos for n in graph.iter_nodes()]

    def free(ox: float, oy: float) -> bool:
        return not any(abs(x + ox - bx) < NODE_W and abs(y + oy - by) < NODE_H
                       for x, y in positions for bx, by in boxes)

    if free(*offset):
        return offset
    for k in range(1, tries + 1):
        for candidate in ((k * (NODE_W + PASTE_GAP), 0.0), (0.0, k * (NODE_H + PASTE_GAP))):
            if free(*candidate):
                return candidate
    return offset


def auto_layout(graph: Graph, direction: str = "TB") -> Edit | None:
    """Move every node to its place in the layered layout, each collapsed group one box (None if
    nothing would move)."""
    positions = graph_layout(graph, direction)
    changed = {n: p for n, p in positions.items() if tuple(graph.node(n).pos) != p}
    return MoveNodes(changed, "automatic layout") if changed else None


def group(graph: Graph, node_ids: Iterable[str], name: str = "block") -> Edit | None:
    """Put the nodes in a new group (each node belongs to at most one group)."""
    members = [n for n in graph.nodes if n in set(node_ids) and graph.group_of(n) is None]
    if not members:
        return None
    gid = _ids.next_id(_ids.base_name(name), set(graph.nodes) | set(graph.groups))
    return AddGroup(Group(gid, name, members))
