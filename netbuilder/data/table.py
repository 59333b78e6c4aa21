"""The user's own table: a CSV (comma, tab or semicolon separated) of number features and one label column.

Labels are whole numbers or words; a column of fractions is refused (it is a measurement, not a class).
Messages count as a spreadsheet does: rows from 1 (the header is row 1), columns from 1 or by their header
name; only the ``label_column`` option's number counts from 0 (the design file's format), and messages that
ask for it say so. A missing value (an empty cell, NA, N/A, #N/A, NaN, null, ?) is refused with its rows
named, as a feature and as a label alike: a missing label is no class, and dropping rows silently would
change the data a class learns from without the student seeing it. An empty last column with no header (a
comma at the end of every line, as spreadsheets export) is ignored. UTF-8 (with or without a BOM), UTF-16
(with its BOM) and Windows-1252 files are read. Imports numpy/torch; never Qt.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import torch

from netbuilder.data.bundle import DatasetBundle, DatasetError, make_bundle

DELIMITERS = ("\t", ";", ",")  # when a file reads evenly with several, the first of these wins
SNIFF_LINES = 50
MISSING = frozenset({"", "na", "n/a", "#n/a", "nan", "null", "?"})  # lower case; "none" may be a class
SHOWN = 5  # cells or rows named in one message before "and N more"


def sniff_delimiter(lines: list[str]) -> str:
    """The separator that splits most lines (four in five at least) into the same, largest cell count."""
    best, best_width = ",", 1
    for d in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        if mode > best_width and widths.count(mode) >= 0.8 * len(widths):
            best, best_width = d, mode
    return best


def _number(cell: str, decimal_comma: bool) -> float | None:
    try:
        return float(cell)
    except ValueError:
        pass
    if decimal_comma:
        try:
            return float(cell.replace(",", "."))
        except ValueError:
            pass
    return None


def _class_names(path: Path, raw_labels: list[str], label: str, decimal_comma: bool) -> tuple[list[str], list[str]]:
    """Labels as class names (whole numbers written plainly, sorted by value; or words, sorted)."""
    values = [_number(v, decimal_comma) for v in raw_labels]
    if any(v is None for v in values):
        return raw_labels, sorted(set(raw_labels))
    fractions = [r for r, v in zip(raw_labels, values) if not math.isfinite(v) or v != int(v)]
    if fractions:
        examples = ", ".join(list(dict.fromkeys(fractions))[:3])
        raise DatasetError(f"{path}: the label column {label} holds numbers with fractions ({examples}, ...), "
                           "not classes; a label column must hold whole numbers or words. Name the column "
                           "that holds the classes with the label_column option (--label-column)")
    names = [str(int(v)) for v in values]
    return names, sorted(set(names), key=int)


def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def _cell_text(cell: str) -> str:
    return repr(cell.strip()) if cell.strip() else "an empty cell"


def _and_more(items: list[str]) -> str:
    """'a, b and c', or the first SHOWN of them and how many more."""
    if len(items) > SHOWN:
        return f"{', '.join(items[:SHOWN])} and {len(items) - SHOWN} more"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _index_hint(width: int) -> str:
    """How the 0-based ``label_column`` number maps onto columns counted from 1."""
    return (f"label_column counts from 0: 0 is column 1, {width - 1} is column {width}, -1 is the last")


def _column_name(header: list[str] | None, index: int) -> str:
    """A column as the message names it: its header name, or its number (counted from 1)."""
    if header and index < len(header) and header[index]:
        return f"column {header[index]!r}"
    return f"column {index + 1}"


def _not_a_number(path: Path, row: int, cell: str, value: float | None, column: str) -> str:
    """Why a feature cell is refused: text in a number column (``value`` None), or an infinite number."""
    if value is not None:
        return (f"{path}, row {row}: {column} holds an infinite value ({cell.strip()!r}); every feature "
                "needs a finite number: fix the cell or remove the row")
    return (f"{path}, row {row}: {column} holds text ({cell.strip()!r}), not a number; every column but "
            "the label must hold numbers: remove that column or encode it as numbers")


def _missing_error(path: Path, header: list[str] | None, col: int, cells: list[tuple[int, int, str]],
                   labels: list[tuple[int, str]]) -> str:
    """One line naming the missing feature values (row and column) and the rows whose label is missing."""
    parts = []
    if len(cells) == 1:
        row, i, cell = cells[0]
        what = "an empty cell (a missing value)" if not cell.strip() else f"a missing value ({cell.strip()!r})"
        parts.append(f"row {row}: {what} in {_column_name(header, i)}; fill it in or remove the row (every "
                     "feature needs a number)")
    elif cells:
        shown = _and_more([f"row {r} {_column_name(header, i)} ({_cell_text(c)})" for r, i, c in cells])
        parts.append(f"{len(cells)} missing values: {shown}; fill them in or remove those rows (every "
                     "feature needs a number)")
    if labels:
        values = ", ".join(dict.fromkeys(_cell_text(c) for _, c in labels))
        where = f"in {_column_name(header, col)}"
        if len(labels) == 1:
            parts.append(f"row {labels[0][0]}: the label is missing ({values} {where}); a missing label is "
                         "not a class: fill it in or remove the row")
        else:
            rows = _and_more([str(r) for r, _ in labels])
            parts.append(f"the label is missing in {len(labels)} rows ({rows}: {values} {where}); a missing "
                         "label is not a class: fill them in or remove those rows")
    if len(parts) == 1 and parts[0].startswith("row "):
        return f"{path}, {parts[0]}"
    return f"{path}: " + "; and ".join(parts)


def _drop_empty_last_columns(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Rows without their empty last columns (no header, no value in any row: a comma ending every line)."""
    width = max(len(r) for _, r in rows)
    while width > 1 and all(len(r) < width or not r[width - 1].strip() for _, r in rows):
        width -= 1
    return [(n, r[:width]) for n, r in rows]


