"""Presets carry training settings that work for them (presets/settings.py): a deep network without batch
normalisation (AlexNet, VGG) does not start at the global default rate (Adam at 0.01, where VGG-16's loss
goes from 1.1 to 3e11 at step 2). No torch: the settings are data in the design."""

import pytest

from netbuilder import choices
from netbuilder.io import load_design, save_design
from netbuilder.presets import build_preset, list_presets

NAMES = [p.name for p in list_presets()]
PLAIN_DEEP = ("alexnet", "vgg11", "vgg16")  # no batch normalisation
BASICS = ("neuron", "mlp", "playground", "lenet5")  # train fast on the defaults; the lessons build on them


def _valid(training: dict) -> dict:
    """The preset's settings as a run reads them (TrainConfig refuses a wrong name or value)."""
    from netbuilder.training.config import TrainConfig

    config = TrainConfig.from_dict(choices.merged_settings(training))
    assert all(getattr(config, key) == value for key, value in training.items())
    return training


@pytest.mark.parametrize("name", PLAIN_DEEP)
def test_deep_networks_without_batch_norm_start_at_a_low_rate(name):
    training = _valid(build_preset(name).training)
    assert training["optimizer"] == "adam" and training["lr"] <= 1e-4


@pytest.mark.parametrize("name", sorted(set(NAMES) - set(PLAIN_DEEP) - set(BASICS)))
def test_the_other_classics_and_teaching_networks_start_at_adams_usual_rate(name):
    training = _valid(build_preset(name).training)
    assert training["optimizer"] == "adam" and training["lr"] < choices.DEFAULTS["lr"]


def test_only_the_basics_keep_the_defaults():
    assert {name for name in NAMES if not build_preset(name).training} == set(BASICS)


def test_settings_survive_fitting_saving_and_reopening(tmp_path):
    design = build_preset("vgg16", input_shape=[3, 64, 64], num_classes=3)
    assert design.training == {"optimizer": "adam", "lr": 1e-4}
    path = tmp_path / "vgg.nbd"
    save_design(design, path)
    assert load_design(path).training == design.training
    assert choices.training_value(load_design(path).training, "lr") == 1e-4  # what the Training panel shows


def test_each_design_owns_its_settings():
    first = build_preset("vgg16")
    first.training["lr"] = 0.5
    assert build_preset("vgg16").training["lr"] == 1e-4 and build_preset("vgg11").training["lr"] == 1e-4
