"""CSV tables are never misread: float labels refused, one class warned about, tabs and semicolons
recognised, labels written as 1.0 taken as the class 1."""

import numpy as np
import pytest
import torch

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError
from netbuilder.data.table import sniff_delimiter


def _rows(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return [(round(float(rng.normal()), 3), round(float(rng.normal()), 3), i % 3) for i in range(n)]


def _all(b):
    return torch.cat([b.x_train, b.x_val, b.x_test]), torch.cat([b.y_train, b.y_val, b.y_test])


def test_a_float_label_column_is_refused_with_a_hint(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "measure.csv"
    path.write_text("a,b,weight\n" + "".join(f"{i % 2},{i},{rng.uniform(0, 3):.2f}\n" for i in range(300)))
    with pytest.raises(DatasetError, match=r"label column 'weight' holds numbers with fractions .*label_column"):
        load_dataset(path)
    b = load_dataset(path, label_column="a")
    assert b.class_names == ["0", "1"] and b.input_shape == (2,)
    path.write_text("".join(f"{i},{i / 10}\n" for i in range(30)))
    with pytest.raises(DatasetError, match=r"label column \(column 2\) holds numbers with fractions \(0.1, 0.2, 0.3, \.\.\.\)"):
        load_dataset(path)


def test_whole_numbers_written_with_a_point_are_classes(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("".join(f"{i},{float(i % 3)}\n" for i in range(30)) + "7,1\n")
    b = load_dataset(path)
    assert b.class_names == ["0", "1", "2"]
    assert b.info["warnings"] == []


def test_a_single_class_is_a_warning(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("x,y,kind\n" + "".join(f"{i},{i * 2},cat\n" for i in range(20)))
    b = load_dataset(path)
    assert b.class_names == ["cat"] and b.num_classes == 1
    assert len(b.info["warnings"]) == 1 and "one class only" in b.info["warnings"][0]
    assert set(_all(b)[1].tolist()) == {0}


def test_a_label_per_row_is_a_warning(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("".join(f"{i % 2},{i}\n" for i in range(60)))
    assert "60 classes in 60 rows" in load_dataset(path).info["warnings"][0]


@pytest.mark.parametrize("sep,suffix", [("\t", ".tsv"), ("\t", ".csv"), (";", ".csv"), (";", ".txt")])
def test_tab_and_semicolon_files_are_recognised(tmp_path, sep, suffix):
    rows = _rows()
    comma = tmp_path / "comma.csv"
    comma.write_text("a,b,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    other = tmp_path / f"other{suffix}"
    decimal = (lambda v: str(v).replace(".", ",")) if sep == ";" else str  # Europe: 1,5;2,25;0
    other.write_text(sep.join(["a", "b", "label"]) + "\n"
                     + "".join(sep.join([decimal(a), decimal(b), str(c)]) + "\n" for a, b, c in rows))
    want, got = load_dataset(comma), load_dataset(other)
    assert got.info["delimiter"] == sep and got.info["features"] == ["a", "b"]
    assert got.class_names == ["0", "1", "2"]
    for w, g in zip(_all(want), _all(got)):
        assert torch.equal(w, g)


def test_sniffing_keeps_commas_inside_quotes_and_tolerates_a_bad_row():
    assert sniff_delimiter(['"a;b",1,2', '"c;d",3,4', '"e",5,6']) == ","
    assert sniff_delimiter(["1\t2\t3"] * 9 + ["1\t2"]) == "\t"
    assert sniff_delimiter(["a b c"]) == ","


def test_csv_split_ignores_the_seed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("".join(f"{a},{b},{c}\n" for a, b, c in _rows(80)))
    a, b = (load_dataset(path, seed=s) for s in (0, 7))
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.y_test, b.y_test)
