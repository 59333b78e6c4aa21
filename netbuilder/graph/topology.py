"""Order and reachability over plain adjacency maps (``{node: [successor, ...]}``)."""

from collections import deque
from collections.abc import Iterable, Mapping


def topological_order(nodes: Iterable[str], successors: Mapping[str, Iterable[str]]) -> list[str]:
    """Kahn's algorithm, stable: ties keep the order of ``nodes``. Raises ValueError on a cycle."""
    order_index = {n: i for i, n in enumerate(nodes)}
    indegree = dict.fromkeys(order_index, 0)
    for n in order_index:
        for s in successors.get(n, ()):
            indegree[s] += 1
    ready = deque(n for n in order_index if indegree[n] == 0)
    out: list[str] = []
    while ready:
        n = ready.popleft()
        out.append(n)
        for s in sorted(set(successors.get(n, ())), key=order_index.__getitem__):
            indegree[s] -= sum(1 for x in successors[n] if x == s)
            if indegree[s] == 0:
                ready.append(s)
    if len(out) != len(order_index):
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
