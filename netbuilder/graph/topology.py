"""Order and reachability over plain adjacency maps (``{node: [successor, ...]}``)."""

import heapq
from collections.abc import Iterable, Mapping


def topological_order(nodes: Iterable[str], successors: Mapping[str, Iterable[str]]) -> list[str]:
    """Kahn's algorithm, stable: whenever several nodes are ready, the earliest in ``nodes`` goes
    first, so an order that is already topological comes back unchanged (the compiler registers
    submodules in this order, so a preset's state_dict follows its reference's order).
    Raises ValueError on a cycle."""
    names = list(nodes)
    order_index = {n: i for i, n in enumerate(names)}
    indegree = dict.fromkeys(names, 0)
    for n in names:
        for s in successors.get(n, ()):
            indegree[s] += 1
    ready = [i for i, n in enumerate(names) if indegree[n] == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        n = names[heapq.heappop(ready)]
        out.append(n)
        for s in successors.get(n, ()):
            indegree[s] -= 1
            if indegree[s] == 0:
                heapq.heappush(ready, order_index[s])
    if len(out) != len(names):
        raise ValueError("the graph has a cycle")
    return out


def reachable(start: Iterable[str], successors: Mapping[str, Iterable[str]]) -> set[str]:
    """Every node reachable from ``start`` (including the start nodes)."""
    seen = set(start)
    stack = list(seen)
    while stack:
        n = stack.pop()
        for s in successors.get(n, ()):
            if s not in seen:
                seen.add(s)
                stack.append(s)
    return seen


def contract(nodes: Iterable[str], edges: Iterable[tuple[str, str]],
             groups: Mapping[str, Iterable[str]]) -> tuple[list[str], list[tuple[str, str]], dict[str, str]]:
    """The graph as the canvas shows it: each group in ``groups`` (``{group id: members}``, usually the
    collapsed ones) becomes one node named by the group id, placed where its first member was.

    Returns ``(nodes, edges, owner)``: edges inside a group are dropped, duplicates merged, and
    ``owner`` maps every node to the visible node that stands for it (itself or its group)."""
    owner: dict[str, str] = {}
    for gid, members in groups.items():
        for m in members:
            owner.setdefault(m, gid)
    names = list(nodes)
    for n in names:
        owner.setdefault(n, n)
    shown = list(dict.fromkeys(owner[n] for n in names))
    out = list(dict.fromkeys((owner[s], owner[d]) for s, d in edges
                             if s in owner and d in owner and owner[s] != owner[d]))
    return shown, out, owner
