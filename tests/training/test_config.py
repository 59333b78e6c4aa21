"""TrainConfig: defaults, round trip through a plain dict, clear errors."""

import pytest

from netbuilder.training.config import ConfigError, TrainConfig


def test_round_trip_through_a_plain_dict():
    c = TrainConfig(optimizer="sgd", lr=0.1, nesterov=True, schedule="cosine", epochs=3,
                    augmentation={"flip": True, "shift": 2})
    d = c.to_dict()
    assert d["augmentation"] == {"flip": True, "shift": 2, "rotation": 0.0, "noise": 0.0}
    assert TrainConfig.from_dict(d) == c
    import json

    assert TrainConfig.from_dict(json.loads(json.dumps(d))) == c


@pytest.mark.parametrize("bad, match", [
    ({"optimizer": "lbfgs"}, "optimizer='lbfgs' is not one of sgd, adam"),
    ({"lr": 0}, "lr=0.0 must be greater than 0"),
    ({"epochs": 2.5}, "epochs=2.5 must be a whole number"),
    ({"batch_size": True}, "batch_size=True must be a whole number"),
    ({"learning_rate": 0.1}, "unknown training setting.*learning_rate"),
    ({"nesterov": True, "optimizer": "adam"}, "Nesterov"),
    ({"augmentation": {"mirror": True}}, "unknown augmentation"),
    ({"train_fraction": 1.5}, "train_fraction=1.5 must be between 0 and 1"),
])
def test_bad_settings_say_what_is_wrong(bad, match):
    with pytest.raises(ConfigError, match=match):
        TrainConfig.from_dict(bad)


def test_batch_modes():
    assert TrainConfig(batch_mode="full").effective_batch_size(500) == 500
    assert TrainConfig(batch_mode="stochastic").effective_batch_size(500) == 1
    assert TrainConfig(batch_size=32).effective_batch_size(500) == 32
