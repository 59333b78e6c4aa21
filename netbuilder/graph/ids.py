"""Readable, stable ids (``conv2d_3``): valid Python identifiers used as fx module names."""

import keyword
import re

_NOT_IDENT = re.compile(r"[^0-9a-zA-Z_]")


def is_valid_id(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text) and text.isascii()


def base_name(kind: str) -> str:
    """``Conv2d`` -> ``conv2d``; anything not allowed in an identifier becomes ``_``."""
    name = _NOT_IDENT.sub("_", kind.strip().lower()) or "node"
    if name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def next_id(kind: str, taken) -> str:
    """The first ``<kind>_<n>`` (n = 1, 2, ...) not in ``taken``."""
    base = base_name(kind)
    n = 1
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"
