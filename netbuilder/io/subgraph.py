"""Layers copied to the clipboard: ``{"format": "netbuilder-subgraph/1", "nodes", "edges", "groups"}``,
the entries of a design file without the rest. Pasting checks them exactly as a design file's nodes,
connections and groups are checked (settings, finite numbers, limits, edges only between copied nodes),
so a hand-edited or foreign clipboard can never put in the design what a file could not.

Imports: graph, io.
"""

from __future__ import annotations

from typing import Any

from netbuilder.graph import Graph
from netbuilder.io import safejson
from netbuilder.io.design_file import FORMAT
from netbuilder.io.errors import DesignFileError, Invalid
from netbuilder.io.migrations import CURRENT_VERSION
from netbuilder.io.validate import build_design

SUBGRAPH_FORMAT = "netbuilder-subgraph/1"
PARTS = ("nodes", "edges", "groups")


class NotLayersError(ValueError):
    """The text or value is not copied netbuilder layers at all (plain text, other JSON)."""

    def __init__(self) -> None:
        super().__init__("the clipboard holds no netbuilder layers (copy layers on the canvas first)")


def subgraph_from_data(data: Any, source: str = "the clipboard") -> Graph:
    """The copied layers as a Graph of their own; ``NotLayersError`` when ``data`` is not copied layers,
    ``DesignFileError`` (naming the entry and the problem) when they are but one is not valid."""
    if not isinstance(data, dict) or data.get("format") != SUBGRAPH_FORMAT:
        raise NotLayersError
    try:
        safejson.check_tree(data)
        as_design = {"format": FORMAT, "version": CURRENT_VERSION, **{k: data[k] for k in PARTS if k in data}}
        return build_design(as_design).graph
    except Invalid as e:
        raise DesignFileError(source, e.where, e.problem) from None


def loads_subgraph(text: str, source: str = "the clipboard") -> Graph:
    """``subgraph_from_data`` of JSON text, read as a design file is (no NaN or infinite numbers)."""
    try:
        data = safejson.parse(text)
    except Invalid:
        raise NotLayersError from None
    return subgraph_from_data(data, source)