def _read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 with its BOM (Excel's "Unicode text"), else
    Windows-1252 (Excel's plain "CSV" on Windows; a UTF-8 BOM before it is left out too)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DatasetError(f"{path}: cannot be read as CSV ({e})") from e
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        tries = [("utf-16", raw)]
    elif b"\0" in raw:
        tries = []  # a binary file (a spreadsheet's own format, a picture...)
    else:
        tries = [("utf-8-sig", raw), ("cp1252", raw.removeprefix(b"\xef\xbb\xbf"))]
    for encoding, data in tries:
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise DatasetError(f"{path}: not a text table (is it a spreadsheet's own file?); save it as CSV "
                       "(CSV UTF-8 in Excel) and open that")


def _label_index(path: Path, label_column: str | int | None, width: int, header: list[str] | None) -> int:
    """The label column's index: the last, a header name, or the option's number (counted from 0)."""
    names = ", ".join(repr(h) for h in header) if header else ""
    if label_column is None:
        return width - 1
    if isinstance(label_column, int) or str(label_column).lstrip("-").isdigit():
        col = int(label_column)
        if not -width <= col < width:
            also = f"; or give the column's header name: {names}" if header else ""
            raise DatasetError(f"{path}: label_column {col} is beyond the table, which has {width} columns "
                               f"({_index_hint(width)}){also}")
        return col % width
    if header and label_column in header:
        return header.index(label_column)
    if not header:
        raise DatasetError(f"{path}: no column named {label_column!r}: the table has no header row; give the "
                           f"column's position instead ({_index_hint(width)})")
    raise DatasetError(f"{path}: no column named {label_column!r}; the columns are {names}")


def load_csv(path: str | Path, *, label_column: str | int | None = None, delimiter: str | None = None,
             val_fraction: float = 0.1, test_fraction: float = 0.15) -> DatasetBundle:
    """A table: numeric feature columns and one label column (a header name, an index counted from 0, or
    the last one).

    The separator (comma, tab or semicolon) is recognised unless ``delimiter`` is given; with tabs or
    semicolons, a decimal comma is read too. A header row is recognised when its feature cells are not
    numbers. A row with a wrong cell count or a non-number feature is named by its row number; missing
    values (features and labels) are named together. Warnings (one class only, a class per row) go to
    ``info["warnings"]``.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    sep = delimiter or sniff_delimiter([x for x in lines if x.strip()][:SNIFF_LINES])
    try:  # numbered as a spreadsheet shows them: one row per record, empty rows counted
        rows = [(n, r) for n, r in enumerate(csv.reader(lines, delimiter=sep), start=1)
                if r and any(c.strip() for c in r)]
    except csv.Error as e:
        raise DatasetError(f"{path}: cannot be read as CSV ({e})") from e
    if not rows:
        raise DatasetError(f"{path}: the table is empty")
    rows = _drop_empty_last_columns(rows)
    decimal_comma = sep != ","
    header = None
    width = len(rows[0][1])

    def words(row: list[str]) -> int:  # text cells; a missing value (NA, ?) is no word
        return sum(_number(c, decimal_comma) is None and not _is_missing(c) for c in row)

    if len(rows) == 1:
        if words(rows[0][1]) == width:
            raise DatasetError(f"{path}: the table has a header row ({', '.join(c.strip() for c in rows[0][1])}) "
                               "but no rows of data; add the rows (at least 10)")
        raise DatasetError(f"{path}: the table has one row only; a dataset needs at least 10")
    if width < 2:
        raise DatasetError(f"{path}: the table has one column only; a table needs feature columns and a label "
                           "column, separated by commas, tabs or semicolons (spaces do not separate columns)")
    if words(rows[0][1]) > words(rows[1][1]):
        header = [c.strip() for c in rows[0][1]]
        rows = rows[1:]
    col = _label_index(path, label_column, width, header)
    features, raw_labels = [], []
    missing: list[tuple[int, int, str]] = []
    missing_labels: list[tuple[int, str]] = []
    for n, row in rows:
        if len(row) != width:
            raise DatasetError(f"{path}, row {n}: {len(row)} cells where the table has {width}; fix the row")
        cells = []
        for i, c in enumerate(row):
            if i == col:
                continue
            v = None if _is_missing(c) else _number(c, decimal_comma)
            if _is_missing(c):
                missing.append((n, i, c))
            elif v is None or not math.isfinite(v):
                raise DatasetError(_not_a_number(path, n, c, v, _column_name(header, i)))
            cells.append(v)
        if _is_missing(row[col]):
            missing_labels.append((n, row[col]))
        features.append(cells)
        raw_labels.append(row[col].strip())
    if missing or missing_labels:
        raise DatasetError(_missing_error(path, header, col, missing, missing_labels))
    if len(features) < 10:
        raise DatasetError(f"{path}: only {len(features)} rows; a dataset needs at least 10")
    label = repr(header[col]) if header else f"(column {col + 1})"
    labels, keys = _class_names(path, raw_labels, label, decimal_comma)
    notes = []
    if len(keys) == 1:
        notes.append(f"{path}: every row has the label {keys[0]!r}, so there is one class only: a model "
                     "can only learn that one answer. Is the label column right? (label_column option)")
    elif len(keys) > max(20, len(labels) // 2):
        notes.append(f"{path}: {len(keys)} classes in {len(labels)} rows; is {_column_name(header, col)} really "
                     "the class? Name another with the label_column option (--label-column)")
    index = {k: i for i, k in enumerate(keys)}
    values = np.asarray(features, np.float64)
    too_large = np.abs(values) > np.finfo(np.float32).max  # 1e39: no 32-bit number
    if too_large.any():
        r, f = (int(v) for v in np.argwhere(too_large)[0])
        i = [i for i in range(width) if i != col][f]
        raise DatasetError(f"{path}, row {rows[r][0]}: {_column_name(header, i)} holds a number too large "
                           f"({rows[r][1][i].strip()!r}); scale that column down")
    x = torch.tensor(values.astype(np.float32))
    y = torch.tensor([index[v] for v in labels])
    names = [n for i, n in enumerate(header) if i != col] if header else None
    info = {"path": str(path), "features": names, "delimiter": sep, "label_column": header[col] if header else col,
            "warnings": notes}
    return make_bundle(path.stem, "table", x, y, keys, source="csv", val_fraction=val_fraction,
                       test_fraction=test_fraction, info=info)
