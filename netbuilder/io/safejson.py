"""Reading untrusted JSON without surprises: size, encoding, nesting, numbers, duplicate keys.

Everything here runs before a design is built: the file size is checked with ``os.stat`` and
at most cap + 1 bytes are read; nesting depth and the number of containers are counted by a
linear scan *before* ``json`` parses (so 10,000 nested brackets never reach the recursive
decoder); NaN, Infinity, 1e999 and 5,000-digit integers parse to markers that ``check_tree``
reports with their JSON path. Nothing is ever evaluated or unpickled.

Imports: stdlib and netbuilder.io.errors / limits only.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from itertools import accumulate
from typing import Any

from netbuilder.io import limits
from netbuilder.io.errors import WHOLE_FILE, Invalid, format_path

# A string, closed or running to the end of the text (so a broken file cannot make the scan quadratic).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_STRING_OR_BRACKET = re.compile(_STRING.pattern + r"|[\[\]{}]", re.DOTALL)
_KEEP_BRACKETS = str.maketrans("", "", "".join(c for c in map(chr, range(128)) if c not in "[]{}"))
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BadNumber:
    """A number JSON allows but a design must not hold (NaN, Infinity, 1e999, 10^5000)."""

    def __init__(self, text: str, problem: str):
        self.text, self.problem = text, problem


class DuplicateKeyDict(dict):
    """An object in which a key appeared more than once (the later value won)."""

    duplicates: list[str]


def read_limited(path: str, cap: int | None = None, what: str = "design") -> bytes:
    """The bytes of ``path``, refusing a file over ``cap`` (default ``MAX_FILE_BYTES``) before reading it;
    ``what`` names the kind of file in the messages ("design", "lesson")."""
    cap = limits.MAX_FILE_BYTES if cap is None else cap
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Invalid(WHOLE_FILE, "no such file") from None
    except OSError as e:
        raise Invalid(WHOLE_FILE, f"cannot read it: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise Invalid(WHOLE_FILE, f"this is a folder, not a {what} file")
    if not stat.S_ISREG(st.st_mode):  # a pipe or a device could block or never end
        raise Invalid(WHOLE_FILE, "this is not a regular file")
    if st.st_size > cap:
        raise Invalid(WHOLE_FILE, _too_big(st.st_size, cap, what))
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError as e:
        raise Invalid(WHOLE_FILE, f"cannot read it: {e.strerror or e}") from None
    if len(data) > cap:  # it grew after the stat (or stat lied: a pipe, /proc)
        raise Invalid(WHOLE_FILE, _too_big(len(data), cap, what))
    return data


def _too_big(size: int, cap: int, what: str = "design") -> str:
    return (f"the file is too big for a {what} ({size / 1e6:,.1f} MB; at most {cap / 1e6:,.1f} MB): "
            f"is it really a netbuilder {what}?")


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed); binary data is refused with the byte offset."""
    if len(data) > limits.MAX_FILE_BYTES:
        raise Invalid(WHOLE_FILE, _too_big(len(data), limits.MAX_FILE_BYTES))
    kind = binary_kind(data)
    if kind:
        raise Invalid(WHOLE_FILE, f"this is {kind}, not a design file")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise Invalid(f"byte {nul}", "the file holds binary data, not the text of a design")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Invalid(f"byte {e.start}", "the file is not UTF-8 text: is it really a design file?") from None


def binary_kind(data: bytes) -> str | None:
    """What a binary file given for a design most likely is (a student opens the wrong file of a set), or None."""
    head = data[:16]
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head[:6] in (b"GIF87a", b"GIF89a"):
        return "an image"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (an exported .pt2 model or a PyTorch checkpoint?)"
    if len(data) > 9 and data[8:10] == b'{"':  # 8 bytes of header length, then the header's JSON
        return "a weights file (safetensors)"
    if head[:1] == b"\x08" and (b"pytorch" in data[:256] or b"onnx" in data[:256].lower()):
        return "an ONNX model"
    return None


