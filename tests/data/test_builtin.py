"""Built-in datasets: shapes, sizes, splits fixed by the dataset, normalisation on the training part."""

import numpy as np
import pytest
import torch

from netbuilder.data import list_datasets, load_dataset
from netbuilder.data.builtin import SHAPE_CLASSES, playground_points, shapes_arrays
from netbuilder.data.bundle import DatasetError


@pytest.mark.parametrize("kind", ["circle", "xor", "gaussian", "spiral"])
def test_playground_sets_are_balanced_two_class_points(kind):
    b = load_dataset(kind, samples=400, noise=0.1, train_ratio=0.6, seed=3)
    assert b.input_shape == (2,) and b.num_classes == 2
    sizes = b.sizes()
    assert sum(sizes.values()) == 400 and sizes["test"] == 160
    labels = torch.cat([b.y_train, b.y_val, b.y_test])
    assert 0.35 < labels.float().mean() < 0.65


def test_playground_circle_labels_follow_the_radius_without_noise():
    pts, labels = playground_points("circle", 300, 0.0, 1)
    radius = np.hypot(pts[:, 0], pts[:, 1])
    assert (labels == (radius < 2.5)).all()


def test_playground_noise_out_of_range_is_a_clear_error():
    with pytest.raises(DatasetError, match="noise"):
        load_dataset("xor", noise=2.0)


def test_shapes_are_seeded_and_labelled_as_drawn():
    a, la = shapes_arrays(60, seed=5)
    b, lb = shapes_arrays(60, seed=5)
    c, _ = shapes_arrays(60, seed=6)
    assert a.dtype == np.uint8 and a.shape == (60, 1, 28, 28)
    assert (a == b).all() and (la == lb).all() and not (a == c).all()
    assert set(la.tolist()) == set(range(len(SHAPE_CLASSES)))
    # a filled square covers more pixels than a thin cross of the same size, on average
    bright = (a[:, 0] > 140).sum(axis=(1, 2))
    assert bright[la == SHAPE_CLASSES.index("square")].mean() > bright[la == SHAPE_CLASSES.index("cross")].mean()


def test_shapes_rgb_option_and_normalisation_from_train_part():
    b = load_dataset("shapes", samples=240, color=True, seed=1)
    assert b.input_shape == (3, 28, 28) and b.mean.shape == (3, 1, 1)
    x = b.normalize(b.x_train)
    assert torch.allclose(x.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-4)
    assert torch.allclose(x.std(dim=(0, 2, 3)), torch.ones(3), atol=1e-3)
    assert b.samples.shape[1:] == (3, 28, 28) and 0 <= b.samples.min() and b.samples.max() <= 1


def test_digits_are_the_real_uci_set():
    b = load_dataset("digits")
    sizes = b.sizes()
    assert sum(sizes.values()) == 1797 and b.input_shape == (1, 8, 8)
    assert int(b.x_train.max()) == 16 and b.scale == 1 / 16
    assert sorted(set(torch.cat([b.y_train, b.y_val, b.y_test]).tolist())) == list(range(10))


@pytest.mark.parametrize("name", ["digits", "circle", "shapes"])
def test_split_depends_on_the_dataset_never_on_the_seed(name):
    options = {"samples": 120} if name == "shapes" else {}
    a, b = (load_dataset(name, seed=s, **options) for s in (1, 12345))
    for part in ("train", "val", "test"):
        assert torch.equal(getattr(a, f"x_{part}"), getattr(b, f"x_{part}"))
        assert torch.equal(getattr(a, f"y_{part}"), getattr(b, f"y_{part}"))
    assert a.sizes()["test"] > 0


def test_list_datasets_names_every_set():
    names = {d.name: d for d in list_datasets()}
    assert {"circle", "xor", "gaussian", "spiral", "shapes", "digits", "mnist", "fashion_mnist", "kmnist",
            "cifar10"} <= set(names)
    assert names["cifar10"].input_shape == (3, 32, 32) and names["digits"].available


def test_unknown_dataset_and_option_are_clear_errors():
    with pytest.raises(DatasetError, match="no dataset called"):
        load_dataset("imagenet-1k")
    with pytest.raises(DatasetError, match="unexpected keyword"):
        load_dataset("shapes", colour=True)
