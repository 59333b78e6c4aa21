"""Frozen layers (TrainConfig.frozen): their parameters and BatchNorm statistics stay as they were while
the other layers learn; the setting is validated and survives to_dict / from_dict."""

from collections import OrderedDict

import pytest
import torch

from netbuilder.training import ConfigError, TrainConfig

from .helpers import digits, run


def bn_net(seed: int = 0) -> torch.nn.Module:
    """Named like a compiled design: submodule names are node ids."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(OrderedDict(flatten=torch.nn.Flatten(), dense_1=torch.nn.Linear(64, 16),
                                           batchnorm1d_1=torch.nn.BatchNorm1d(16), relu_1=torch.nn.ReLU(),
                                           dense_2=torch.nn.Linear(16, 10)))


def snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_frozen_weights_and_bn_statistics_unchanged_others_change():
    model = bn_net()
    before = snapshot(model)
    cfg = TrainConfig(epochs=1, batch_size=64, lr=1e-2, weight_decay=0.01, optimizer="sgd", frozen=["dense_1", "batchnorm1d_1"])
    events = run(model, digits(), cfg)
    assert events[-1].kind == "finished"
    after = snapshot(model)
    for key in ("dense_1.weight", "dense_1.bias", "batchnorm1d_1.weight", "batchnorm1d_1.bias",
                "batchnorm1d_1.running_mean", "batchnorm1d_1.running_var"):
        assert torch.equal(before[key], after[key]), key  # frozen: not even weight decay or BN statistics
    assert int(after["batchnorm1d_1.num_batches_tracked"]) == int(before["batchnorm1d_1.num_batches_tracked"])
    assert not torch.equal(before["dense_2.weight"], after["dense_2.weight"])  # the head learns
    assert all(not p.requires_grad for p in model.dense_1.parameters())


def test_without_frozen_everything_changes():
    model = bn_net()
    before = snapshot(model)
    run(model, digits(), TrainConfig(epochs=1, batch_size=64, lr=1e-2))
    after = snapshot(model)
    assert not torch.equal(before["dense_1.weight"], after["dense_1.weight"])
    assert not torch.equal(before["batchnorm1d_1.running_mean"], after["batchnorm1d_1.running_mean"])


def test_unknown_frozen_layer_is_a_config_error():
    with pytest.raises(ConfigError, match="conv9"):
        run(bn_net(), digits(), TrainConfig(epochs=1, frozen=["conv9"]))


@pytest.mark.parametrize("bad", [["a", "a"], "conv1", [3], ["not an id"]])
def test_frozen_setting_validated(bad):
    with pytest.raises(ConfigError, match="frozen"):
        TrainConfig(frozen=bad)


def test_frozen_round_trips():
    cfg = TrainConfig(frozen=["conv2d_1", "dense_1"])
    assert cfg.to_dict()["frozen"] == ["conv2d_1", "dense_1"]
    assert TrainConfig.from_dict(cfg.to_dict()).frozen == ["conv2d_1", "dense_1"]
    assert TrainConfig().frozen == []


def test_evaluation_keeps_frozen_batchnorm_in_eval_mode():
    from netbuilder.introspect import apply_frozen_bn_eval, freeze
    from netbuilder.training.evaluate import evaluate
    from netbuilder.training.parts import make_loss

    model, data = bn_net(), digits()
    freeze(model, ["batchnorm1d_1"])
    model.train()
    apply_frozen_bn_eval(model)
    batches = [(data.x_val[:32], data.y_val[:32])]
    evaluate(model, batches, data, make_loss("cross_entropy", 10))
    assert model.training and model.dense_1.training  # the model's own mode is given back ...
    assert not model.batchnorm1d_1.training  # ... and the frozen BatchNorm stays in eval mode
