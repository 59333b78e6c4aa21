"""A design ending in a Sigmoid or a Softmax gives probabilities, not logits: the loss, the predictions and
the views read them as such (the one-neuron preset of the first lesson predicted "yes" for everything, and
under cross-entropy its one output raised IndexError)."""

from __future__ import annotations

import pytest
import torch

from netbuilder.compiler import compile_design, compiled_info
from netbuilder.compiler.scores import as_logits, probabilities, scores_of
from netbuilder.data import load_dataset
from netbuilder.introspect import class_probabilities
from netbuilder.presets import build_preset
from netbuilder.presets.builder import DesignBuilder
from netbuilder.training import TrainConfig, train
from netbuilder.training.parts import make_loss, predictions


def _ending_in(kind: str | None):
    b = DesignBuilder("t")
    x = b.input([2])
    x = b.add("dense", x, units=3)
    if kind:
        x = b.add(kind, x)
    b.output(x)
    return b.build()


@pytest.mark.parametrize(("kind", "scores"), [(None, "logits"), ("relu", "logits"), ("sigmoid", "sigmoid"),
                                              ("softmax", "softmax")])
def test_the_compiler_says_what_reaches_the_output(kind, scores):
    model = compile_design(_ending_in(kind))
    assert compiled_info(model).scores == scores == scores_of(model)
    assert compiled_info(model).to_dict()["scores"] == scores


def test_plain_modules_say_it_by_their_last_layer():
    assert scores_of(torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())) == "sigmoid"
    assert scores_of(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Softmax(dim=1))) == "softmax"
    assert scores_of(torch.nn.Linear(2, 3)) == "logits"


def test_probabilities_are_not_squashed_twice():
    z = torch.tensor([[2.0, -1.0, 0.5]])
    p = torch.softmax(z, dim=1)
    assert torch.allclose(probabilities(p, "softmax"), p)
    assert torch.allclose(probabilities(z, "logits"), p)
    assert torch.allclose(torch.softmax(as_logits(p, "softmax"), dim=1), p, atol=1e-6)
    s = torch.sigmoid(torch.tensor([[1.5], [-3.0]]))
    assert torch.allclose(probabilities(s, "sigmoid"), torch.cat([1 - s, s], dim=1))
    assert torch.allclose(as_logits(s, "sigmoid"), torch.tensor([[1.5], [-3.0]]), atol=1e-4)
    assert predictions(s, 2, "sigmoid").tolist() == [1, 0]  # a probability above one half is "yes"


def test_cross_entropy_on_one_output_is_the_binary_one():
    z, y = torch.tensor([[0.3], [-1.2]]), torch.tensor([1, 0])
    want = torch.nn.functional.binary_cross_entropy_with_logits(z, y.float().view(-1, 1))
    assert torch.allclose(make_loss("cross_entropy", 2)(z, y), want)
    assert torch.allclose(make_loss("cross_entropy", 2, "sigmoid")(torch.sigmoid(z), y), want, atol=1e-5)
    p = torch.softmax(torch.tensor([[1.0, 2.0, 0.5]]), dim=1)
    assert torch.allclose(make_loss("cross_entropy", 3, "softmax")(p, torch.tensor([1])),
                          torch.nn.functional.cross_entropy(torch.log(p), torch.tensor([1])), atol=1e-6)


@pytest.mark.parametrize("loss", ["cross_entropy", "bce", "mse"])
def test_the_one_neuron_learns_two_gaussian_blobs_with_every_loss(loss):
    data = load_dataset("gaussian")
    model = compile_design(build_preset("neuron"))
    events = list(train(model, data, TrainConfig(epochs=3, loss=loss, lr=0.1, seed=0)))
    assert events[-1].kind == "finished", events[-1]
    assert events[-1].val_accuracy >= 0.9  # it was 0.66: every answer "yes"
    x = data.normalize(data.x_test[:8])
    p = class_probabilities(model, x)
    assert p.shape == (8, 2) and abs(float(p.sum(axis=1).mean()) - 1) < 1e-5
    assert (p.argmax(axis=1) == data.y_test[:8].numpy()).mean() >= 0.75


def test_mean_squared_error_compares_probabilities_with_the_targets():
    """As the lecture writes it, L = Σ (p − t)² / K: on the softmax of the scores, not on the raw scores (a
    loss of about 50 at the start, on logits)."""
    z, y = torch.tensor([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]]), torch.tensor([0, 2])
    onehot = torch.nn.functional.one_hot(y, 3).float()
    assert torch.allclose(make_loss("mse", 3)(z, y), ((torch.softmax(z, 1) - onehot) ** 2).mean())
    p = torch.softmax(z, 1)
    assert torch.allclose(make_loss("mse", 3, "softmax")(p, y), ((p - onehot) ** 2).mean())
    one = torch.tensor([[0.4], [-2.0]])
    want = ((torch.sigmoid(one) - torch.tensor([[1.0], [0.0]])) ** 2).mean()
    assert torch.allclose(make_loss("mse", 2)(one, torch.tensor([1, 0])), want)


def test_fitting_one_output_unit_to_two_classes_keeps_it():
    from netbuilder.presets.fit import fit_design

    neuron = build_preset("neuron")
    fitted = fit_design(neuron, [2], 2)
    assert fitted.graph.node("weighted_sum").params["units"] == 1  # one neuron: p(class 1)
    assert fit_design(neuron, [2], 3).graph.node("weighted_sum").params["units"] == 3
    mlp = build_preset("mlp")
    assert fit_design(mlp, [1, 8, 8], 2).graph.node("classifier").params["units"] == 2

