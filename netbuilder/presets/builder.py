"""DesignBuilder: a fluent helper that writes a Design node by node, with groups and a layered layout.

Used by every preset and usable from a notebook::

    b = DesignBuilder("tiny")
    x = b.input([1, 28, 28])
    x = b.add("conv2d", x, filters=8, kernel_size=3, padding=1, id="conv1")
    x = b.add("relu", x)
    b.output(b.add("dense", b.add("flatten", x), units=10))
    design = b.build()

Nodes are inserted in the order they are added (the compiler registers modules in that order, so a
preset that adds nodes in torchvision's module order gets torchvision's ``state_dict`` order).
Imports: graph and layers only (no torch, no numpy).
"""

from __future__ import annotations

import copy
import keyword
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from netbuilder.graph import Design, Edge, Graph, Group, Node
from netbuilder.graph.ids import base_name, is_valid_id
from netbuilder.graph.topology import contract
from netbuilder.layers import canonical_kind
from netbuilder.presets.errors import PresetError

# Canvas spacing of the automatic layout (scene units): one row per depth, one column per branch.
LAYER_DY = 96.0  # NODE_H + the canvas layout's LAYER_GAP: a preset opens as Automatic Layout would place it
BRANCH_DX = 220.0
AUTO_COLLAPSE = 40  # more nodes than this: groups open collapsed, so the canvas stays readable


class DesignBuilder:
    """Collects nodes, edges and groups, then ``build()`` returns a laid-out Design.

    ``add`` returns the new node's id, which is what later calls take as their inputs."""

    def __init__(self, name: str, description: str = "", *, meta: dict[str, Any] | None = None,
                 collapsed: bool | None = None, training: dict[str, Any] | None = None,
                 dataset: dict[str, Any] | None = None) -> None:
        self.name = name
        self.training = copy.deepcopy(training or {})  # the Design's training settings (presets/settings.py)
        self.dataset = dict(dataset or {})  # the built-in dataset it is made for (none: the window's default)
        # The default for groups: a big preset opens with its blocks collapsed; None: collapse them
        # when the design has more than AUTO_COLLAPSE nodes.
        self.collapsed = collapsed
        self.description = description
        self.meta = dict(meta or {})
        self._nodes: dict[str, Node] = {}
        self._edges: list[Edge] = []
        self._groups: dict[str, Group] = {}
        self._open_groups: list[Group] = []
        self._counters: dict[str, int] = {}
        self._auto: set[str] = set()  # groups that collapse when the design is big

    # ----- nodes ----------------------------------------------------------------------------
    def _new_id(self, kind: str) -> str:
        base = base_name(kind)
        n = self._counters.get(base, 0)
        while True:
            n += 1
            candidate = f"{base}_{n}"
            if candidate not in self._nodes and candidate not in self._groups:
                self._counters[base] = n
                return candidate

    def _check_id(self, node_id: str) -> None:
        if not is_valid_id(node_id) or keyword.iskeyword(node_id):
            raise PresetError(f"{node_id!r} is not a valid node id: use letters, digits and _, not a digit first")
        if node_id in self._nodes or node_id in self._groups:
            raise PresetError(f"a node or group named {node_id!r} already exists in {self.name}")

    def add(self, kind: str, *inputs: str, id: str | None = None, **params: Any) -> str:  # noqa: A002
        """Add a ``kind`` node fed by ``inputs`` (ports 0, 1, ... in order); returns its id."""
        kind = canonical_kind(kind)
        node_id = self._new_id(kind) if id is None else id
        self._check_id(node_id)
        for src in inputs:
            if src not in self._nodes:
                raise PresetError(f"{node_id}: input {src!r} is not a node of {self.name} (add it first)")
        self._nodes[node_id] = Node(node_id, kind, params)
        self._edges.extend(Edge(src, node_id, port) for port, src in enumerate(inputs))
        if self._open_groups:
            self._open_groups[-1].nodes.append(node_id)
        return node_id

    def input(self, shape: Sequence[int], *, id: str = "input") -> str:  # noqa: A002
        """The network's input: ``[C, H, W]`` for images or ``[N]`` for feature vectors."""
        return self.add("input", id=id, shape=[int(v) for v in shape])

    def output(self, x: str, *, id: str = "output") -> str:  # noqa: A002
        """Mark ``x`` as the class scores the loss reads."""
        return self.add("output", x, id=id)

    def sequence(self, x: str, *layers: tuple[str, dict[str, Any]] | str) -> str:
        """Chain layers after ``x``: each item is a kind or ``(kind, settings)``; returns the last id."""
        for item in layers:
            kind, params = (item, {}) if isinstance(item, str) else item
            x = self.add(kind, x, **params)
        return x

    # ----- groups ---------------------------------------------------------------------------
    @contextmanager
    def group(self, group_id: str, name: str, *, collapsed: bool | None = None) -> Iterator[Group]:
        """Nodes added inside the ``with`` join group ``group_id``. A node belongs to at most one group
        (as in design files): inside nested ``with`` blocks it joins the innermost; empty groups are dropped.
        ``collapsed`` (default: the builder's) shows the group as one box on the canvas."""
        if not is_valid_id(group_id):
            raise PresetError(f"{group_id!r} is not a valid group id: use letters, digits and _")
        if group_id in self._nodes or group_id in self._groups:
            raise PresetError(f"a node or group named {group_id!r} already exists in {self.name}")
        group = Group(group_id, name, [], bool(self.collapsed) if collapsed is None else collapsed)
        if collapsed is None and self.collapsed is None:
            self._auto.add(group_id)
        self._groups[group_id] = group
        self._open_groups.append(group)
        try:
            yield group
        finally:
            self._open_groups.pop()

    # ----- result ---------------------------------------------------------------------------
    def build(self, *, layout: bool = True) -> Design:
        """The Design (the builder can be built again; each build is a fresh graph)."""
        big = len(self._nodes) > AUTO_COLLAPSE
        for gid in self._auto:
            self._groups[gid].collapsed = big
        positions = self._layout() if layout else {}
        graph = Graph()
        for node_id, node in self._nodes.items():
            graph.insert_node(Node(node_id, node.kind, dict(node.params), positions.get(node_id, (0.0, 0.0))))
        for edge in self._edges:
            graph.insert_edge(edge)
        for group in self._groups.values():
            if group.nodes:
                graph.insert_group(Group(group.id, group.name, list(group.nodes), group.collapsed))
        return Design(graph=graph, name=self.name, description=self.description,
                      layout={"direction": "TB"}, training=copy.deepcopy(self.training), meta=dict(self.meta),
                      dataset=dict(self.dataset))


    def _layout(self) -> dict[str, tuple[float, float]]:
        """``auto_layout`` of what the canvas shows (each collapsed group one box); a collapsed
        group's members get their own small layout centred on the box, for when it opens."""
        shut = {g.id: g.nodes for g in self._groups.values() if g.collapsed and g.nodes}
        pairs = [(e.src, e.dst) for e in self._edges]
        shown, edges, owner = contract(self._nodes, pairs, shut)
        try:
            placed = auto_layout(shown, [Edge(s, d) for s, d in edges])
        except KeyError:  # a group that is not one contiguous block: lay out every node
            return auto_layout(list(self._nodes), self._edges)
        out = {n: placed[n] for n in self._nodes if owner[n] == n}
        for gid, members in shut.items():
            inside = set(members)
            inner = auto_layout(members, [e for e in self._edges if e.src in inside and e.dst in inside])
            xs, ys = [p[0] for p in inner.values()], [p[1] for p in inner.values()]
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            gx, gy = placed[gid]
            out.update({m: (round(x - cx + gx, 1), round(y - cy + gy, 1)) for m, (x, y) in inner.items()})
        return out


