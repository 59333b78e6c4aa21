"""A design file's ``training`` section is free-form JSON: whatever sits there, TrainConfig refuses it with
the key and the bad value named (a ConfigError, which check and train show as one line), never a
TypeError or AttributeError; and ``choices.training_value``, the window's one reader of those settings,
gives a value a widget can show or None (the default is shown) for each of them."""

import math

import pytest

from netbuilder import choices
from netbuilder.training import faults
from netbuilder.training.config import ConfigError, TrainConfig

BAD = [
    ({"augmentation": "yes"}, "augmentation='yes' must be an object like"),
    ({"augmentation": True}, "augmentation=True must be an object like"),
    ({"augmentation": None}, "augmentation=None must be an object like"),
    ({"augmentation": 0}, "augmentation=0 must be an object like"),
    ({"augmentation": []}, r"augmentation=\[\] must be an object like"),
    ({"augmentation": {"shift": "x"}}, "augmentation.shift='x' must be a whole number"),
    ({"augmentation": {"shift": 1e300}}, "augmentation.shift=1e\\+300 must be a whole number"),
    ({"augmentation": {"rotation": None}}, "augmentation.rotation=None must be a finite number"),
    ({"augmentation": {"noise": math.inf}}, "augmentation.noise=inf must be a finite number"),
    ({"augmentation": {"flip": 1}}, "augmentation.flip=1 must be true or false"),
    ({"augmentation": {"rotation": -5}}, "augmentation.rotation=-5 cannot be negative"),
    ({"weight_decay": None}, "weight_decay=None must be a number"),
    ({"weight_decay": []}, r"weight_decay=\[\] must be a number"),
    ({"early_stopping_patience": "x"}, "early_stopping_patience='x' must be a whole number"),
    ({"early_stopping_patience": 1e300}, "early_stopping_patience=1e\\+300 must be a whole number"),
    ({"train_fraction": None}, "train_fraction=None must be a number"),
    ({"train_fraction": 1e8}, "train_fraction=100000000.0 must be between 0 and 1"),
    ({"epochs": 1e300}, "epochs=1e\\+300 must be a whole number"),
    ({"lr": math.inf}, "lr=inf must be a finite number"),
    ({"lr": 10**400}, "lr=1000.* must be a finite number"),
    ({"momentum": math.nan}, "momentum=nan must be a finite number"),
]


@pytest.mark.parametrize("bad, match", BAD)
def test_a_bad_value_is_refused_by_name(bad, match):
    with pytest.raises(ConfigError, match=match):
        TrainConfig.from_dict(bad)
    with pytest.raises(ConfigError, match=match):  # as check and train read it: over the defaults
        TrainConfig.from_dict(choices.merged_settings(bad))


@pytest.mark.parametrize("bad, _match", BAD)
def test_the_windows_reader_never_raises_on_a_bad_value(bad, _match):
    ((key, value),) = bad.items()
    if key != "augmentation":
        names = [key]
    elif isinstance(value, dict):
        names = [f"augmentation.{k}" for k in value]
    else:
        names = [f"augmentation.{k}" for k in choices.AUGMENTATION_DEFAULTS]
    for name in names:
        assert choices.training_value(bad, name, 0, 1000) is None


def test_the_reader_gives_what_a_widget_shows_or_the_default():
    t = {"epochs": 30.0, "lr": 1, "optimizer": "lion", "augmentation": {"shift": 3}, "nesterov": "yes"}
    assert choices.training_value(t, "epochs") == 30 and isinstance(choices.training_value(t, "epochs"), int)
    assert choices.training_value(t, "lr") == 1.0 and isinstance(choices.training_value(t, "lr"), float)
    assert choices.training_value(t, "optimizer") is None  # not one of the choices
    assert choices.training_value(t, "augmentation.shift") == 3
    assert choices.training_value(t, "augmentation.noise") == 0.0  # not set: the default
    assert choices.training_value(t, "nesterov") is None
    assert choices.training_value(t, "batch_size") == choices.DEFAULTS["batch_size"]
    assert choices.training_value(t, "epochs", 1, 10) is None  # outside the widget's range
    assert choices.training_value({"epochs": 10**400}, "epochs", 1, 10**6) is None
    assert choices.training_value("not an object", "lr") == choices.DEFAULTS["lr"]
    with pytest.raises(KeyError):
        choices.training_value(t, "no_such_setting")


@pytest.mark.parametrize("stored, ids", [(True, []), (5, []), ("conv2d_1", []), (None, []), ({}, []),
                                         (["a", 1, "b"], ["a", "b"]), (("a",), ["a"])])
def test_frozen_ids_reads_any_value(stored, ids):
    assert choices.frozen_ids({"frozen": stored}) == ids


def test_running_out_of_memory_on_the_cpu_gets_memory_advice():
    line = ("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you tried to "
            "allocate 8589934592 bytes. Error code 12 (Cannot allocate memory)")
    advice = faults.runtime_advice(line)
    assert "ran out of memory" in advice and "smaller batch size" in advice
