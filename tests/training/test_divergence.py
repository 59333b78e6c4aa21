"""A run whose loss ends far above where it began (diverged, but never infinite: no fault) says so at its
end, naming the learning rate and Reset (it reported "finished" and the next runs went on from its wrecked
weights)."""

from __future__ import annotations

import torch

from netbuilder.data import load_dataset
from netbuilder.training import TrainConfig, train
from netbuilder.training.faults import loss_grew


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def test_a_run_that_diverged_says_so_and_a_good_one_does_not():
    data = load_dataset("digits")
    bad = list(train(_mlp(), data, TrainConfig(epochs=2, lr=100.0, optimizer="adam", batch_size=16, seed=0)))
    notes = [e.message for e in bad if e.kind == "notice"]
    assert bad[-1].kind == "finished"  # (seeded: the loss ends near 900, never infinite)
    assert any(n.startswith("the loss grew from ") and "learning rate (100)" in n and "Reset" in n
               for n in notes), notes
    good = list(train(_mlp(), data, TrainConfig(epochs=2, lr=0.01, optimizer="adam", batch_size=16, seed=0)))
    assert good[-1].kind == "finished" and not [e for e in good if e.kind == "notice"]


def test_the_rule():
    assert loss_grew(2.3, 2e9, 100.0) is not None
    assert loss_grew(2.3, 2.5, 0.01) is None  # a little worse is no divergence
    assert loss_grew(0.1, 0.5, 0.01) is None  # five times a small loss, but not 1 above it
    assert loss_grew(None, 5.0, 0.01) is None and loss_grew(2.3, float("nan"), 1.0) is None
