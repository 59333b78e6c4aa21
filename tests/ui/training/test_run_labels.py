"""How a run is labelled: the legend and run list by its batch mode (stochastic, full batch, mini-batch),
how it ended (a stop in the middle of an epoch is not a whole epoch; a fault says what happened), and the
progress line of a run stopped in its first epoch. Plain values: no window."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from netbuilder.training.events import Epoch, Fault, Finished
from netbuilder.ui.training.run_events import RunEvents
from netbuilder.ui.training.run_history import RunCurves, from_record, legend_text, to_record


@pytest.mark.parametrize("mode, size, says, never", [("stochastic", 16, "stochastic", "batch 16"),
                                                     ("full", 16, "full batch", "batch 16"),
                                                     ("minibatch", 32, "batch 32", "stochastic")])
def test_the_legend_says_the_batch_mode(mode, size, says, never):
    run = RunCurves("run 1", 1, {"optimizer": "sgd", "lr": 0.1, "batch_mode": mode, "batch_size": size})
    text = legend_text(run)
    assert says in text and never not in text


def _finished(reason: str, epochs: int) -> Finished:
    nan = math.nan
    return Finished(reason, epochs, 1.5, nan, nan, nan, nan, nan, nan, None, ["a", "b"], "cpu", -1)


class _Controller(SimpleNamespace):
    def __init__(self) -> None:
        super().__init__(panel=SimpleNamespace(progress=SimpleNamespace(setValue=lambda v: None)),
                         curves=SimpleNamespace(add_epoch=lambda e: None), epoch_done=lambda e: None,
                         statuses=[])
        self.status = self.statuses.append


def test_a_run_stopped_in_its_first_epoch_has_no_whole_epoch():
    c = _Controller()
    run = RunEvents(c)
    run.begin({"epochs": 5})
    run.handle([Epoch(0, 0.9, 0.5, 0.8, 0.6, 0.01, 1.0, complete=False), _finished("stopped", 1)])
    text = run.state_text
    assert "during epoch 1" in text and "after 0 whole epochs" in text and "after 1 epoch " not in text
    assert run.whole_epochs(run.finished) == 0


def test_a_run_stopped_between_epochs_names_them_and_a_completed_run_too():
    run = RunEvents(_Controller())
    run.begin({"epochs": 5})
    run.handle([Epoch(0, 0.9, 0.5, 0.8, 0.6, 0.01, 1.0), _finished("stopped", 1)])
    assert "stopped after 1 epoch in" in run.state_text and "nan" not in run.state_text
    run.begin({"epochs": 2})
    run.handle([Epoch(0, 0.9, 0.5, 0.8, 0.6, 0.01, 1.0), Epoch(1, 0.9, 0.5, 0.8, 0.7, 0.01, 1.0),
                _finished("completed", 2)])
    assert "finished after 2 epochs" in run.state_text


def test_the_run_list_summary_of_a_stop_in_an_epoch_and_of_a_fault():
    run = RunCurves("run 1", 1, {"batch_mode": "stochastic"})
    run.outcome = {"kind": "finished", "reason": "stopped", "epochs": 1, "whole_epochs": 0}
    assert run.summary() == "stopped during epoch 1 (after 0 epochs)"
    assert from_record(to_record(run)).summary() == run.summary()  # kept in the runs file
    fault = Fault("nan", "the loss became NaN at epoch 1, step 3", "lower the learning rate", 0, 3)
    run.outcome = {k: v for k, v in fault.to_dict().items() if isinstance(v, (str, int, float))}
    text = run.summary()
    assert "?" not in text and text.startswith("stopped by a problem in epoch 1") and "NaN" in text
    run.outcome = {"kind": "finished", "reason": "completed", "epochs": 3, "val_accuracy": 0.5}
    assert run.summary() == "completed after 3 epochs, validation accuracy 50.0%"
