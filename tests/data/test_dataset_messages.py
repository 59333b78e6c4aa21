"""What a table or a dataset path that cannot be loaded says: the column of a text cell (and to remove or
encode it), an empty cell as a missing value, and a path that does not exist as a missing folder or file."""

from __future__ import annotations

import pytest

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError


def _rows(n: int = 20) -> list[str]:
    return [f"{i * 0.5},{i % 7},{'a' if i % 2 else 'b'}" for i in range(n)]


def test_a_text_column_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text("petal,colour,species\n" + "\n".join(f"{i}.5,{'red' if i % 2 else 'blue'},s{i % 2}"
                                                          for i in range(20)) + "\n")
    with pytest.raises(DatasetError) as e:
        load_dataset(path)
    text = str(e.value)
    assert "row 2" in text and "column 'colour'" in text and "'blue'" in text
    assert "remove that column or encode it" in text and "a feature is not a number" not in text


def test_a_text_column_without_a_header_is_named_by_its_number(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(_rows()[:5] + ["1.0,blue,a"] + _rows()[5:]) + "\n")
    with pytest.raises(DatasetError, match=r"row 6: column 2 holds text \('blue'\)"):
        load_dataset(path)


def test_an_empty_cell_is_a_missing_value_in_its_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("x,y,label\n" + "\n".join(_rows()[:3] + ["1.0,,a"] + _rows()[3:]) + "\n")
    with pytest.raises(DatasetError) as e:
        load_dataset(path)
    text = str(e.value)
    assert "row 5: an empty cell (a missing value) in column 'y'" in text and "('')" not in text


@pytest.mark.parametrize("name, what", [("{tmp}/does_not_exist", "folder or file"), ("{tmp}/nope.csv", "file"),
                                        ("my_data.csv", "file"), ("data\\pets", "folder or file")])
def test_a_missing_path_is_said_to_not_exist(tmp_path, name, what):
    with pytest.raises(DatasetError) as e:
        load_dataset(name.format(tmp=tmp_path))
    text = str(e.value)
    assert f"this {what} does not exist" in text and "no dataset called" not in text


def test_an_unknown_name_still_lists_the_datasets():
    with pytest.raises(DatasetError, match="no dataset called 'imagenet'; built-in and standard sets are"):
        load_dataset("imagenet")
