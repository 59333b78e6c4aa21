"""The explore jobs the window runs on the workbench's executor, called directly (Qt-free): the search for
the smallest ε that fools the network, ε exact in pixel units on colour images, and explanations that
differentiate the class score (the logit), not a final Softmax's probability."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from netbuilder.data import load_dataset  # noqa: E402
from netbuilder.workbench.explore_jobs import attack_job, explain_job  # noqa: E402

GRID = (100, 400)  # the Adversarial view's slider: ε = k / 400, k up to 100


def _cnn(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 8 * 8, 10))


class Blind(torch.nn.Module):
    """Answers the same whatever the input: no ε can change its prediction."""

    def __init__(self):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.arange(10, dtype=torch.float32))

    def forward(self, x):
        return self.bias.expand(x.shape[0], 10) + 0 * x.flatten(1).sum(1, keepdim=True)


@pytest.fixture(scope="module")
def trained():
    """The digits and a small CNN trained on them for a few epochs (about 95 % right: as a student's)."""
    data = load_dataset("digits")
    model = _cnn(seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = data.normalize(data.x_train), data.y_train
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        for idx in torch.randperm(len(y), generator=g).split(64):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()
    return model, data


@pytest.mark.parametrize("method", ["fgsm", "pgd"])
def test_the_smallest_epsilon_changes_the_prediction_and_one_step_less_does_not(trained, method):
    model, data = trained
    found = 0
    for index in range(6):
        r = attack_job(index, 0.0, method, 3, search=GRID)(model, data)
        assert r["searched"] and r["tries"] <= 1 + 7  # the top, then a bisection of 100 steps
        if r["smallest"] is None:
            assert not r["changed"] and r["epsilon"] == pytest.approx(0.25)
            continue
        found += 1
        k = round(r["smallest"] * GRID[1])
        assert r["changed"] and r["epsilon"] == pytest.approx(k / GRID[1]) and 1 <= k <= GRID[0]
        below = attack_job(index, (k - 1) / GRID[1], method, 3)(model, data)
        assert not below["changed"], (index, k)
        again = attack_job(index, k / GRID[1], method, 3)(model, data)
        assert again["changed"] and again["after"] == r["after"]
    assert found >= 3  # a trained network is fooled on most samples by an ε of a few grey levels


def test_a_network_no_epsilon_fools_is_said_to_hold():
    r = attack_job(0, 0.05, "fgsm", 3, search=GRID)(Blind(), load_dataset("digits"))
    assert r["smallest"] is None and not r["changed"] and r["tries"] == 1
    assert r["epsilon"] == pytest.approx(0.25)  # the attack shown is the strongest tried


# ----- ε in pixel units, channel by channel --------------------------------------------------------------
def _colour_cnn(seed: int = 1) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 16 * 16, 6))


@pytest.mark.parametrize("method", ["fgsm", "pgd"])
def test_epsilon_is_the_largest_change_of_any_pixel_in_every_channel(method):
    """Lesson 12: ε × 255 is the most any pixel changes, in each colour channel, however their stds differ."""
    data = load_dataset("shapes", samples=60, color=True, size=16)
    std = data.std.flatten()
    assert float(std.max() - std.min()) > 0.005  # the channels' stds differ
    model = _colour_cnn()
    eps = 0.05
    for index in range(3):
        r = attack_job(index, eps, method, 3)(model, data)
        real = np.abs(r["adversarial"].astype(np.float64) - r["image"].astype(np.float64))  # (H, W, 3) pixels
        per_channel = real.reshape(-1, 3).max(axis=0)
        assert (per_channel <= eps + 1e-6).all(), per_channel
        if method == "fgsm":
            np.testing.assert_allclose(per_channel, eps, atol=1e-6)
        assert r["max_change"] == pytest.approx(per_channel.max(), abs=1e-6)
        assert r["max_change"] <= eps + 1e-6


# ----- explanations: the class score is the logit -------------------------------------------------------
def _digits_design(softmax: bool):
    import netbuilder
    from netbuilder.presets.builder import DesignBuilder

    b = DesignBuilder("digits")
    x = b.input([1, 8, 8])
    x = b.add("conv2d", x, filters=4, kernel_size=3, padding=1, id="conv1")
    x = b.add("relu", x, id="relu1")
    x = b.add("flatten", x, id="flat")
    x = b.add("dense", x, units=10, id="fc")
    if softmax:
        x = b.add("softmax", x, id="sm")
    b.output(x)
    return netbuilder.compile(b.build())


def test_a_final_softmax_does_not_change_the_explanation():
    data = load_dataset("digits")
    torch.manual_seed(0)
    plain, ending = _digits_design(False), _digits_design(True)
    with torch.no_grad():
        plain.fc.weight.mul_(20)  # confident, as a trained network: the softmax saturates
    ending.load_state_dict(plain.state_dict())
    for index in range(3):
        a = explain_job(index, None, None)(plain, data)
        b = explain_job(index, None, None)(ending, data)
        assert a["class"] == b["class"] and a["layer"] == b["layer"] == "relu1"  # the last layer with maps
        np.testing.assert_allclose(b["probs"], a["probs"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b["saliency"], a["saliency"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(b["grad_cam"], a["grad_cam"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b["occlusion"], a["occlusion"], atol=1e-5)  # a drop in probability
