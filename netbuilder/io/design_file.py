"""Design <-> dict <-> JSON text <-> file: the public entry points of netbuilder.io.

Loading is: size cap -> UTF-8 -> bracket pre-scan -> ``json`` with hooks -> tree check -> format
and version -> migrations -> field-by-field validation -> the graph's own mutators. Every failure
becomes a DesignFileError naming the file, the place and the problem; anything unforeseen is still
turned into one (a bug to report, never a traceback). Saving verifies that the text loads back,
then writes it atomically.

Imports: graph, layers (via validate), io.
"""

from __future__ import annotations

import copy
import json
import math
import os
from typing import Any

from netbuilder.graph import Design
from netbuilder.io import safejson
from netbuilder.io.atomic import atomic_write_text
from netbuilder.io.errors import TOP_LEVEL, WHOLE_FILE, DesignFileError, Invalid, format_path
from netbuilder.io.migrations import CURRENT_VERSION, migrate
from netbuilder.io.validate import build_design
from netbuilder.io.weights_file import upgraded_weights

FORMAT = "netbuilder-design"
DESIGN_EXTENSION = ".nbd"
LINE_WIDTH = 100  # other containers that fit on one line are written on one line
ONE_PER_LINE = ("nodes", "edges", "groups")


# ----- writing ------------------------------------------------------------------------------------
def _plain(value: Any, path: tuple[str | int, ...], sort: bool) -> Any:
    """A JSON-ready copy: tuples become lists, free-form objects get sorted keys."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(format_path(path), f"{value} cannot be saved: numbers in a design must be finite")
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v, (*path, i), sort) for i, v in enumerate(value)]
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise Invalid(format_path(path), f"the key {k!r} cannot be saved: keys must be text")
        keys = sorted(value) if sort else list(value)
        return {k: _plain(value[k], (*path, k), sort) for k in keys}
    raise Invalid(format_path(path), f"a {type(value).__name__} ({str(value)[:40]}) cannot be saved in a design")


def _to_dict(design: Design) -> dict[str, Any]:
    graph = design.graph.to_dict()
    for i, node in enumerate(graph["nodes"]):
        node["params"] = _plain(node["params"], ("nodes", i, "params"), sort=True)
    return {
        "format": FORMAT,
        "version": CURRENT_VERSION,
        "name": design.name,
        "description": design.description,
        "nodes": _plain(graph["nodes"], ("nodes",), sort=False),
        "edges": graph["edges"],
        "groups": graph["groups"],
        "layout": _plain({"direction": "TB", **design.layout}, ("layout",), sort=True),
        "dataset": _plain(design.dataset, ("dataset",), sort=True),
        "training": _plain(design.training, ("training",), sort=True),
        "weights": design.weights,
        "meta": _plain(design.meta, ("meta",), sort=True),
    }


def design_to_dict(design: Design) -> dict[str, Any]:
    """The design as plain JSON values, keys in the file's order (see the format in netbuilder.io)."""
    try:
        return _to_dict(design)
    except Invalid as e:
        raise DesignFileError("<memory>", e.where, e.problem) from None


def _one_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _dump(value: Any, indent: int, lead: int = 0) -> str:
    """JSON for ``value`` at ``indent``; ``lead`` is what precedes it on its line (a key)."""
    one_line = _one_line(value)
    if not isinstance(value, (dict, list)) or not value or indent + lead + len(one_line) < LINE_WIDTH:
        return one_line
    pad = " " * (indent + 1)
    if isinstance(value, list):
        items = [pad + _dump(v, indent + 1) for v in value]
    else:
        items = []
        for k, v in value.items():
            key = json.dumps(k, ensure_ascii=False) + ": "
            items.append(pad + key + _dump(v, indent + 1, len(key)))
    brackets = "[]" if isinstance(value, list) else "{}"
    return brackets[0] + "\n" + ",\n".join(items) + "\n" + " " * indent + brackets[1]


def _dump_file(data: dict[str, Any]) -> str:
    """One entry per line at the top; every node, connection and group on a line of its own."""
    items = []
    for k, v in data.items():
        key = json.dumps(k) + ": "
        if k in ONE_PER_LINE and v:
            body = "[\n" + ",\n".join("  " + _one_line(item) for item in v) + "\n ]"
        else:
            body = _dump(v, 1, len(key))
        items.append(" " + key + body)
    return "{\n" + ",\n".join(items) + "\n}\n"