PYTHON_STARTS = ('"""', "'''", "#", "import ", "from ")


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def prescan(text: str) -> None:
    """Refuse too deep nesting and too many containers or values, without recursion."""
    if len(text) > limits.MAX_FILE_BYTES:
        raise Invalid(WHOLE_FILE, _too_big(len(text), limits.MAX_FILE_BYTES))
    bare = _STRING.sub('""', text)
    brackets = bare.translate(_KEEP_BRACKETS)
    brackets = "".join(c for c in brackets if c in _STEP) if not brackets.isascii() else brackets
    containers = brackets.count("[") + brackets.count("{")
    if containers > limits.MAX_CONTAINERS:
        raise Invalid(WHOLE_FILE, f"the file holds {containers:,} objects and lists; a design has at most "
                                  f"{limits.MAX_CONTAINERS:,}")
    values = bare.count(",") + 1
    if values > limits.MAX_VALUES:
        raise Invalid(WHOLE_FILE, f"the file holds about {values:,} values; a design has at most "
                                  f"{limits.MAX_VALUES:,}")
    depth = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    if depth > limits.MAX_DEPTH:
        level = 0
        for m in _STRING_OR_BRACKET.finditer(text):
            c = m.group()
            if c in _STEP:
                level += _STEP[c]
                if level > limits.MAX_DEPTH:
                    raise Invalid(_line_col(text, m.start()),
                                  f"nesting is too deep (more than {limits.MAX_DEPTH} levels of lists and "
                                  "objects inside each other)")
        raise Invalid(WHOLE_FILE, f"nesting is too deep (more than {limits.MAX_DEPTH} levels)")


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    out = DuplicateKeyDict(d)
    seen: set[str] = set()
    out.duplicates = []
    for k, _ in pairs:
        if k in seen:
            out.duplicates.append(k)
        seen.add(k)
    return out


def _constant(text: str) -> BadNumber:
    return BadNumber(text, f"{text} is not allowed: numbers in a design must be finite")


def _float(text: str) -> float | BadNumber:
    if len(text) > 64:
        return BadNumber(text[:20] + "...", f"a number written with {len(text)} characters is absurd")
    value = float(text)
    if not math.isfinite(value):
        return BadNumber(text, f"{text} is too large a number")
    return value


def _int(text: str) -> int | BadNumber:
    if len(text.lstrip("-")) > limits.MAX_NUMBER_DIGITS:
        return BadNumber(text[:20] + "...", f"a whole number with {len(text.lstrip('-')):,} digits is absurd")
    return int(text)


def parse(text: str) -> Any:
    """JSON text -> plain values; syntax errors name the line and column."""
    if not text.strip():
        raise Invalid(WHOLE_FILE, "the file is empty")
    prescan(text)
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                          parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as e:
        if text.lstrip().startswith(PYTHON_STARTS):
            raise Invalid(WHOLE_FILE, "this is Python code (an exported model?), not a design file: open the design "
                                      "it was exported from") from None
        end = len(text.rstrip())
        hint = " (the file ends too early: was the save cut short?)" if e.pos >= end else ""
        raise Invalid(_line_col(text, e.pos), f"not valid JSON: {e.msg}{hint}") from None


def _where(link: tuple | None, key: str | int | None = None) -> str:
    parts: list[str | int] = [] if key is None else [key]
    while link is not None:
        link, k = link
        parts.append(k)
    return format_path(parts[::-1])


def _check_scalar(value: Any, link: tuple | None, key: str | int | None) -> None:
    if value is None or value is True or value is False or type(value) is int:
        return
    if isinstance(value, str):
        if len(value) > limits.MAX_STRING:
            raise Invalid(_where(link, key), f"a text of {len(value):,} characters is too long "
                                             f"(at most {limits.MAX_STRING:,})")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(_where(link, key), f"{value} is not allowed: numbers in a design must be finite")
    elif isinstance(value, BadNumber):
        raise Invalid(_where(link, key), value.problem)
    elif not isinstance(value, int):
        raise Invalid(_where(link, key), f"a {type(value).__name__} cannot be stored in a design file")


def check_tree(root: Any) -> None:
    """Walk any JSON tree (without recursion) and refuse what no design holds: non-JSON types,
    bad numbers, duplicate keys, over-long strings or keys, too deep or too big trees.

    Paths are kept as links ``(parent_link, key)`` and spelled out only for a problem."""
    if not isinstance(root, (dict, list, tuple)):
        _check_scalar(root, None, None)
        return
    stack: list[tuple[Any, tuple | None, int]] = [(root, None, 0)]
    count = 1
    while stack:
        value, link, depth = stack.pop()
        if depth >= limits.MAX_DEPTH:
            raise Invalid(_where(link), f"nesting is too deep (more than {limits.MAX_DEPTH} levels)")
        count += len(value)
        if count > limits.MAX_VALUES:
            raise Invalid(WHOLE_FILE, f"the design holds more than {limits.MAX_VALUES:,} values")
        if isinstance(value, dict):
            if isinstance(value, DuplicateKeyDict):
                raise Invalid(_where(link), f"the key {value.duplicates[0]!r} appears twice in one object")
            items: Any = value.items()
            for k in value:
                if not isinstance(k, str):
                    raise Invalid(_where(link), f"keys must be text, not {type(k).__name__}")
                if len(k) > limits.MAX_KEY:
                    raise Invalid(_where(link), f"a key of {len(k):,} characters is too long")
        else:
            items = enumerate(value)
        children = []
        for k, v in items:
            if isinstance(v, (dict, list, tuple)):
                children.append((v, (link, k), depth + 1))
            else:
                _check_scalar(v, link, k)
        stack.extend(reversed(children))
