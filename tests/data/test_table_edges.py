"""A CSV's rough edges, as a spreadsheet user sees them: rows counted from 1 (the header is row 1) and
columns from 1 or by header name (only the label_column option's number counts from 0, and says so);
missing labels (NA, N/A, ?...) refused with their rows named, never taken as a class; missing or infinite
features named by row and column; a comma ending every line ignored; header-only, one-row and one-class
files, mixed line endings and a BOM each read or give one clear line."""

from __future__ import annotations

import pytest

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError


def _table(tmp_path, cells, header="x,y,label", n=20, end="\n", name="t.csv", encoding="utf-8"):
    """``cells(i)`` gives row i's cells as one string; the file is written as bytes, line ends as given."""
    text = (header + end if header is not None else "") + "".join(cells(i) + end for i in range(n))
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _error(path, **options) -> str:
    with pytest.raises(DatasetError) as e:
        load_dataset(path, **options)
    text = str(e.value)
    assert "\n" not in text
    return text


def _label(i):
    return "ab"[i % 2]


# 1. column numbering -----------------------------------------------------------------------------------


@pytest.mark.parametrize("column", [3, -4])
def test_a_label_column_number_beyond_the_table_counts_columns_from_1(tmp_path, column):
    path = _table(tmp_path, lambda i: f"{i},{i},{_label(i)}")
    text = _error(path, label_column=column)
    assert f"label_column {column} is beyond the table, which has 3 columns" in text
    assert "label_column counts from 0: 0 is column 1, 2 is column 3, -1 is the last" in text
    assert "'x', 'y', 'label'" in text and "numbered 0" not in text


def test_a_column_name_without_a_header_asks_for_its_position_counted_from_1(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},{_label(i)}", header=None)
    text = _error(path, label_column="label")
    assert "no header row" in text and "0 is column 1, 2 is column 3" in text and "(0 to 2" not in text


def test_a_class_per_row_names_the_column_from_1(tmp_path):
    path = _table(tmp_path, lambda i: f"{i % 2},{i}", header=None, n=60)
    assert "is column 2 really the class?" in load_dataset(path).info["warnings"][0]


def test_a_label_column_option_counts_from_0_as_before(tmp_path):
    path = _table(tmp_path, lambda i: f"{_label(i)},{i},{i * 2}", header=None)
    assert load_dataset(path, label_column=0).class_names == ["a", "b"]


# 2. missing labels and features ------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["NA", "N/A", "#N/A", "?", "null", " na "])
def test_a_missing_label_is_no_class_and_its_row_is_named(tmp_path, missing):
    path = _table(tmp_path, lambda i: f"{i},{i},{missing if i == 3 else _label(i)}")
    text = _error(path)
    assert text.startswith(f"{path}, row 5: the label is missing ({missing.strip()!r} in column 'label')")
    assert "a missing label is not a class" in text


def test_missing_labels_among_numbers_are_named_together(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},{'NA' if i in (0, 7) else i % 2}")
    text = _error(path)
    assert "the label is missing in 2 rows (2 and 9: 'NA' in column 'label')" in text


def test_many_missing_labels_are_counted(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},{'?' if i % 3 == 0 else _label(i)}", n=30)
    assert "the label is missing in 10 rows (2, 5, 8, 11, 14 and 5 more: '?' in column 'label')" in _error(path)


def test_a_label_none_is_a_word_not_a_missing_value(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},{'None' if i % 2 else 'Mild'}")
    assert load_dataset(path).class_names == ["Mild", "None"]


@pytest.mark.parametrize("missing", ["NA", "nan", "?"])
def test_a_missing_feature_names_its_row_and_column(tmp_path, missing):
    path = _table(tmp_path, lambda i: f"{i},{missing if i == 3 else i},{_label(i)}")
    text = _error(path)
    assert f"{path}, row 5: a missing value ({missing!r}) in column 'y'; fill it in or remove the row" in text
    assert "holds text" not in text and "NaN or infinite" not in text


def test_missing_features_and_labels_are_named_in_one_line(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{'' if i in (2, 4) else i},{'NA' if i == 7 else _label(i)}")
    text = _error(path)
    assert "2 missing values: row 4 column 'y' (an empty cell) and row 6 column 'y' (an empty cell)" in text
    assert "row 9: the label is missing ('NA' in column 'label')" in text


def test_a_missing_first_row_does_not_hide_the_header(tmp_path):
    path = _table(tmp_path, lambda i: "NA,NA,a" if i == 0 else f"{i},{i},{_label(i)}")
    text = _error(path)
    assert "row 2 column 'x' ('NA') and row 2 column 'y' ('NA')" in text and "holds text" not in text


@pytest.mark.parametrize("cell, what", [("inf", "an infinite value ('inf')"), ("1e39", "a number too large ('1e39')")])
def test_an_infinite_feature_names_its_row_and_column(tmp_path, cell, what):
    path = _table(tmp_path, lambda i: f"{i},{cell if i == 4 else i},{_label(i)}")
    assert f"{path}, row 6: column 'y' holds {what}" in _error(path)


# 3. a comma ending every line --------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["x,y,label,", "x,y,label", None], ids=["header too", "rows only", "no header"])
def test_a_comma_ending_every_line_is_ignored(tmp_path, header):
    path = _table(tmp_path, lambda i: f"{i},{i * 2},{_label(i)},", header=header)
    b = load_dataset(path)
    assert b.class_names == ["a", "b"] and b.input_shape == (2,)
    assert b.info["features"] == (None if header is None else ["x", "y"])


def test_a_semicolon_ending_every_line_is_ignored(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},5;{i};{_label(i)};", header="x;y;label;")
    b = load_dataset(path)
    assert b.info["features"] == ["x", "y"] and b.class_names == ["a", "b"]


def test_an_empty_label_before_the_ending_comma_is_still_missing(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},{'' if i == 3 else _label(i)},", header="x,y,label,")
    assert "row 5: the label is missing (an empty cell in column 'label')" in _error(path)


# other edges -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["x,y,label\n", "x,y,label,\r\n", "\ufeffx,y,label\r\n"])
def test_a_header_only_file_says_so(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    assert _error(path) == (f"{path}: the table has a header row (x, y, label) but no rows of data; add the "
                            "rows (at least 10)")


def test_a_single_row_says_so(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("1,2,3\n")
    assert _error(path) == f"{path}: the table has one row only; a dataset needs at least 10"


def test_one_class_only_reads_with_a_one_line_warning(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},cat,")
    warnings = load_dataset(path).info["warnings"]
    assert len(warnings) == 1 and "one class only" in warnings[0] and "\n" not in warnings[0]


def test_mixed_line_endings_are_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"x,y,label\r\n" + b"".join(f"{i},{i},{_label(i)}".encode() + (b"\r\n", b"\n", b"\r")[i % 3]
                                                 for i in range(20)))
    b = load_dataset(path)
    assert b.info["features"] == ["x", "y"] and sum(b.sizes().values()) == 20


def test_a_bom_with_windows_line_ends_and_an_ending_comma_is_read(tmp_path):
    path = _table(tmp_path, lambda i: f"{i},{i},{_label(i)},", header="\ufeffx,y,label,", end="\r\n")
    b = load_dataset(path)
    assert b.info["features"] == ["x", "y"] and b.class_names == ["a", "b"]


def test_a_utf8_bom_before_windows_1252_text_is_left_out(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfx,gr\xf6\xdfe,label\n" + "".join(f"{i},{i},{_label(i)}\n"
                                                                    for i in range(20)).encode())
    assert load_dataset(path).info["features"] == ["x", "größe"]
