"""FGSM's sign step against the analytic gradient of a linear softmax model; clamps; PGD's ε-ball."""

import numpy as np
import pytest
import torch
from _introspect_models import leaves_no_trace, tiny_graph_module
from torch import nn

from netbuilder.introspect import IntrospectError, fgsm, pgd


def _linear_model(seed=0, n=6, k=3):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n, k))


def _analytic_grad(model, x, y):
    """d CE(softmax(Wx + b), y) / dx = W^T (softmax(Wx + b) - onehot(y)), in numpy float64."""
    w = model[0].weight.detach().double().numpy()
    b = model[0].bias.detach().double().numpy()
    z = w @ x.double().numpy() + b
    p = np.exp(z - z.max())
    p /= p.sum()
    p[y] -= 1
    return w.T @ p


def test_fgsm_step_is_epsilon_times_the_sign_of_the_analytic_gradient():
    model = _linear_model()
    x = torch.randn(6) * 0.1
    with leaves_no_trace(model):
        res = fgsm(model, x, target_class=1, epsilon=0.05)
    g = _analytic_grad(model, x, 1)
    np.testing.assert_allclose(res.perturbation, 0.05 * np.sign(g), atol=1e-7)
    np.testing.assert_allclose(res.image, x.numpy() + 0.05 * np.sign(g), atol=1e-7)
    assert res.true_probability_after < res.true_probability_before
    assert res.steps == 1 and res.epsilon == 0.05 and res.true_class == 1
    probs = torch.softmax(model(x), dim=0).detach().numpy()
    assert res.original_class == int(probs.argmax())
    assert res.original_probability == pytest.approx(float(probs.max()), rel=1e-6)
    assert res.true_probability_before == pytest.approx(float(probs[1]), rel=1e-6)


def test_fgsm_respects_the_clamp_and_lowers_the_true_probability_of_a_cnn():
    model = tiny_graph_module()
    x = torch.rand(1, 8, 8)
    res = fgsm(model, x, target_class=0, epsilon=0.3, clamp=(0.0, 1.0))
    assert res.image.min() >= 0.0 and res.image.max() <= 1.0
    assert np.abs(res.perturbation).max() <= 0.3 + 1e-6
    assert res.true_probability_after < res.true_probability_before
    assert res.perturbation_display.min() >= 0 and res.perturbation_display.max() <= 1
    assert res.perturbation_display.max() == pytest.approx(1.0) or res.perturbation_display.min() == pytest.approx(0.0)


def test_per_channel_clamp_bounds():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 3 * 3, 2))
    x = torch.zeros(2, 3, 3)
    res = fgsm(model, x, 0, epsilon=1.0, clamp=([-0.2, -0.5], [0.1, 0.4]))
    assert res.image[0].min() >= -0.2 and res.image[0].max() <= 0.1
    assert res.image[1].min() >= -0.5 and res.image[1].max() <= 0.4
    with pytest.raises(IntrospectError, match="one per channel"):
        fgsm(model, x, 0, epsilon=1.0, clamp=([0.0, 0.0, 0.0], 1.0))


def test_binary_model_uses_binary_cross_entropy():
    model = nn.Sequential(nn.Linear(3, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
        model[0].bias.zero_()
    res = fgsm(model, torch.zeros(3), target_class=1, epsilon=0.1)
    # the loss of class 1 falls as z rises, so the attack moves against sign(w)
    np.testing.assert_allclose(res.perturbation, -0.1 * np.sign([1.0, -2.0, 0.5]), atol=1e-7)


def test_pgd_stays_in_the_epsilon_ball_and_beats_or_matches_fgsm():
    model = tiny_graph_module()
    x = torch.rand(1, 8, 8)
    with leaves_no_trace(model):
        res = pgd(model, x, target_class=2, epsilon=0.1, steps=8, clamp=(0.0, 1.0))
    assert np.abs(res.perturbation).max() <= 0.1 + 1e-6
    assert res.image.min() >= 0 and res.image.max() <= 1
    assert res.steps == 8
    assert res.true_probability_after < res.true_probability_before
    rand = pgd(model, x, 2, epsilon=0.1, steps=3, random_start=True, seed=4, step_size=0.05)
    assert np.abs(rand.perturbation).max() <= 0.1 + 1e-6


def test_pgd_with_one_full_step_equals_fgsm_and_zero_steps_changes_nothing():
    model = _linear_model(seed=5)
    x = torch.randn(6)
    one = pgd(model, x, 0, epsilon=0.2, steps=1, step_size=0.2)
    np.testing.assert_allclose(one.image, fgsm(model, x, 0, epsilon=0.2).image, atol=1e-7)
    none = pgd(model, x, 0, epsilon=0.2, steps=0)
    np.testing.assert_array_equal(none.perturbation, 0)
    assert not none.changed and none.true_probability_after == pytest.approx(none.true_probability_before)


def test_bad_arguments():
    model = _linear_model()
    with pytest.raises(IntrospectError, match="epsilon"):
        fgsm(model, torch.zeros(6), 0, epsilon=-1)
    with pytest.raises(IntrospectError, match="classes 0 to 2"):
        fgsm(model, torch.zeros(6), 5, epsilon=0.1)
    with pytest.raises(IntrospectError, match="one input at a time"):
        pgd(model, torch.zeros(2, 6), 0, epsilon=0.1)


def test_per_channel_epsilon_moves_each_channel_by_its_own_epsilon():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 5 * 5, 3))
    x = torch.randn(3, 5, 5)
    eps = [0.05, 0.1, 0.2]
    with leaves_no_trace(model):
        res = fgsm(model, x, 1, epsilon=eps)
    assert res.epsilon == tuple(eps)
    for c, e in enumerate(eps):
        moved = np.abs(res.perturbation[c])
        np.testing.assert_allclose(moved[moved > 0], e, rtol=1e-5)
        assert moved.max() == pytest.approx(e, rel=1e-5)
    for start in (False, True):
        res = pgd(model, x, 1, epsilon=eps, steps=4, random_start=start, seed=1)
        for c, e in enumerate(eps):
            assert np.abs(res.perturbation[c]).max() <= e + 1e-6
    with pytest.raises(IntrospectError, match="one per channel"):
        fgsm(model, x, 0, epsilon=[0.1, 0.2])
    with pytest.raises(IntrospectError, match="epsilon"):
        fgsm(model, x, 0, epsilon=[0.1, -0.2, 0.1])
