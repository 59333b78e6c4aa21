"""The error a bad design file raises, and the internal exception validators use to name a place.

Imports: netbuilder.errors only.
"""

from __future__ import annotations

from netbuilder.errors import NetbuilderError

WHOLE_FILE = "whole file"
TOP_LEVEL = "top level"


class DesignFileError(NetbuilderError):
    """A design file that cannot be read or saved: ``path`` (the file), ``where`` (a JSON path such
    as ``nodes[3].params.units``, ``line 4, column 7``, ``top level`` or ``whole file``) and
    ``problem`` (what is wrong, in plain words). ``str(e)`` is ``"<file>: <where>: <problem>"``."""

    def __init__(self, path: str, where: str, problem: str):
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{self.path}: {where}: {problem}")


class Invalid(Exception):  # noqa: N818  (internal; always converted to DesignFileError)
    """Raised inside the reader with the place and the problem; the caller adds the file name."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


def format_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``("nodes", 3, "params", "units")`` -> ``nodes[3].params.units``; odd keys are quoted."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p.isidentifier():
            out += f".{p}" if out else p
        else:
            shown = p if len(p) <= 40 else p[:37] + "..."
            out += f"[{shown!r}]"
    return out or TOP_LEVEL
