"""A teacher's image folder as it reaches a student: zipped on a Mac (``__MACOSX``), unpacked into one folder
more, laid out as train/val/test folders of classes, with an empty class folder. Never a silent misreading:
either it loads as meant, or one message names the folder and says what to do."""

import pytest

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError

PIL = pytest.importorskip("PIL.Image")


def _classes(root, names=("cats", "dogs"), n=4):
    for c, name in enumerate(names):
        (root / name).mkdir(parents=True)
        for i in range(n):
            PIL.new("RGB", (8, 8), (40 + 150 * c, 60, i)).save(root / name / f"{i}.png")
    return root


def test_a_folder_zipped_on_a_mac_loads_without_its_macosx_folder(tmp_path):
    root = _classes(tmp_path / "pets")
    for name in ("cats", "dogs"):  # what unzipping a Finder zip leaves beside the classes
        (root / "__MACOSX" / name).mkdir(parents=True)
        (root / "__MACOSX" / name / "._0.png").write_bytes(b"\0\5\26\7 resource fork")
    b = load_dataset(root, num_workers=0)
    assert b.class_names == ["cats", "dogs"] and b.info["checked"] == 8


def test_train_val_test_folders_are_not_taken_as_classes(tmp_path):
    root = tmp_path / "pets"
    for part in ("train", "val", "test"):
        _classes(root / part)
    with pytest.raises(DatasetError) as info:
        load_dataset(root, num_workers=0)
    text = str(info.value)
    assert str(root) in text and str(root / "train") in text and "classes" in text


def test_one_folder_too_many_names_the_folder_to_open(tmp_path):
    outer = tmp_path / "unzipped"
    _classes(outer / "pets")
    with pytest.raises(DatasetError) as info:
        load_dataset(outer, num_workers=0)
    assert str(outer / "pets") in str(info.value) and "open" in str(info.value)


def test_an_empty_class_folder_says_what_to_do(tmp_path):
    root = _classes(tmp_path / "pets")
    (root / "birds").mkdir()
    with pytest.raises(DatasetError) as info:
        load_dataset(root, num_workers=0)
    text = str(info.value)
    assert str(root) in text and "birds" in text and "add images" in text and "remove" in text
