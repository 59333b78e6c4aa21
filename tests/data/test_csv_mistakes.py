"""A teacher's CSV as it comes out of real tools: a header and no rows yet, missing labels (an empty cell,
NaN), one column only (or columns split by spaces), a label column number beyond the table, and Excel's
own encodings (Windows-1252, UTF-16). Each gives one message naming the file and what to do, or reads."""

import pytest

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError


def _write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


ROWS = "".join(f"{i},{i * 2},{'a' if i % 2 else 'b'}\n" for i in range(20))


def test_a_header_without_rows_says_so(tmp_path):
    path = _write(tmp_path / "t.csv", "x,y,label\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    text = str(info.value)
    assert str(path) in text and "header" in text and "no rows" in text and "holds text" not in text


@pytest.mark.parametrize("missing", ["", "nan", "NaN"])
def test_a_missing_label_is_named_by_its_line(tmp_path, missing):
    path = _write(tmp_path / "t.csv", "x,y,label\n" + "".join(
        f"{i},{i},{missing if i == 3 else i % 2}\n" for i in range(20)))
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    text = str(info.value)
    assert f"{path}, row 5" in text and "label" in text and "missing" in text and "fractions" not in text


@pytest.mark.parametrize("text", ["label\n" + "".join(f"{i % 2}\n" for i in range(20)),
                                  "x y label\n" + "".join(f"{i} {i} {i % 2}\n" for i in range(20))],
                         ids=["label only", "spaces"])
def test_a_table_of_one_column_is_refused(tmp_path, text):
    path = _write(tmp_path / "t.csv", text)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    message = str(info.value)
    assert str(path) in message and "one column" in message and "comma" in message


@pytest.mark.parametrize("column", [3, 7, -4])
def test_a_label_column_number_beyond_the_table_is_refused(tmp_path, column):
    path = _write(tmp_path / "t.csv", "x,y,label\n" + ROWS)
    with pytest.raises(DatasetError) as info:
        load_dataset(path, label_column=column)
    assert str(path) in str(info.value) and "3 columns" in str(info.value)
    assert load_dataset(path, label_column=-1).class_names == ["a", "b"]


def test_a_column_name_in_a_table_without_a_header_says_so(tmp_path):
    path = _write(tmp_path / "t.csv", ROWS)
    with pytest.raises(DatasetError, match="no header row"):
        load_dataset(path, label_column="label")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_excel_encodings_are_read(tmp_path, encoding):
    path = _write(tmp_path / "t.csv", "größe,höhe,Klasse\n" + ROWS.replace("a", "é"), encoding)
    b = load_dataset(path)
    assert b.info["features"] == ["größe", "höhe"] and b.class_names == ["b", "é"]
