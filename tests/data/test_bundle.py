"""The bundle's contract: preprocessing() as plain values that reproduce normalize(), and labels outside
the class range of IDX and CIFAR files named along with their file."""

import gzip
import json

import numpy as np
import pytest
import torch

from netbuilder.data import load_dataset
from netbuilder.data.bundle import DatasetError, split_indices
from netbuilder.data.standard import MNIST_FILES, STANDARD


def _check_preprocessing(b, kind):
    p = b.preprocessing()
    assert json.loads(json.dumps(p)) == p
    assert set(p) == {"scale", "mean", "std", "kind", "input_shape", "class_names"}
    assert p["kind"] == kind and p["input_shape"] == list(b.input_shape) and p["class_names"] == b.class_names
    per = b.input_shape[0] if kind == "image" else int(np.prod(b.input_shape))
    assert len(p["mean"]) == len(p["std"]) == per and all(isinstance(v, float) for v in p["mean"] + p["std"])
    raw = b.x_test[:5] if b.x_test is not None else torch.stack([b.train_set[i][0] for i in range(3)])
    shape = (-1, 1, 1) if kind == "image" else (-1,)
    x = raw.to(torch.float64) * p["scale"]
    want = (x - torch.tensor(p["mean"], dtype=torch.float64).view(shape)) / torch.tensor(p["std"]).view(shape)
    assert torch.allclose(b.normalize(raw).to(torch.float64), want, atol=1e-5)
    assert not torch.allclose(want, x)  # the normalisation really does something


def test_preprocessing_reproduces_normalize_for_every_kind(tmp_path):
    _check_preprocessing(load_dataset("shapes", samples=60, color=True), "image")
    digits = load_dataset("digits")
    assert digits.preprocessing()["scale"] == 1 / 16
    _check_preprocessing(digits, "image")
    _check_preprocessing(load_dataset("circle", samples=100), "points")
    path = tmp_path / "t.csv"
    path.write_text("".join(f"{i * 3},{i % 5 - 2},{i % 2}\n" for i in range(40)))
    _check_preprocessing(load_dataset(path), "table")
    from PIL import Image

    for c, v in (("a", (200, 10, 10)), ("b", (10, 10, 90))):
        (tmp_path / "img" / c).mkdir(parents=True)
        for i in range(8):
            Image.new("RGB", (6, 5), (v[0], v[1] + 10 * i, v[2])).save(tmp_path / "img" / c / f"{i}.png")
    b = load_dataset(tmp_path / "img", num_workers=0)
    assert b.input_shape == (3, 5, 6)
    _check_preprocessing(b, "image")


def test_split_indices_default_to_a_fixed_seed():
    assert all(torch.equal(a, b) for a, b in zip(split_indices(50, 0.1, 0.2), split_indices(50, 0.1, 0.2)))


def _write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_idx_labels_outside_the_classes_are_named_with_their_file(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    train_labels = np.arange(30) % 10
    train_labels[17] = 12
    arrays = [rng.integers(0, 256, (30, 28, 28)), train_labels, rng.integers(0, 256, (10, 28, 28)), np.arange(10)]
    for name, a in zip(MNIST_FILES, arrays):
        _write_idx(folder / name, a)
    with pytest.raises(DatasetError) as err:
        load_dataset("mnist", data_dir=tmp_path, download=False)
    assert str(err.value) == (f"{folder / MNIST_FILES[1]}: label 12 (item 17) is outside the 10 classes, 0 to 9; "
                              "the file is damaged or belongs to another dataset")
    train_labels[17] = 3
    test_labels = np.arange(10)
    test_labels[[2, 5]] = 200
    _write_idx(folder / MNIST_FILES[1], train_labels)
    _write_idx(folder / MNIST_FILES[3], test_labels)
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte.gz: label 200 \(item 2\).*and 1 more labels"):
        load_dataset("mnist", data_dir=tmp_path, download=False)
    _write_idx(folder / MNIST_FILES[3], np.arange(10))
    assert load_dataset("mnist", data_dir=tmp_path, download=False).sizes()["test"] == 10


def test_cifar_labels_outside_the_classes_are_named_with_their_file(tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        labels = np.arange(4)[:, None] + (7 if name == "data_batch_3.bin" else 0)  # 7, 8, 9, 10
        records = np.concatenate([labels, rng.integers(0, 256, (4, 3072))], 1)
        (folder / name).write_bytes(records.astype(np.uint8).tobytes())
    with pytest.raises(DatasetError, match=r"data_batch_3.bin: label 10 \(item 3\) is outside the 10 classes"):
        load_dataset("cifar10", data_dir=tmp_path, download=False)
    assert STANDARD["cifar10"].input_shape == (3, 32, 32)
