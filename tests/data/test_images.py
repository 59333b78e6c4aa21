"""Image folders are never misread: colour and size kept (and the reason recorded), every file checked
up front with progress, decompression bombs refused in one line, 16-bit and float images scaled."""

from pathlib import Path

import numpy as np
import pytest

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError
from netbuilder.data.images import check_header, decode_image

Image = pytest.importorskip("PIL.Image")


def _folder(root: Path, sizes=((20, 14),) * 6, mode="RGB") -> Path:
    """Two classes, red and blue (or dark and light when grey); ``sizes`` are (width, height) per image."""
    for c, colour in (("blue", (10, 20, 230)), ("red", (220, 30, 10))):
        (root / c).mkdir(parents=True)
        for i, size in enumerate(sizes):
            fill = colour if mode == "RGB" else colour[0]
            Image.new(mode, size, fill).save(root / c / f"{i}.png")
    return root


def test_colour_folder_stays_rgb_at_the_size_of_most_images(tmp_path):
    root = _folder(tmp_path / "imgs", sizes=[(20, 14)] * 6 + [(9, 30)])
    b = load_dataset(root, num_workers=0)
    assert b.input_shape == (3, 14, 20)
    assert b.info["input_shape_reason"] == "3×14×20: the size of most images (12 of 14); RGB"
    x, y = b.train_set[0]
    assert x.shape == (3, 14, 20)
    red = x[:, 0, 0].tolist() if b.class_names[y] == "red" else x[[2, 1, 0], 0, 0].tolist()
    assert red[0] > 200 and red[1] < 60 and red[2] < 60  # the colour is kept
    assert b.mean.shape == (3, 1, 1) and b.samples.shape[1:] == (3, 14, 20)


def test_grey_folder_has_one_channel_and_options_override(tmp_path):
    root = _folder(tmp_path / "grey", mode="L")
    b = load_dataset(root, num_workers=0)
    assert b.input_shape == (1, 14, 20) and "every image is greyscale" in b.info["input_shape_reason"]
    assert "all 12 images" in b.info["input_shape_reason"]
    b = load_dataset(root, num_workers=0, image_size="16,12", channels=3)
    assert b.input_shape == (3, 16, 12) and b.train_set[0][0].shape == (3, 16, 12)
    assert b.info["input_shape_reason"] == "3×16×12: the size asked for; RGB as asked"
    assert load_dataset(root, num_workers=0, image_size=(8, 10)).input_shape == (1, 8, 10)
    with pytest.raises(DatasetError, match="image size"):
        load_dataset(root, image_size="big")
    with pytest.raises(DatasetError, match="channels"):
        load_dataset(root, channels=2)
    # one colour image among grey ones makes the folder RGB
    Image.new("RGB", (20, 14), (200, 0, 0)).save(root / "blue" / "colour.png")
    b = load_dataset(root, num_workers=0)
    assert b.input_shape == (3, 14, 20) and "1 of 13 images have colour" in b.info["input_shape_reason"]


