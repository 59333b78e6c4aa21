"""Automatic layered layout (Sugiyama style), pure Python: no Qt, no torch.

Layers by longest path from the sources, long edges get dummy nodes, crossings are reduced with
barycentre sweeps, and coordinates pull every node towards its neighbours while keeping the order
and the gaps. Node positions are box centres; ``direction`` is "TB" (top to bottom) or "LR".
``graph_layout`` lays out what the canvas shows: each collapsed group is one box, so collapsing a
group closes up the space it took.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from netbuilder.graph import Graph
from netbuilder.graph.topology import contract

NODE_W, NODE_H = 176.0, 64.0
FRAME_BEFORE, FRAME_AFTER = 28.0, 12.0  # an open group's frame: its label's band before, a margin after
GROUP_W = 232.0  # a collapsed group's box, top to bottom: wider, so its name reads zoomed out
LAYER_GAP, NODE_GAP, DUMMY_BREADTH = 32.0, 36.0, 16.0


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    for s, d in edges:
        preds[d].append(s)
        succs[s].append(d)
    indeg = {n: len(preds[n]) for n in nodes}
    ready = [n for n in nodes if indeg[n] == 0]
    layer: dict[str, int] = {}
    while ready:
        n = ready.pop(0)
        layer[n] = max((layer[p] + 1 for p in preds[n]), default=0)
        for s in succs[n]:
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    for n in nodes:  # a cycle (the graph refuses them, but be safe): put leftovers last
        layer.setdefault(n, max(layer.values(), default=-1) + 1)
    return layer


def _order(rows: list[list[str]], up: dict[str, list[str]], down: dict[str, list[str]],
           sweeps: int = 4) -> None:
    """Reorder each row in place by the mean index of its neighbours in the row before/after."""
    for it in range(sweeps):
        forward = it % 2 == 0
        seq = range(1, len(rows)) if forward else range(len(rows) - 2, -1, -1)
        for r in seq:
            ref = rows[r - 1] if forward else rows[r + 1]
            index = {n: i for i, n in enumerate(ref)}
            neigh = up if forward else down

            def key(item: tuple[int, str], index=index, neigh=neigh) -> float:
                i, n = item
                ks = [index[m] for m in neigh.get(n, ()) if m in index]
                return sum(ks) / len(ks) if ks else float(i)

            rows[r] = [n for _, n in sorted(enumerate(rows[r]), key=key)]


def layered_layout(nodes: Iterable[str], edges: Iterable[tuple[str, str]], direction: str = "TB",
                   breadth: dict[str, float] | None = None) -> dict[str, tuple[float, float]]:
    """Centre positions for ``nodes`` so that every edge points down (TB) or right (LR)."""
    nodes = list(dict.fromkeys(nodes))
    known = set(nodes)
    edges = [(s, d) for s, d in edges if s in known and d in known and s != d]
    if not nodes:
        return {}
    horizontal = direction.upper() == "LR"
    layer = _layers(nodes, edges)
    size = dict(breadth or {})
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    dummies: set[str] = set()

    def link(a: str, b: str) -> None:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)

    for k, (s, d) in enumerate(edges):
        prev = s
        for step in range(layer[s] + 1, layer[d]):
            dummy = f"\0{k}_{step}"
            layer[dummy] = step
            dummies.add(dummy)
            link(prev, dummy)
            prev = dummy
        link(prev, d)
    rows: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in list(nodes) + sorted(dummies, key=lambda x: (layer[x], x)):
        rows[layer[n]].append(n)
    _order(rows, up, down)

    def width(n: str) -> float:
        if n in dummies:
            return DUMMY_BREADTH
        return size.get(n, NODE_H if horizontal else NODE_W)

    pos: dict[str, float] = {}
    for row in rows:  # compact, centred on 0
        total = sum(width(n) for n in row) + NODE_GAP * (len(row) - 1)
        x = -total / 2
        for n in row:
            pos[n] = x + width(n) / 2
            x += width(n) + NODE_GAP
    for it in range(6):  # pull towards neighbours, keep order and gaps
        forward = it % 2 == 0
        for r in (range(1, len(rows)) if forward else range(len(rows) - 2, -1, -1)):
            row = rows[r]
            neigh = up if forward else down
            want = []
            for n in row:
                xs = [pos[m] for m in neigh.get(n, ())]
                want.append(sum(xs) / len(xs) if xs else pos[n])
            placed: list[float] = []
            for i, n in enumerate(row):
                x = want[i]
                if i:
                    x = max(x, placed[-1] + (width(row[i - 1]) + width(n)) / 2 + NODE_GAP)
                placed.append(x)
            shift = sum(w - p for w, p in zip(want, placed)) / len(row)
            placed = [x + shift for x in placed]  # a uniform shift keeps order and gaps
            for n, x in zip(row, placed):
                pos[n] = x
    depth = (NODE_W if horizontal else NODE_H) + LAYER_GAP
    out: dict[str, tuple[float, float]] = {}
    for n in nodes:
        across, along = round(pos[n], 1), float(layer[n]) * depth
        out[n] = (along, across) if horizontal else (across, along)
    return out


def graph_layout(graph: Graph, direction: str = "TB",
                 collapsed: Iterable[str] | None = None) -> dict[str, tuple[float, float]]:
    """Positions for every node of ``graph`` with each collapsed group laid out as one box
    (``collapsed``: the ids of the groups to treat as collapsed; default: the graph's own).

    A collapsed group's members get their own small layout centred on the group's box (the canvas
    draws the box at the centre of its members), so they keep distinct places for when it opens."""
    shut = {g.id for g in graph.groups.values() if g.collapsed} if collapsed is None else set(collapsed)
    groups = {g.id: list(g.nodes) for g in graph.groups.values() if g.id in shut and g.nodes}
    pairs = [(e.src, e.dst) for e in graph.edges]
    shown, edges, owner = contract(graph.nodes, pairs, groups)
    wide = {} if direction.upper() == "LR" else dict.fromkeys(groups, GROUP_W)
    placed = layered_layout(shown, edges, direction, wide)
    horizontal = direction.upper() == "LR"
    frames = [[n for n in g.nodes if n in placed] for g in graph.groups.values() if g.id not in groups]
    placed = _make_room_for_frames(placed, [f for f in frames if f], horizontal)
    out = {n: placed[n] for n in graph.nodes if owner[n] == n}
    for gid, members in groups.items():
        inside = set(members)
        inner = layered_layout(members, [(s, d) for s, d in pairs if s in inside and d in inside], direction)
        xs, ys = [p[0] for p in inner.values()], [p[1] for p in inner.values()]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        gx, gy = placed[gid]
        for m, (x, y) in inner.items():
            out[m] = (round(x - cx + gx, 1), round(y - cy + gy, 1))
    return out


def _make_room_for_frames(pos: dict[str, tuple[float, float]], frames: list[list[str]],
                          horizontal: bool) -> dict[str, tuple[float, float]]:
    """Push later layers along so an open group's frame (label band before its first layer, margin after
    its last) does not cover the layers next to it."""
    if not frames:
        return pos
    along = 0 if horizontal else 1
    layers = sorted({p[along] for p in pos.values()})
    shift = dict.fromkeys(layers, 0.0)
    for members in frames:
        first, last = min(pos[m][along] for m in members), max(pos[m][along] for m in members)
        for v in layers:
            shift[v] += (FRAME_BEFORE if v >= first else 0.0) + (FRAME_AFTER if v > last else 0.0)
    out = {}
    for n, p in pos.items():
        q = list(p)
        q[along] = round(q[along] + shift[p[along]], 1)
        out[n] = (q[0], q[1])
    return out
