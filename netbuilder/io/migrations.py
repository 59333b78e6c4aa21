"""Explicit upgrades of older design-file versions: a registry of functions vN -> vN+1.

``migrate(data)`` applies them in order until the data is at ``CURRENT_VERSION``. Each function
takes the parsed dict of its version, never changes it in place, and raises ``Invalid`` with a
place *in the old file's own terms* when that file is malformed. Kinds renamed in the catalogue
are not a format change: every version's kinds go through ``netbuilder.layers.canonical_kind``
when the design is validated.

Version 1 (the pre-release format, written by netbuilder 0.x prototypes)::

    {"format": "netbuilder-design", "version": 1,
     "name": "lenet", "description": "...",            (both optional)
     "direction": "TB" | "LR",                          (optional; became layout.direction)
     "layers": [{"name": "conv_1", "type": "Conv2d",    (type: any case; became kind)
                 "config": {"filters": 6},              (became params)
                 "x": 0, "y": 120}],                    (became pos)
     "links": [{"from": "conv_1", "to": "relu_1", "input": 0}],   (became src, dst, port)
     "dataset": {...}, "training": {...}}               (optional, unchanged)

Version 1 had no groups, no weights reference and no meta; the upgrade adds them empty and
records ``meta.upgraded_from = 1``. (Netbuilder then kept a design's weights named after its file:
``load_design`` names them in the upgraded design when they are there; see ``io/weights_file.py``.)

Imports: netbuilder.io.errors only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netbuilder.io.errors import Invalid, format_path

CURRENT_VERSION = 2

Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


def migration(from_version: int) -> Callable[[Migration], Migration]:
    """Register ``fn`` as the upgrade from ``from_version`` to ``from_version + 1``."""

    def deco(fn: Migration) -> Migration:
        if from_version in MIGRATIONS:
            raise ValueError(f"two migrations from version {from_version}")
        MIGRATIONS[from_version] = fn
        return fn

    return deco


def migrate(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Upgrade ``data`` (at ``version``) to ``CURRENT_VERSION``, one registered step at a time."""
    while version < CURRENT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise Invalid("version", f"format version {version} is too old to open (no upgrade from it); "
                                     f"this netbuilder reads versions {min(MIGRATIONS, default=CURRENT_VERSION)}"
                                     f" to {CURRENT_VERSION}")
        data = step(data)
        version += 1
        data["version"] = version
    return data


def _expect(value: Any, kind: type, path: tuple[str | int, ...], what: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Invalid(format_path(path), f"must be {what}, not {type(value).__name__}")
    return value


def _only(d: dict[str, Any], allowed: tuple[str, ...], path: tuple[str | int, ...]) -> None:
    for key in d:
        if key not in allowed:
            raise Invalid(format_path((*path, key)),
                          f"unknown entry {key!r} in a version 1 file (expected {', '.join(allowed)})")


_V1_TOP = ("format", "version", "name", "description", "direction", "layers", "links", "dataset", "training")
_V1_LAYER = ("name", "type", "config", "x", "y")
_V1_LINK = ("from", "to", "input")


@migration(1)
def v1_to_v2(old: dict[str, Any]) -> dict[str, Any]:
    """layers/links with name/type/config/x/y and from/to/input -> nodes/edges/groups/layout."""
    _only(old, _V1_TOP, ())
    nodes = []
    for i, layer in enumerate(_expect(old.get("layers", []), list, ("layers",), "a list of layers")):
        path = ("layers", i)
        _expect(layer, dict, path, "an object")
        _only(layer, _V1_LAYER, path)
        kind = layer.get("type")
        node: dict[str, Any] = {
            "id": layer.get("name"),
            "kind": kind.lower() if isinstance(kind, str) else kind,
            "params": layer.get("config", {}),
            "pos": [layer.get("x", 0.0), layer.get("y", 0.0)],
        }
        for key, old_key in (("id", "name"), ("kind", "type")):
            if node[key] is None:
                raise Invalid(format_path(path), f"a layer needs a {old_key!r}")
        nodes.append(node)
    edges = []
    for i, link in enumerate(_expect(old.get("links", []), list, ("links",), "a list of links")):
        path = ("links", i)
        _expect(link, dict, path, "an object")
        _only(link, _V1_LINK, path)
        for key in ("from", "to"):
            if key not in link:
                raise Invalid(format_path(path), f"a link needs {key!r}")
        edges.append({"src": link["from"], "dst": link["to"], "port": link.get("input", 0)})
    return {
        "format": old["format"],
        "version": 2,
        "name": old.get("name", "untitled"),
        "description": old.get("description", ""),
        "nodes": nodes,
        "edges": edges,
        "groups": [],
        "layout": {"direction": old.get("direction", "TB")},
        "dataset": old.get("dataset", {}),
        "training": old.get("training", {}),
        "weights": None,
        "meta": {"upgraded_from": 1},
    }