def test_every_bad_file_is_named_in_one_message_before_training(tmp_path):
    root = _folder(tmp_path / "imgs", sizes=[(20, 14)] * 20)
    good = (root / "red" / "0.png").read_bytes()
    bad = [root / "red" / "cut.png", root / "blue" / "text.png", root / "blue" / "zero.jpg", root / "red" / "cut.jpg"]
    bad[0].write_bytes(good[: len(good) // 2])  # a header that opens, with its data cut short
    bad[1].write_text("not an image")
    bad[2].write_bytes(b"")
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(tmp_path / "a.jpg")
    bad[3].write_bytes((tmp_path / "a.jpg").read_bytes()[:3000])
    assert check_header(tmp_path / "a.jpg") == (64, 64, "RGB")  # the whole JPEG passes
    calls = []
    with pytest.raises(DatasetError) as err:
        load_dataset(root, progress=lambda text, fraction: calls.append((text, fraction)))
    text = str(err.value)
    assert "4 of 44 files are not readable images" in text and "\n" not in text and "skip_bad" in text
    assert all(str(p) in text for p in bad)  # wherever the split would have put them
    assert calls[0] == ("checking 44 image files", 0.0) and calls[-1] == ("checked 44 of 44 image files", 1.0)
    assert all(0 <= f <= 1 for _, f in calls) and len(calls) <= 25

    b = load_dataset(root, skip_bad=True, num_workers=0)
    assert sum(b.sizes().values()) == 40
    assert sorted(s.split(": ")[0] for s in b.info["skipped"]) == sorted(str(p) for p in bad)
    assert all(": " in s for s in b.info["skipped"]) and b.info["warnings"] == []


def test_many_bad_files_are_counted_and_the_first_ten_named(tmp_path):
    root = _folder(tmp_path / "imgs", sizes=[(8, 8)] * 2)
    for i in range(14):
        (root / "red" / f"bad{i:02}.png").write_bytes(b"nope")
    with pytest.raises(DatasetError, match=r"14 of 18 files .*bad09.png: not an image.*; and 4 more;") as err:
        load_dataset(root)
    assert "bad10.png" not in str(err.value)
    (root / "blue" / "0.png").write_bytes(b"nope")
    (root / "blue" / "1.png").write_bytes(b"nope")
    with pytest.raises(DatasetError, match="without a readable image: blue"):
        load_dataset(root, skip_bad=True)


def test_decompression_bombs_get_one_line_naming_the_file(tmp_path, monkeypatch):
    root = _folder(tmp_path / "imgs")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    bomb = root / "red" / "bomb.png"
    Image.new("L", (100, 100)).save(bomb)  # 10,000 pixels: over twice the limit, Pillow's error
    with pytest.raises(DatasetError) as err:
        load_dataset(root)
    text = str(err.value)
    assert text.startswith(f"{bomb}: 10,000 pixels, over Pillow's safety limit of 1,000") and "\n" not in text
    assert "decompression bomb" in text
    bomb.rename(tmp_path / "bomb.png")
    bomb = tmp_path / "bomb.png"
    Image.new("L", (40, 40)).save(root / "red" / "big.png")  # 1,600 pixels: Pillow only warns
    with pytest.raises(DatasetError, match="big.png: 1,600 pixels, over Pillow's safety limit"):
        load_dataset(root)
    with pytest.raises(DatasetError, match="bomb.png: not a readable image .10,000 pixels"):
        decode_image(bomb, (8, 8), 1)


def test_sixteen_bit_and_float_images_are_scaled_by_their_range(tmp_path):
    ramp16 = np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)
    Image.fromarray(ramp16).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    x = decode_image(tmp_path / "deep.png", (64, 64), 1)[0].astype(int)
    assert abs(x - np.linspace(0, 255, 64 * 64).reshape(64, 64)).max() <= 1
    assert decode_image(tmp_path / "deep.png", (64, 64), 3).shape == (3, 64, 64)

    wide = np.linspace(-3, 5, 64 * 64, dtype=np.float32).reshape(64, 64)
    Image.fromarray(wide, "F").save(tmp_path / "wide.tif")
    x = decode_image(tmp_path / "wide.tif", (64, 64), 1)[0].astype(int)
    assert x.min() == 0 and x.max() == 255 and abs(int(x[32, 0]) - 128) <= 2

    unit = np.full((16, 16), 0.25, np.float32)
    Image.fromarray(unit, "F").save(tmp_path / "unit.tif")
    assert set(decode_image(tmp_path / "unit.tif", (16, 16), 1).ravel().tolist()) == {64}

    root = tmp_path / "folder"
    for c, value in (("dim", 1000), ("bright", 60000)):
        (root / c).mkdir(parents=True)
        for i in range(6):
            Image.fromarray(np.full((10, 12), value + i, np.uint16)).save(root / c / f"{i}.png")
    b = load_dataset(root, num_workers=0)
    assert b.input_shape == (1, 10, 12)
    x, y = b.train_set[0]
    assert int(x[0, 0, 0]) == (4 if b.class_names[y] == "dim" else 233)


def test_folder_split_ignores_the_seed(tmp_path):
    root = _folder(tmp_path / "imgs", sizes=[(8, 8)] * 20)
    a, b = (load_dataset(root, seed=s, num_workers=0) for s in (1, 99))
    assert a.test_set.files == b.test_set.files and a.val_set.files == b.val_set.files
    assert len(a.test_set) > 0
