"""The user's own data: CSV tables and image folders, with bad rows and corrupt images named."""

from pathlib import Path

import numpy as np
import pytest
import torch

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError

PIL = pytest.importorskip("PIL.Image")


def test_csv_with_header_and_named_label_column(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["species,a,b,c"] + [f"{'cat' if i % 2 else 'dog'},{rng.normal():.3f},{i % 2},{rng.normal():.3f}"
                                for i in range(40)]
    path = tmp_path / "pets.csv"
    path.write_text("\n".join(rows) + "\n")
    b = load_dataset(path, label_column="species", seed=0)
    assert b.class_names == ["cat", "dog"] and b.input_shape == (3,)
    assert b.info["features"] == ["a", "b", "c"]
    # feature b equals the label (cat=1 -> class 0)
    x = torch.cat([b.x_train, b.x_val, b.x_test])
    y = torch.cat([b.y_train, b.y_val, b.y_test])
    assert torch.equal(x[:, 1] == 1, y == 0)


def test_csv_label_defaults_to_last_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("".join(f"{i},{i * 2},{i % 3}\n" for i in range(30)))
    b = load_dataset(path)
    assert b.class_names == ["0", "1", "2"] and b.input_shape == (2,)


def test_csv_bad_row_is_named_by_line(tmp_path):
    path = tmp_path / "bad.csv"
    lines = ["x,y,label"] + [f"{i},{i},{i % 2}" for i in range(20)]
    lines[7] = "3,oops,1"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"bad.csv, row 8: column .y. holds text"):
        load_dataset(path)
    lines[7] = "3,1"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"row 8: 2 cells where the table has 3"):
        load_dataset(path)


def _image_folder(root, n=6, size=(20, 14)):
    for c, colour in (("dark", 30), ("light", 220)):
        (root / c).mkdir(parents=True)
        for i in range(n):
            PIL.new("RGB", size, (colour, colour, colour + i)).save(root / c / f"{i}.png")
    return root


def test_image_folder_is_resized_to_the_chosen_size_and_mode(tmp_path):
    b = load_dataset(_image_folder(tmp_path / "imgs"), size=16, color=True, num_workers=0)
    assert b.streamed and b.class_names == ["dark", "light"] and b.input_shape == (3, 16, 16)
    x, y = b.train_set[0]
    assert x.shape == (3, 16, 16) and x.dtype == torch.uint8 and y in (0, 1)
    assert sum(b.sizes().values()) == 12
    assert b.samples.shape[1:] == (3, 16, 16)


def test_corrupt_image_is_named_before_training_and_in_the_worker(tmp_path):
    root = _image_folder(tmp_path / "imgs")
    bad = root / "dark" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    with pytest.raises(DatasetError, match=r"broken.png: not an image file, or a damaged one: PNG, JPEG.* are read; remove or replace it"):
        load_dataset(root, size=8, num_workers=0, val_fraction=0, test_fraction=0)
    b = load_dataset(root, size=8, num_workers=0, val_fraction=0, test_fraction=0, skip_bad=True)
    assert str(bad) not in b.train_set.files and len(b.train_set) == 12
    # a file spoiled after the check is still named by the worker, through a negative label
    spoiled = b.train_set.files[3]
    Path(spoiled).write_bytes(b"garbage")
    assert b.train_set[3][1] == -1 - 3
    from netbuilder.data.user import decode_image

    with pytest.raises(DatasetError, match="broken.png: not a readable image"):
        decode_image(bad, (8, 8), 1)


def test_folder_needs_class_subfolders(tmp_path):
    (tmp_path / "only").mkdir()
    with pytest.raises(DatasetError, match="one sub-folder per class"):
        load_dataset(tmp_path)


def test_a_folder_of_very_few_images_says_what_it_cannot_measure(tmp_path):
    from netbuilder.data.user import load_image_folder

    _image_folder(tmp_path / "pets", n=1)  # one image per class: nothing to set aside, nothing to learn
    notes = load_image_folder(tmp_path / "pets").info["warnings"]
    assert any("validation and test parts are empty" in n for n in notes)
    assert any("class folders" in n and "one image only" in n for n in notes)
    _image_folder(tmp_path / "more", n=20)
    assert load_image_folder(tmp_path / "more").info["warnings"] == []
