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


@pytest.mark.parametrize(("name", "dataset"), [("neuron", "gaussian"), ("mlp", "digits"), ("playground", "circle")])
def test_the_basics_open_on_a_built_in_dataset_they_fit(name, dataset):
    """Opened from the start page, Playground's net sat on the 8×8 digits ("does not fit digits"; Fit made
    it a digits MLP): the basics name the built-in dataset they are made for, and fit it as they are. A
    preset fitted to another shape names none."""
    from netbuilder.data import load_dataset
    from netbuilder.workbench.fit import input_shape_of, mismatch

    design = build_preset(name)
    assert design.dataset == {"name": dataset}
    data = load_dataset(dataset)
    gallery = next(p.gallery for p in list_presets() if p.name == name)
    assert input_shape_of(design.graph) == list(gallery.input_shape)
    assert mismatch(gallery.input_shape, gallery.num_classes, data.input_shape, len(data.class_names)) is None
    assert build_preset(name, input_shape=[3]).dataset == {}


def test_the_dataset_a_preset_names_is_saved_with_it(tmp_path):
    save_design(build_preset("playground"), tmp_path / "p.nbd")
    assert load_design(tmp_path / "p.nbd").dataset == {"name": "circle"}
