"""The design graph: nodes with one output and numbered inputs, edges, named groups, events.

The graph refuses only impossible structure (a cycle, a taken input port, a duplicate id); whether
shapes fit is for analysis to say. Views never call the mutators directly: edits (graph/edits.py)
do, so that every change is reversible.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from netbuilder.graph import ids as _ids
from netbuilder.graph.errors import (
    CycleError,
    DuplicateIdError,
    GraphError,
    NodeNotFoundError,
    PortTakenError,
)
from netbuilder.graph.topology import reachable, topological_order


@dataclass
class Node:
    id: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "params": copy.deepcopy(self.params),
                "pos": [float(self.pos[0]), float(self.pos[1])]}


def _copy_params(params: dict[str, Any]) -> dict[str, Any]:
    """A node's settings are numbers, strings, booleans, None and lists of them: copied without deepcopy's
    bookkeeping (anything else still gets a deep copy)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if v is None or isinstance(v, (int, float, str, bool)):
            out[k] = v
        elif isinstance(v, list) and all(x is None or isinstance(x, (int, float, str, bool)) for x in v):
            out[k] = list(v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@dataclass(frozen=True)
class Edge:
    """Output of ``src`` -> input ``port`` of ``dst``. Every node has a single output."""

    src: str
    dst: str
    port: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"src": self.src, "dst": self.dst, "port": self.port}


@dataclass
class Group:
    """A named set of nodes ("residual block") that the canvas can collapse into one box."""

    id: str
    name: str
    nodes: list[str] = field(default_factory=list)
    collapsed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "nodes": list(self.nodes), "collapsed": self.collapsed}


@dataclass(frozen=True)
class GraphEvent:
    """What changed. ``kind`` is one of: node_added, node_removed, edge_added, edge_removed,
    param_changed, node_moved, group_added, group_removed, group_changed, reset."""

    kind: str
    node_id: str | None = None
    edge: Edge | None = None
    group_id: str | None = None
    name: str | None = None  # the parameter name for param_changed


Listener = Callable[[GraphEvent], None]