def dumps_design(design: Design) -> str:
    """The design file's text: one node, connection or group per line, other entries indented by
    one space, so a diff between two saves is readable and save -> load -> save is byte-identical."""
    return _dump_file(design_to_dict(design))


def save_design(design: Design, path: str | os.PathLike) -> None:
    """Write ``design`` to ``path`` atomically (a crash mid-save leaves the old file whole).

    The text is loaded back before writing, so a file that netbuilder could not open again is
    never written; that refusal is a DesignFileError naming the place."""
    name = os.fspath(path)
    try:
        text = _dump_file(_to_dict(design))
        loads_design(text, name)
    except Invalid as e:
        raise DesignFileError(name, e.where, f"cannot save: {e.problem}") from None
    except DesignFileError as e:
        raise DesignFileError(name, e.where, f"cannot save: {e.problem}") from None
    try:
        atomic_write_text(name, text)
    except OSError as e:
        raise DesignFileError(name, WHOLE_FILE, f"cannot save: {e.strerror or e}") from None


# ----- reading ------------------------------------------------------------------------------------
def _check_header(data: Any) -> int:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise Invalid(TOP_LEVEL, f"not a netbuilder design file (it holds {kind}, not an object)")
    fmt = data.get("format")
    if fmt != FORMAT:
        where = "format" if "format" in data else TOP_LEVEL
        raise Invalid(where, f'not a netbuilder design file (it should say "format": "{FORMAT}")')
    version = data.get("version")
    if "version" not in data:
        raise Invalid(TOP_LEVEL, "'version' is missing: which format version is this file?")
    if isinstance(version, bool) or not isinstance(version, int):
        raise Invalid("version", "the format version must be a whole number")
    if version > CURRENT_VERSION:
        raise Invalid("version", f"made by a newer netbuilder (format version {version}; this one reads up "
                                 f"to {CURRENT_VERSION}): update netbuilder to open it")
    if version < 1:
        raise Invalid("version", f"format version {version} does not exist (versions start at 1)")
    return version


def _from_data(data: Any, fresh: bool) -> Design:
    version = _check_header(data)
    safejson.check_tree(data)
    if not fresh:
        data = copy.deepcopy(data)  # the caller's dict is never shared or changed
    if version == CURRENT_VERSION:
        return build_design(data)
    data = migrate(data, version)
    try:
        return build_design(data)
    except Invalid as e:
        raise Invalid(f"{e.where} (after upgrading the file from format version {version})", e.problem) from None


def _guard(source: str, fn, *args: Any) -> Design:
    try:
        return fn(*args)
    except Invalid as e:
        raise DesignFileError(source, e.where, e.problem) from None
    except DesignFileError:
        raise
    except Exception as e:  # noqa: BLE001  (the promise: a bad file never crashes the caller)
        detail = " ".join(f"{type(e).__name__}: {e}".split())[:200]
        raise DesignFileError(source, "unknown place", f"could not read the design ({detail}); "
                                                       "this is a bug in netbuilder, please report it") from e


def design_from_dict(data: dict[str, Any], source: str = "<memory>") -> Design:
    """Validate a design dict (any supported version) and build the Design; never changes ``data``."""
    return _guard(source, _from_data, data, False)


def _from_text(text: str | bytes) -> Design:
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = safejson.decode(bytes(text))
    return _from_data(safejson.parse(text), True)


def loads_design(text: str | bytes, source: str = "<memory>") -> Design:
    """A Design from the text (or the raw bytes) of a design file; ``source`` names it in errors."""
    return _guard(source, _from_text, text)


def load_design(path: str | os.PathLike) -> Design:
    """Read and validate a design file; a bad one raises DesignFileError naming file, place, problem. A file
    from format version 1 (no ``weights`` entry then) names the weights named after it, when they are there
    (``io.weights_file``: which weights a design file uses)."""
    name = os.fspath(path)
    design = _guard(name, lambda: _from_text(safejson.read_limited(name)))
    design.weights = design.weights or upgraded_weights(design, name)
    return design
