"""Check a current-version design dict field by field and build the Design, naming every problem's
place as a JSON path (``nodes[3].params.units``).

Structure that the graph refuses (missing nodes, taken ports, cycles, duplicate ids) is found
here first, in one linear pass, so the message can point at the entry in the file. Settings that
the catalogue rejects stay legal (analysis reports them), except absurd numbers (see limits).

Imports: graph, layers, io.errors / limits.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from netbuilder.graph import Design, Edge, Graph, GraphError, Group, Node, UnknownLayerKindError
from netbuilder.graph.ids import is_valid_id
from netbuilder.graph.topology import topological_order
from netbuilder.io import limits
from netbuilder.io.errors import TOP_LEVEL, Invalid, format_path
from netbuilder.layers import canonical_kind, get_spec

Path = tuple[str | int, ...]

TOP_KEYS = ("format", "version", "name", "description", "nodes", "edges", "groups", "layout",
            "dataset", "training", "weights", "meta")
NODE_KEYS = ("id", "kind", "params", "pos")
EDGE_KEYS = ("src", "dst", "port")
GROUP_KEYS = ("id", "name", "nodes", "collapsed")
REQUIRED_TOP = ("format", "version", "nodes")
WEIGHTS_SUFFIXES = (".safetensors", ".pt", ".pth")
DIRECTIONS = ("TB", "LR")


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null",
            int: "a whole number", float: "a number"}.get(type(value), type(value).__name__)


def _fail(path: Path, problem: str) -> Invalid:
    return Invalid(format_path(path), problem)


def _get(d: dict[str, Any], path: Path, key: str, kind: type | tuple[type, ...], what: str,
         default: Any = ..., required: bool = False) -> Any:
    if key not in d:
        if required or default is ...:
            raise _fail(path, f"{key!r} is missing")
        return default
    value = d[key]
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _tuple(kind))
    if not ok:
        raise _fail((*path, key), f"must be {what}, not {_type_name(value)}")
    return value


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _keys(d: dict[str, Any], allowed: tuple[str, ...], path: Path, what: str) -> None:
    for key in d:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (expected {', '.join(allowed)})"
            raise _fail((*path, key), f"unknown entry in {what}{hint}")


def _ident(value: Any, path: Path, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"{what} must be text, not {_type_name(value)}")
    if len(value) > limits.MAX_ID:
        raise _fail(path, f"{what} is {len(value)} characters long (at most {limits.MAX_ID})")
    if not is_valid_id(value):
        raise _fail(path, f"{value!r} is not a valid {what}: use letters, digits and _, not a digit first, "
                          "not a Python keyword")
    return value


def _name(value: Any, path: Path, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"{what} must be text, not {_type_name(value)}")
    if len(value) > limits.MAX_NAME:
        raise _fail(path, f"{what} is {len(value):,} characters long (at most {limits.MAX_NAME})")
    return value


def _number(value: Any, path: Path, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(path, f"{what} must be a finite number, not {_type_name(value)}")
    return value


def _check_setting(kind: str, name: Any, value: Any, path: Path) -> None:
    if not isinstance(name, str) or not name.isidentifier() or len(name) > limits.MAX_ID:
        raise _fail(path, f"{name!r} is not a setting name (letters, digits and _)")
    layer = get_spec(kind)
    spec = layer.param_index.get(name)
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) > limits.MAX_LIST_SETTING:
        raise _fail(path, f"a list of {len(value):,} values is not a setting (at most {limits.MAX_LIST_SETTING})")
    for i, v in enumerate(items):
        where = (*path, i) if isinstance(value, list) else path
        if isinstance(v, (dict, list)):
            raise _fail(where, "a setting holds a number, true/false, text or a short list of them, "
                               f"not {_type_name(v)}")
        if isinstance(v, str) and len(v) > limits.MAX_NAME:
            raise _fail(where, f"a text setting of {len(v):,} characters is too long")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            _number(v, where, name)
            cap = limits.ABSURD_NUMBER
            if isinstance(v, int) and spec is not None and spec.max is not None:
                cap = min(cap, limits.ABSURD_FACTOR * spec.max)
            if abs(v) > cap:
                limit = f" ({layer.title} allows at most {spec.max:,.0f})" if spec is not None and spec.max else ""
                raise _fail(where, f"{name} = {v:,} is absurdly large{limit}: refused so that it can never "
                                   "allocate huge memory")


def _node(raw: Any, i: int, ids: dict[str, Path]) -> Node:
    path: Path = ("nodes", i)
    if not isinstance(raw, dict):
        raise _fail(path, f"a node must be an object, not {_type_name(raw)}")
    _keys(raw, NODE_KEYS, path, "a node")
    if "id" not in raw or "kind" not in raw:
        raise _fail(path, f"a node needs {'an id' if 'id' not in raw else 'a kind'}")
    node_id = _ident(raw["id"], (*path, "id"), "node id")
    if node_id in ids:
        raise _fail((*path, "id"), f"the id {node_id!r} is used twice (first at {format_path(ids[node_id])})")
    ids[node_id] = path
    kind = raw["kind"]
    if not isinstance(kind, str):
        raise _fail((*path, "kind"), f"a layer kind must be text, not {_type_name(kind)}")
    try:
        kind = canonical_kind(kind)
    except UnknownLayerKindError as e:
        raise _fail((*path, "kind"), str(e)) from None
    params = _get(raw, path, "params", dict, "an object of settings", default={})
    for name, value in params.items():
        _check_setting(kind, name, value, (*path, "params", name))
    pos = _get(raw, path, "pos", list, "a list [x, y]", default=[0.0, 0.0])
    if len(pos) != 2:
        raise _fail((*path, "pos"), f"must be two numbers [x, y], not {len(pos)} values")
    for j, v in enumerate(pos):
        _number(v, (*path, "pos", j), "a position")
        if abs(v) > limits.MAX_COORDINATE:
            raise _fail((*path, "pos", j), f"{v:g} is too far off the canvas (at most ±{limits.MAX_COORDINATE:,.0f})")
    return Node(node_id, kind, dict(params), (float(pos[0]), float(pos[1])))


def _edges(raw_edges: list[Any], nodes: dict[str, Node]) -> list[Edge]:
    edges: list[Edge] = []
    taken: dict[tuple[str, int], int] = {}
    for i, raw in enumerate(raw_edges):
        path: Path = ("edges", i)
        if not isinstance(raw, dict):
            raise _fail(path, f"a connection must be an object, not {_type_name(raw)}")
        _keys(raw, EDGE_KEYS, path, "a connection")
        ends = []
        for key in ("src", "dst"):
            value = _get(raw, path, key, str, "a node id", required=True)
            if value not in nodes:
                raise _fail((*path, key), f"no node named {value[:60]!r} in the design")
            ends.append(value)
        port = _get(raw, path, "port", int, "a whole number", default=0)
        if not 0 <= port <= limits.MAX_PORT:
            raise _fail((*path, "port"), f"input {port} does not exist (inputs are numbered 0, 1, 2, ...)")
        edge = Edge(ends[0], ends[1], port)
        if (edge.dst, port) in taken:
            raise _fail(path, f"input {port} of {edge.dst} is connected twice "
                              f"(also by edges[{taken[(edge.dst, port)]}]); an input takes one connection")
        if edge.src == edge.dst:
            raise _fail(path, f"{edge.src} is connected to itself: data must flow one way from input to output")
        taken[(edge.dst, port)] = i
        edges.append(edge)
    if _cyclic(nodes, edges):
        # Name the first connection, in file order, that closes a loop (binary search on prefixes).
        lo, hi = 0, len(edges) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if _cyclic(nodes, edges[: mid + 1]) else (mid + 1, hi)
        e = edges[lo]
        raise _fail(("edges", lo), f"{e.src} -> {e.dst} makes a cycle: data must flow one way "
                                   "from input to output")
    return edges


def _cyclic(nodes: dict[str, Node], edges: list[Edge]) -> bool:
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for e in edges:
        succ[e.src].append(e.dst)
    try:
        topological_order(nodes, succ)
    except ValueError:
        return True
    return False


def _groups(raw_groups: list[Any], nodes: dict[str, Node], ids: dict[str, Path]) -> list[Group]:
    groups: list[Group] = []
    member_of: dict[str, Path] = {}
    for i, raw in enumerate(raw_groups):
        path: Path = ("groups", i)
        if not isinstance(raw, dict):
            raise _fail(path, f"a group must be an object, not {_type_name(raw)}")
        _keys(raw, GROUP_KEYS, path, "a group")
        if "id" not in raw:
            raise _fail(path, "a group needs an id")
        gid = _ident(raw["id"], (*path, "id"), "group id")
        if gid in ids:
            raise _fail((*path, "id"), f"the id {gid!r} is used twice (first at {format_path(ids[gid])})")
        ids[gid] = path
        name = _name(_get(raw, path, "name", str, "text", default=gid), (*path, "name"), "a group name")
        members = _get(raw, path, "nodes", list, "a list of node ids", default=[])
        for j, m in enumerate(members):
            mpath = (*path, "nodes", j)
            if not isinstance(m, str):
                raise _fail(mpath, f"must be a node id, not {_type_name(m)}")
            if m not in nodes:
                raise _fail(mpath, f"no node named {m[:60]!r} in the design")
            if m in member_of:
                other = member_of[m]
                where = "twice in this group" if other[:2] == path else f"already in {format_path(other[:2])}"
                raise _fail(mpath, f"{m} is {where}; a node belongs to at most one group")
            member_of[m] = mpath
        collapsed = _get(raw, path, "collapsed", bool, "true or false", default=False)
        groups.append(Group(gid, name, list(members), collapsed))
    return groups


def _plain_dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    return dict(_get(data, (), key, dict, "an object", default={}))


def build_design(data: Any) -> Design:
    """A Design from a current-version dict (already checked by ``safejson.check_tree``)."""
    if not isinstance(data, dict):
        raise Invalid(TOP_LEVEL, f"a design is a JSON object, not {_type_name(data)}")
    _keys(data, TOP_KEYS, (), "a design")
    for key in REQUIRED_TOP:
        if key not in data:
            raise Invalid(TOP_LEVEL, f"{key!r} is missing")
    name = _name(_get(data, (), "name", str, "text", default="untitled"), ("name",), "the design name")
    description = _get(data, (), "description", str, "text", default="")
    raw_nodes = _get(data, (), "nodes", list, "a list of nodes")
    raw_edges = _get(data, (), "edges", list, "a list of connections", default=[])
    raw_groups = _get(data, (), "groups", list, "a list of groups", default=[])
    for key, items, cap in (("nodes", raw_nodes, limits.MAX_NODES), ("edges", raw_edges, limits.MAX_EDGES),
                            ("groups", raw_groups, limits.MAX_GROUPS)):
        if len(items) > cap:
            raise _fail((key,), f"{len(items):,} {key} is too many for a design (at most {cap:,})")
    ids: dict[str, Path] = {}
    nodes = {n.id: n for n in (_node(raw, i, ids) for i, raw in enumerate(raw_nodes))}
    edges = _edges(raw_edges, nodes)
    groups = _groups(raw_groups, nodes, ids)
    layout = _plain_dict(data, "layout")
    direction = layout.setdefault("direction", "TB")
    if direction not in DIRECTIONS:
        raise _fail(("layout", "direction"), f"must be \"TB\" (top to bottom) or \"LR\" (left to right), "
                                             f"not {str(direction)[:40]!r}")
    weights = _get(data, (), "weights", (str, type(None)), "a file name or null", default=None)
    if weights is not None:
        bad = not weights or "/" in weights or "\\" in weights or weights.startswith(".") or ":" in weights
        if bad or len(weights) > 255 or not weights.endswith(WEIGHTS_SUFFIXES):
            raise _fail(("weights",), f"{weights[:60]!r} is not a weights file name: it must be a plain file name "
                                      f"beside the design ending in {', '.join(WEIGHTS_SUFFIXES)}")
    graph = _build_graph(nodes, edges, groups)
    return Design(graph, name, description, layout, _plain_dict(data, "dataset"),
                  _plain_dict(data, "training"), weights, _plain_dict(data, "meta"))


def _build_graph(nodes: dict[str, Node], edges: list[Edge], groups: list[Group]) -> Graph:
    """Build through the graph's own mutators (which check again), naming the entry if one fails."""
    graph = Graph()
    where: Path = ()
    try:
        for i, node in enumerate(nodes.values()):
            where = ("nodes", i)
            graph.insert_node(node)
        for i, edge in enumerate(edges):
            where = ("edges", i)
            # proven acyclic above in one linear pass; a search per edge would be quadratic
            graph.insert_edge(edge, check_cycle=False)
        for i, group in enumerate(groups):
            where = ("groups", i)
            graph.insert_group(group)
    except GraphError as e:
        raise _fail(where, str(e)) from None
    return graph
