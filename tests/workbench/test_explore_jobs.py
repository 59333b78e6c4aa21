"""The explore jobs the window runs on the workbench's executor, called directly (Qt-free): the search for
the smallest ε that fools the network."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from netbuilder.data import load_dataset  # noqa: E402
from netbuilder.workbench.explore_jobs import attack_job  # noqa: E402

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
