"""``seen_by``: a dataset as trained weights see it (normalised as they were trained, ARCHITECTURE rule 11), and
its use by the window's model host."""

import pytest
import torch

from netbuilder.compiler.preprocess import imagenet_preprocessing
from netbuilder.data.bundle import DatasetBundle
from netbuilder.training.weights import seen_by


def bundle(channels: int = 3, kind: str = "image") -> DatasetBundle:
    x = torch.randint(0, 256, (6, channels, 4, 4), dtype=torch.uint8)
    return DatasetBundle(name="tiny", kind=kind, input_shape=(channels, 4, 4), class_names=["a", "b"],
                         source="built-in", x_train=x, y_train=torch.zeros(6, dtype=torch.long),
                         mean=torch.full((channels, 1, 1), 0.3), std=torch.full((channels, 1, 1), 0.2), scale=1 / 255)


def test_the_weights_normalisation_replaces_the_datas_own_and_the_tensors_are_shared():
    data = bundle()
    seen = seen_by(data, imagenet_preprocessing((3, 4, 4)))
    assert seen is not data and seen.x_train is data.x_train and seen.class_names == data.class_names
    assert seen.mean.flatten().tolist() == pytest.approx([0.485, 0.456, 0.406])
    assert seen.std.flatten().tolist() == pytest.approx([0.229, 0.224, 0.225])
    x = data.x_train[:2]
    want = (x.float() / 255 - torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)) / torch.tensor(
        [0.229, 0.224, 0.225]).view(3, 1, 1)
    assert torch.allclose(seen.normalize(x), want, atol=1e-6)
    assert seen.preprocessing()["mean"] == pytest.approx([0.485, 0.456, 0.406])  # what a run then records
    assert data.mean.flatten().tolist() == pytest.approx([0.3] * 3)  # the dataset itself is left alone


def test_the_data_itself_when_there_is_nothing_to_change_or_the_record_does_not_fit():
    data = bundle()
    assert seen_by(data, None) is data
    assert seen_by(data, data.preprocessing()) is data  # its own normalisation
    grey = bundle(1)
    assert seen_by(grey, imagenet_preprocessing((3, 4, 4))) is grey  # three channels' numbers, one channel
    assert seen_by(data, {**imagenet_preprocessing((3, 4, 4)), "kind": "table"}) is data
    assert seen_by(data, {"mean": [0.5], "std": [0.0]}) is data  # a broken record changes nothing


def test_one_value_for_every_channel_is_spread_over_them():
    seen = seen_by(bundle(), {"mean": [0.5], "std": [0.25], "kind": "image"})
    assert seen.mean.shape == (3, 1, 1) and seen.mean.flatten().tolist() == [0.5] * 3


def test_the_host_shows_trained_weights_the_data_as_they_were_trained_and_fresh_ones_its_own():
    from netbuilder.workbench.host import ModelHost

    host, data = ModelHost(), bundle()
    host.record = {"preprocessing": imagenet_preprocessing((3, 4, 4)), "dataset": "imagenet"}
    assert host.seen(data) is data  # no trained weights yet
    host.trained = True
    assert host.seen(data).mean.flatten().tolist() == pytest.approx([0.485, 0.456, 0.406])
    host.training_on(host.seen(data))  # a run continues with that normalisation and records it
    assert host.record["preprocessing"]["mean"] == pytest.approx([0.485, 0.456, 0.406])
    host.reset()  # Start fresh: the data's own again
    assert host.seen(data) is data
