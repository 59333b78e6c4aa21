"""The user's own table: a CSV (comma, tab or semicolon separated) of number features and one label column.

Labels are whole numbers or words; a column of fractions is refused (it is a measurement, not a class).
Bad rows (and missing labels) are named by their line number. UTF-8, UTF-16 (with its BOM) and Windows-1252
files are read. Imports numpy/torch; never Qt.
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


def _column_name(header: list[str] | None, index: int) -> str:
    """A column as the message names it: its header name, or its number (counted from 1)."""
    if header and index < len(header) and header[index]:
        return f"column {header[index]!r}"
    return f"column {index + 1}"


def _not_a_number(path: Path, line: int, cell: str, column: str) -> str:
    """Why a feature cell is refused: an empty cell (a missing value), or text in a number column."""
    if not cell.strip():
        return (f"{path}, line {line}: an empty cell (a missing value) in {column}; fill it in or remove "
                "the row (every feature needs a number)")
    return (f"{path}, line {line}: {column} holds text ({cell.strip()!r}), not a number; every column but "
            "the label must hold numbers: remove that column or encode it as numbers")


def _read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 with its BOM (Excel's "Unicode text"), else
    Windows-1252 (Excel's plain "CSV" on Windows)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DatasetError(f"{path}: cannot be read as CSV ({e})") from e
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif b"\0" in raw:
        encodings = []  # a binary file (a spreadsheet's own format, a picture...)
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DatasetError(f"{path}: not a text table (is it a spreadsheet's own file?); save it as CSV "
                       "(CSV UTF-8 in Excel) and open that")


def load_csv(path: str | Path, *, label_column: str | int | None = None, delimiter: str | None = None,
             val_fraction: float = 0.1, test_fraction: float = 0.15) -> DatasetBundle:
    """A table: numeric feature columns and one label column (named, an index, or the last one).

    The separator (comma, tab or semicolon) is recognised unless ``delimiter`` is given; with tabs or
    semicolons, a decimal comma is read too. A header row is recognised when its feature cells are not
    numbers. A row with a wrong cell count or a non-number feature is named by its line number.
    Warnings (one class only, a class per row) go to ``info["warnings"]``.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    sep = delimiter or sniff_delimiter([x for x in lines if x.strip()][:SNIFF_LINES])
    try:
        rows = [(n, r) for n, r in enumerate(csv.reader(lines, delimiter=sep), start=1)
                if r and any(c.strip() for c in r)]
    except csv.Error as e:
        raise DatasetError(f"{path}: cannot be read as CSV ({e})") from e
    if not rows:
        raise DatasetError(f"{path}: the table is empty")
    decimal_comma = sep != ","
    header = None
    width = len(rows[0][1])

    def words(row: list[str]) -> int:
        return sum(_number(c, decimal_comma) is None for c in row)

    if len(rows) == 1 and words(rows[0][1]) == width:
        raise DatasetError(f"{path}: the table has a header row ({', '.join(c.strip() for c in rows[0][1])}) but no "
                           "rows of data; add the rows (at least 10)")
    if width < 2:
        raise DatasetError(f"{path}: the table has one column only; a table needs feature columns and a label "
                           "column, separated by commas, tabs or semicolons (spaces do not separate columns)")
    if len(rows) > 1 and words(rows[0][1]) > words(rows[1][1]):
        header = [c.strip() for c in rows[0][1]]
        rows = rows[1:]
    if label_column is None:
        col = width - 1
    elif isinstance(label_column, int) or str(label_column).lstrip("-").isdigit():
        col = int(label_column)
        if not -width <= col < width:
            raise DatasetError(f"{path}: no column {col}; the table has {width} columns, numbered 0 to {width - 1} "
                               "(or -1 for the last)")
        col %= width
    elif header and label_column in header:
        col = header.index(label_column)
    elif not header:
        raise DatasetError(f"{path}: no column named {label_column!r}: the table has no header row; give the "
                           f"column's number instead (0 to {width - 1}, or -1 for the last)")
    else:
        raise DatasetError(f"{path}: no column named {label_column!r}; columns are {', '.join(header)}")
    features, raw_labels = [], []
    for line, row in rows:
        if len(row) != width:
            raise DatasetError(f"{path}, line {line}: {len(row)} cells where the table has {width}; fix the row")
        cells = [_number(c, decimal_comma) for i, c in enumerate(row) if i != col]
        if any(c is None for c in cells):
            i = next(i for i, c in enumerate(row) if i != col and _number(c, decimal_comma) is None)
            raise DatasetError(_not_a_number(path, line, row[i], _column_name(header, i)))
        label_cell = row[col].strip()
        if not label_cell or label_cell.lower() == "nan":
            raise DatasetError(f"{path}, line {line}: the label is missing ({label_cell or 'an empty cell'} in "
                               f"{_column_name(header, col)}); fill it in or remove the row")
        features.append(cells)
        raw_labels.append(label_cell)
    if len(features) < 10:
        raise DatasetError(f"{path}: only {len(features)} rows; a dataset needs at least 10")
    label = repr(header[col]) if header else f"(column {col + 1})"
    labels, keys = _class_names(path, raw_labels, label, decimal_comma)
    notes = []
    if len(keys) == 1:
        notes.append(f"{path}: every row has the label {keys[0]!r}, so there is one class only: a model "
                     "can only learn that one answer. Is the label column right? (label_column option)")
    elif len(keys) > max(20, len(labels) // 2):
        notes.append(f"{path}: {len(keys)} classes in {len(labels)} rows; is {label} really the class? "
                     "Name another with the label_column option (--label-column)")
    index = {k: i for i, k in enumerate(keys)}
    x = torch.tensor(np.asarray(features, np.float32))
    y = torch.tensor([index[v] for v in labels])
    if not torch.isfinite(x).all():
        bad = int(torch.nonzero(~torch.isfinite(x).all(dim=1))[0, 0])
        raise DatasetError(f"{path}, line {rows[bad][0]}: a feature is NaN or infinite; fix the row")
    names = [n for i, n in enumerate(header) if i != col] if header else None
    info = {"path": str(path), "features": names, "delimiter": sep, "label_column": header[col] if header else col,
            "warnings": notes}
    return make_bundle(path.stem, "table", x, y, keys, source="csv", val_fraction=val_fraction,
                       test_fraction=test_fraction, info=info)