class Graph:
    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: list[Edge] = []
        self._incoming: dict[tuple[str, int], Edge] = {}
        self._groups: dict[str, Group] = {}
        self._succ: dict[str, list[str]] = {}  # kept in step with the edges: cycle checks stay cheap
        self._listeners: list[Listener] = []

    # ----- events -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, event: GraphEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # ----- queries ------------------------------------------------------------------------
    @property
    def nodes(self) -> dict[str, Node]:
        """Read-only view by convention: change nodes through edits."""
        return self._nodes

    @property
    def edges(self) -> list[Edge]:
        return self._edges

    @property
    def groups(self) -> dict[str, Group]:
        return self._groups

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise NodeNotFoundError(node_id) from None

    def new_id(self, kind: str) -> str:
        return _ids.next_id(kind, self._nodes.keys() | self._groups.keys())

    def incoming(self, node_id: str) -> list[Edge]:
        """Edges into ``node_id`` sorted by input port."""
        return sorted((e for e in self._edges if e.dst == node_id), key=lambda e: e.port)

    def edge_into(self, node_id: str, port: int) -> Edge | None:
        return self._incoming.get((node_id, port))

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self._edges if e.src == node_id]

    def successors_map(self) -> dict[str, list[str]]:
        return {n: list(s) for n, s in self._succ.items()}

    def predecessors_map(self) -> dict[str, list[Edge]]:
        pred: dict[str, list[Edge]] = {n: [] for n in self._nodes}
        for e in self._edges:
            pred[e.dst].append(e)
        for edges in pred.values():
            edges.sort(key=lambda e: e.port)
        return pred

    def topological_order(self) -> list[str]:
        return topological_order(self._nodes, self.successors_map())

    def would_create_cycle(self, src: str, dst: str) -> bool:
        return src == dst or src in reachable([dst], self._succ)

    def bridges(self, gone: Iterable[str]) -> list[Edge]:
        """The connections that close the graph over the nodes ``gone`` (about to be removed): each kept
        node fed by a removed one is fed instead by the kept node reached by walking back through removed
        nodes of one input each (delete the ReLU of conv → relu → pool, and conv feeds pool); none through
        a removed node of several inputs (which of them would it be?)."""
        gone = set(gone)
        out: list[Edge] = []
        for e in self.edges:
            if e.src not in gone or e.dst in gone:
                continue
            src: str | None = e.src
            while src in gone:
                ins = self.incoming(src)
                src = ins[0].src if len(ins) == 1 else None
            if src is not None:
                out.append(Edge(src, e.dst, e.port))
        return out

    def group_of(self, node_id: str) -> Group | None:
        for g in self._groups.values():
            if node_id in g.nodes:
                return g
        return None

    def iter_nodes(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    # ----- mutators (called by edits) -----------------------------------------------------
    def insert_node(self, node: Node, index: int | None = None) -> None:
        if not _ids.is_valid_id(node.id):
            raise GraphError(f"{node.id!r} is not a valid node id (letters, digits and _; not a digit first)")
        if node.id in self._nodes or node.id in self._groups:
            raise DuplicateIdError(node.id)
        self._succ[node.id] = []
        if index is None or index >= len(self._nodes):
            self._nodes[node.id] = node
        else:
            items = list(self._nodes.items())
            items.insert(index, (node.id, node))
            self._nodes = dict(items)
        self._emit(GraphEvent("node_added", node_id=node.id))

    def pop_node(self, node_id: str) -> tuple[Node, int]:
        """Remove a node that has no edges; returns it and its former index."""
        node = self.node(node_id)
        if any(e.src == node_id or e.dst == node_id for e in self._edges):
            raise GraphError(f"{node_id} still has connections")
        index = list(self._nodes).index(node_id)
        del self._nodes[node_id]
        del self._succ[node_id]
        self._emit(GraphEvent("node_removed", node_id=node_id))
        return node, index

    def check_edge(self, edge: Edge, check_cycle: bool = True) -> None:
        """Raise the typed error that adding ``edge`` would cause, if any."""
        self.node(edge.src)
        self.node(edge.dst)
        if edge.port < 0:
            raise GraphError(f"input port {edge.port} of {edge.dst} does not exist")
        if (edge.dst, edge.port) in self._incoming:
            raise PortTakenError(edge.dst, edge.port)
        if edge.src == edge.dst or (check_cycle and self.would_create_cycle(edge.src, edge.dst)):
            raise CycleError(edge.src, edge.dst)

    def insert_edge(self, edge: Edge, index: int | None = None, *, check_cycle: bool = True) -> None:
        """Add ``edge``; ``check_cycle=False`` only for a caller that has proven the whole edge set
        acyclic in one pass (a design file: per-edge searches would be quadratic)."""
        self.check_edge(edge, check_cycle)
        if index is None:
            self._edges.append(edge)
        else:
            self._edges.insert(index, edge)
        self._incoming[(edge.dst, edge.port)] = edge
        self._succ[edge.src].append(edge.dst)
        self._emit(GraphEvent("edge_added", edge=edge))

    def pop_edge(self, edge: Edge) -> int:
        try:
            index = self._edges.index(edge)
        except ValueError:
            raise GraphError(f"there is no connection {edge.src} -> {edge.dst}[{edge.port}]") from None
        del self._edges[index]
        del self._incoming[(edge.dst, edge.port)]
        self._succ[edge.src].remove(edge.dst)
        self._emit(GraphEvent("edge_removed", edge=edge))
        return index

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        """Set (or, with value ``MISSING``, remove) one setting."""
        node = self.node(node_id)
        if value is MISSING:
            node.params.pop(name, None)
        else:
            node.params[name] = value
        self._emit(GraphEvent("param_changed", node_id=node_id, name=name))

    def set_pos(self, node_id: str, pos: tuple[float, float]) -> None:
        self.node(node_id).pos = (float(pos[0]), float(pos[1]))
        self._emit(GraphEvent("node_moved", node_id=node_id))

    def insert_group(self, group: Group, index: int | None = None) -> None:
        if not _ids.is_valid_id(group.id):
            raise GraphError(f"{group.id!r} is not a valid group id")
        if group.id in self._groups or group.id in self._nodes:
            raise DuplicateIdError(group.id)
        self._check_members(group.id, group.nodes)
        if index is None or index >= len(self._groups):
            self._groups[group.id] = group
        else:
            items = list(self._groups.items())
            items.insert(index, (group.id, group))
            self._groups = dict(items)
        self._emit(GraphEvent("group_added", group_id=group.id))

    def pop_group(self, group_id: str) -> tuple[Group, int]:
        if group_id not in self._groups:
            raise GraphError(f"no group named {group_id!r}")
        index = list(self._groups).index(group_id)
        group = self._groups.pop(group_id)
        self._emit(GraphEvent("group_removed", group_id=group_id))
        return group, index

    def update_group(self, group_id: str, **changes: Any) -> dict[str, Any]:
        """Change name / nodes / collapsed; returns the old values."""
        if group_id not in self._groups:
            raise GraphError(f"no group named {group_id!r}")
        unknown = sorted(set(changes) - {"name", "nodes", "collapsed"})
        if unknown:
            raise GraphError(f"a group's {unknown[0]!r} cannot be changed (only name, nodes, collapsed)")
        if "nodes" in changes:
            self._check_members(group_id, changes["nodes"])
        group = self._groups[group_id]
        old = {k: copy.copy(getattr(group, k)) for k in changes}
        for k, v in changes.items():
            setattr(group, k, list(v) if k == "nodes" else v)
        self._emit(GraphEvent("group_changed", group_id=group_id))
        return old

    def _check_members(self, group_id: str, nodes: list[str]) -> None:
        """Members exist, appear once, and belong to no other group."""
        seen: set[str] = set()
        for n in nodes:
            self.node(n)
            if n in seen:
                raise GraphError(f"{n} is listed twice in group {group_id}")
            seen.add(n)
            other = self.group_of(n)
            if other is not None and other.id != group_id:
                raise GraphError(f"{n} is already in group {other.id}; a node belongs to at most one group")

    # ----- whole-graph helpers -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A plain, ordered snapshot (the design file's graph part; also used to compare graphs)."""
        return {
            "nodes": [n.to_dict() for n in self._nodes.values()],
            "edges": [e.to_dict() for e in self._edges],
            "groups": [g.to_dict() for g in self._groups.values()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        """Build from ``to_dict`` output; structure errors raise GraphError (no validation of kinds)."""
        g = cls()
        for n in data.get("nodes", ()):
            g.insert_node(Node(n["id"], n["kind"], dict(n.get("params", {})), tuple(n.get("pos", (0, 0)))))
        for e in data.get("edges", ()):
            g.insert_edge(Edge(e["src"], e["dst"], int(e.get("port", 0))))
        for gr in data.get("groups", ()):
            g.insert_group(Group(gr["id"], gr["name"], list(gr.get("nodes", ())), bool(gr.get("collapsed", False))))
        return g

    def copy(self) -> Graph:
        """An independent copy without listeners (its structure is this one's, so it is copied as it is,
        not rebuilt and re-checked edge by edge: a snapshot of DenseNet-121 at every edit stays cheap)."""
        g = Graph()
        g._nodes = {k: Node(n.id, n.kind, _copy_params(n.params), n.pos) for k, n in self._nodes.items()}
        g._edges = list(self._edges)  # Edge is frozen
        g._incoming = dict(self._incoming)
        g._groups = {k: Group(gr.id, gr.name, list(gr.nodes), gr.collapsed) for k, gr in self._groups.items()}
        g._succ = {k: list(v) for k, v in self._succ.items()}
        return g

    def replace_with(self, other: Graph) -> None:
        """Take the content of ``other`` (keeps listeners) and emit ``reset``."""
        self._nodes = {k: copy.deepcopy(v) for k, v in other._nodes.items()}
        self._edges = list(other._edges)
        self._incoming = dict(other._incoming)
        self._groups = {k: copy.deepcopy(v) for k, v in other._groups.items()}
        self._succ = {k: list(v) for k, v in other._succ.items()}
        self._emit(GraphEvent("reset"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Graph) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Graph {len(self._nodes)} nodes, {len(self._edges)} edges, {len(self._groups)} groups>"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __deepcopy__(self, memo: dict) -> _Missing:  # stays the one sentinel (SetParam deep-copies values)
        return self


MISSING: Any = _Missing()
