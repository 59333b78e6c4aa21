"""Pure, reversible edits: every change to a design is one of these.

``apply(graph)`` then ``revert(graph)`` restores the graph exactly (order included), so undo is
tested without Qt. The UI wraps each edit in one QUndoCommand; ``merge`` lets repeated edits of
one setting become one undo step.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from netbuilder.graph.model import MISSING, Edge, Graph, Group, Node


class Edit:
    text = "edit"
    # True for an edit that only arranges the drawing (moves, collapse / expand): the network is the same
    arranges_only = False

    def apply(self, graph: Graph) -> None:
        raise NotImplementedError

    def revert(self, graph: Graph) -> None:
        raise NotImplementedError

    def merge(self, other: Edit) -> bool:
        """Absorb ``other`` (applied right after self) into self; True if merged."""
        return False


@dataclass
class AddNode(Edit):
    node: Node
    index: int | None = None

    @property
    def text(self) -> str:
        return f"add {self.node.id}"

    def apply(self, graph: Graph) -> None:
        graph.insert_node(copy.deepcopy(self.node), self.index)

    def revert(self, graph: Graph) -> None:
        graph.pop_node(self.node.id)


@dataclass
class RemoveNode(Edit):
    """Remove a node with its connections and its place in groups."""

    node_id: str
    _node: Node | None = field(default=None, repr=False)
    _index: int = 0
    _edges: list[tuple[int, Edge]] = field(default_factory=list, repr=False)
    _groups: list[tuple[str, int]] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return f"delete {self.node_id}"

    def apply(self, graph: Graph) -> None:
        graph.node(self.node_id)
        self._groups = []
        for g in graph.groups.values():
            if self.node_id in g.nodes:
                self._groups.append((g.id, g.nodes.index(self.node_id)))
                graph.update_group(g.id, nodes=[n for n in g.nodes if n != self.node_id])
        touching = [(i, e) for i, e in enumerate(graph.edges) if self.node_id in (e.src, e.dst)]
        for _, e in reversed(touching):
            graph.pop_edge(e)
        self._edges = touching
        self._node, self._index = graph.pop_node(self.node_id)

    def revert(self, graph: Graph) -> None:
        graph.insert_node(self._node, self._index)
        for i, e in self._edges:
            graph.insert_edge(e, i)
        for gid, pos in reversed(self._groups):
            nodes = list(graph.groups[gid].nodes)
            nodes.insert(pos, self.node_id)
            graph.update_group(gid, nodes=nodes)


@dataclass
class AddEdge(Edit):
    edge: Edge

    @property
    def text(self) -> str:
        return f"connect {self.edge.src} to {self.edge.dst}"

    def apply(self, graph: Graph) -> None:
        graph.insert_edge(self.edge)

    def revert(self, graph: Graph) -> None:
        graph.pop_edge(self.edge)


@dataclass
class RemoveEdge(Edit):
    edge: Edge
    _index: int = 0

    @property
    def text(self) -> str:
        return f"disconnect {self.edge.src} from {self.edge.dst}"

    def apply(self, graph: Graph) -> None:
        self._index = graph.pop_edge(self.edge)

    def revert(self, graph: Graph) -> None:
        graph.insert_edge(self.edge, self._index)


@dataclass
class SetParam(Edit):
    """Change one setting; ``value=MISSING`` removes it (back to the catalogue default)."""

    node_id: str
    name: str
    value: Any
    _old: Any = field(default=MISSING, repr=False)

    @property
    def text(self) -> str:
        return f"set {self.node_id}.{self.name} = {self.value!r}"

    def apply(self, graph: Graph) -> None:
        self._old = copy.deepcopy(graph.node(self.node_id).params.get(self.name, MISSING))
        graph.set_param(self.node_id, self.name, copy.deepcopy(self.value))

    def revert(self, graph: Graph) -> None:
        graph.set_param(self.node_id, self.name, self._old)

    def merge(self, other: Edit) -> bool:
        if isinstance(other, SetParam) and (other.node_id, other.name) == (self.node_id, self.name):
            self.value = other.value
            return True
        return False


@dataclass
class MoveNodes(Edit):
    """Move nodes to new positions (a drag, recorded once at release, or a layout)."""

    positions: dict[str, tuple[float, float]]
    label: str = "move"
    _old: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    arranges_only = True

    @property
    def text(self) -> str:
        if self.label != "move":
            return self.label
        return f"move {next(iter(self.positions))}" if len(self.positions) == 1 else f"move {len(self.positions)} nodes"

    def apply(self, graph: Graph) -> None:
        self._old = {n: graph.node(n).pos for n in self.positions}
        for n, p in self.positions.items():
            graph.set_pos(n, p)

    def revert(self, graph: Graph) -> None:
        for n, p in self._old.items():
            graph.set_pos(n, p)


@dataclass
class AddGroup(Edit):
    group: Group

    @property
    def text(self) -> str:
        return f"group {self.group.name}"

    def apply(self, graph: Graph) -> None:
        graph.insert_group(copy.deepcopy(self.group))

    def revert(self, graph: Graph) -> None:
        graph.pop_group(self.group.id)


@dataclass
class RemoveGroup(Edit):
    group_id: str
    _group: Group | None = field(default=None, repr=False)
    _index: int = 0

    @property
    def text(self) -> str:
        return f"ungroup {self.group_id}"

    def apply(self, graph: Graph) -> None:
        self._group, self._index = graph.pop_group(self.group_id)

    def revert(self, graph: Graph) -> None:
        graph.insert_group(self._group, self._index)


@dataclass
class UpdateGroup(Edit):
    """Rename a group, change its members, or collapse / expand it."""

    group_id: str
    changes: dict[str, Any]
    _old: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def arranges_only(self) -> bool:  # type: ignore[override]
        return set(self.changes) <= {"collapsed"}

    @property
    def text(self) -> str:
        if set(self.changes) == {"collapsed"}:
            return ("collapse " if self.changes["collapsed"] else "expand ") + self.group_id
        return f"change group {self.group_id}"

    def apply(self, graph: Graph) -> None:
        for n in self.changes.get("nodes", ()):
            graph.node(n)
        self._old = graph.update_group(self.group_id, **self.changes)

    def revert(self, graph: Graph) -> None:
        graph.update_group(self.group_id, **self._old)


@dataclass
class Compound(Edit):
    """Several edits as one undo step (paste, delete a selection, insert between two nodes).

    If one part fails, the parts already applied are reverted before the error propagates."""

    edits: list[Edit]
    label: str = "edit"

    @property
    def text(self) -> str:
        return self.label

    @property
    def arranges_only(self) -> bool:  # type: ignore[override]
        return all(e.arranges_only for e in self.edits)

    def apply(self, graph: Graph) -> None:
        done: list[Edit] = []
        try:
            for e in self.edits:
                e.apply(graph)
                done.append(e)
        except Exception:
            for e in reversed(done):
                e.revert(graph)
            raise

    def revert(self, graph: Graph) -> None:
        for e in reversed(self.edits):
            e.revert(graph)