def auto_layout(order: Sequence[str], edges: Sequence[Edge], *, dx: float = BRANCH_DX,
                dy: float = LAYER_DY) -> dict[str, tuple[float, float]]:
    """Top-to-bottom positions: row = longest path from an input; within a row each node sits
    under the mean x of its inputs, pushed sideways just enough that parallel branches do not overlap.

    ``order`` must be topological (every node after its inputs), as a builder's insertion order is."""
    preds: dict[str, list[str]] = {n: [] for n in order}
    for e in edges:
        preds[e.dst].append(e.src)
    depth: dict[str, int] = {}
    rows: list[list[str]] = []
    for n in order:
        d = 1 + max((depth[p] for p in preds[n]), default=-1)
        depth[n] = d
        if d == len(rows):
            rows.append([])
        rows[d].append(n)
    xs: dict[str, float] = {}
    index = {n: i for i, n in enumerate(order)}
    for row in rows:
        wanted = {n: (sum(xs[p] for p in preds[n]) / len(preds[n]) if preds[n] else 0.0) for n in row}
        ordered = sorted(row, key=lambda n: (wanted[n], index[n]))
        placed: list[float] = []
        for n in ordered:
            x = wanted[n] if not placed else max(wanted[n], placed[-1] + dx)
            placed.append(x)
        shift = sum(wanted[n] - x for n, x in zip(ordered, placed)) / len(ordered)
        for n, x in zip(ordered, placed):
            xs[n] = x + shift
    return {n: (round(xs[n], 1), depth[n] * dy) for n in order}
