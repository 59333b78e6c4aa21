"""The curves tell the truth whatever the steps per epoch: the smoothing is debiased at the start and
reaches back no further than about a quarter of an epoch (with one step an epoch, as in full-batch
training, nothing is smoothed); the training loss and accuracy over each epoch are drawn beside the
validation ones, for the current run and for the earlier runs overlaid; the line above the plots gives
the values as they are, labelled."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

pytestmark = pytest.mark.gui

# lesson 3 step 1 (MLP on digits, full batch, 3 epochs): the engine's numbers
FULL_BATCH = [  # (train loss, train accuracy, validation loss, validation accuracy)
    (2.3376, 0.047, 2.0901, 0.44), (2.0854, 0.407, 1.8702, 0.72), (1.8596, 0.684, 1.6600, 0.80)]


def _full_batch_run(number: int = 1, epochs: int | None = None):
    """A full-batch run as the controller feeds it: one step an epoch, then the epoch's row."""
    from netbuilder.ui.training.run_history import RunCurves

    run = RunCurves(f"run {number}", number, {"optimizer": "sgd", "lr": 0.01, "batch_mode": "full", "epochs": 3})
    for e, (loss, acc, val_loss, val_acc) in enumerate(FULL_BATCH[:epochs]):
        run.add_step(float(e + 1), {"epoch": e, "step": e + 1, "loss": loss, "accuracy": acc, "lr": 0.01})
        run.add_epoch({"epoch": e, "train_loss": loss, "train_accuracy": acc, "val_loss": val_loss,
                       "val_accuracy": val_acc, "lr": 0.01})
    return run


def _many_steps_run(steps_per_epoch: int, epochs: int = 3, seed: int = 0):
    """A noisy run with many steps an epoch: accuracy 0.2 + 0.2 * epoch, ± 0.1 noise a step."""
    from netbuilder.ui.training.run_history import RunCurves

    rnd = random.Random(seed)
    run = RunCurves("run 2", 2, {"optimizer": "sgd", "lr": 0.1, "batch_size": 8, "epochs": epochs})
    for i in range(steps_per_epoch * epochs):
        e = i // steps_per_epoch
        loss, acc = 2.0 - 0.5 * e + rnd.uniform(-.3, .3), 0.2 + 0.2 * e + rnd.uniform(-.1, .1)
        run.add_step((i + 1) / steps_per_epoch, {"epoch": e, "step": i + 1, "loss": loss, "accuracy": acc, "lr": 0.1})
        if (i + 1) % steps_per_epoch == 0:
            run.add_epoch({"epoch": e, "train_loss": 2.0 - 0.5 * e, "train_accuracy": 0.2 + 0.2 * e,
                           "val_loss": 2.1 - 0.5 * e, "val_accuracy": 0.15 + 0.2 * e, "lr": 0.1})
    return run


def test_full_batch_curves_are_the_values_themselves(qapp):
    run = _full_batch_run()
    accs = [row[1] for row in FULL_BATCH]
    assert run.acc_smooth.y == pytest.approx(accs)  # nothing to smooth with one step an epoch
    assert run.smooth.y == pytest.approx([row[0] for row in FULL_BATCH])
    assert run.train_acc.x == pytest.approx([1, 2, 3]) and run.train_acc.y == pytest.approx(accs)
    assert run.train_loss.y == pytest.approx([row[0] for row in FULL_BATCH])
    assert not run.smoothed


def test_the_smoothing_is_debiased_and_follows_the_steps_per_epoch(qapp):
    from netbuilder.ui.training.run_history import ALPHA, Smoother, smoothing_weight

    s = Smoother()
    assert s.add(0.0, ALPHA) == 0.0 and s.add(1.0, ALPHA) == pytest.approx(1 / (2 - ALPHA))  # not 0.08
    kept = s.add(math.nan, 0.5)  # a NaN step (a diverged batch) is skipped, not averaged in
    assert kept == pytest.approx(1 / (2 - ALPHA)) and math.isnan(Smoother().add(math.nan, 0.5))
    assert smoothing_weight(1.0) == smoothing_weight(0.25) == 1.0  # one or four steps an epoch: none
    assert smoothing_weight(0.1) == pytest.approx(0.4)
    assert smoothing_weight(1 / 1000) == smoothing_weight(0.0) == ALPHA == smoothing_weight(math.nan)


@pytest.mark.parametrize("steps_per_epoch", [1, 2, 4, 10, 40, 200])
def test_the_smoothed_curve_catches_up_within_an_epoch(qapp, steps_per_epoch):
    from netbuilder.ui.training.run_history import RunCurves

    run = RunCurves("run 1")
    for i in range(3 * steps_per_epoch):
        x = (i + 1) / steps_per_epoch
        level = 0.1 if x <= 1 + 1e-9 else 0.9  # accuracy jumps after the first epoch
        run.add_step(x, {"epoch": int(math.ceil(x)) - 1, "step": i + 1, "loss": 1 - level, "accuracy": level,
                         "lr": 0.1})
    end_of_second = int(np.searchsorted(run.acc_smooth.x, 2 - 1e-9))
    assert run.acc_smooth.y[end_of_second] > 0.88  # (0.12 with a fixed weight of 0.08 and one step an epoch)
    assert run.smooth.y[-1] == pytest.approx(0.1, abs=0.01)
    assert run.acc_smooth.y[0] == pytest.approx(0.1)  # starts where the run starts


def test_a_run_with_many_steps_stays_smooth(qapp):
    run = _many_steps_run(200)
    assert run.smoothed
    trend = 0.2 + 0.2 * np.floor(run.acc_smooth.x - 1e-9)
    settled = run.acc_smooth.x % 1 > 0.3  # a third of an epoch after each jump
    raw_noise = 0.1 / math.sqrt(3)  # the std of the ± 0.1 noise
    assert np.std(run.acc_smooth.y[settled] - trend[settled]) < 0.35 * raw_noise
    assert np.abs(np.diff(run.acc_smooth.y)).max() < 0.03  # no step jumps by more than a fraction of the noise


def test_the_line_above_the_plots_gives_the_epochs_values(qapp):
    from netbuilder.ui.training.run_history import status_texts

    run = _full_batch_run(epochs=2)
    run.add_step(3.0, {"epoch": 2, "step": 3, "loss": 1.8596, "accuracy": 0.684, "lr": 0.01})
    whole, short = status_texts(run)  # the third epoch's step, before its validation
    assert "loss 2.0854, accuracy 40.7% over epoch 2" in whole and "validation loss 1.8702, accuracy 72.0%" in whole
    assert "epoch 3: loss now 1.8596 (last step)" in whole
    assert short == "run 1: loss 2.0854, 40.7% · val. 1.8702, 72.0%"
    run.add_epoch({"epoch": 2, "train_loss": 1.8596, "train_accuracy": 0.684, "val_loss": 1.66, "val_accuracy": 0.8,
                   "lr": 0.01})
    whole, short = status_texts(run)
    assert whole == ("run 1 · sgd lr 0.01 · full batch: loss 1.8596, accuracy 68.4% over epoch 3 · validation loss "
                     "1.6600, accuracy 80.0%")
    assert short == "run 1: loss 1.8596, 68.4% · val. 1.6600, 80.0%"

    first = _full_batch_run(epochs=0)
    first.add_step(1.0, {"epoch": 0, "step": 1, "loss": 2.3376, "accuracy": 0.047, "lr": 0.01})
    assert status_texts(first)[1] == "run 1: loss 2.3376, 4.7% (last step)"  # before any epoch ends

    many = _many_steps_run(200, epochs=1)
    many.add_step(1.005, {"epoch": 1, "step": 201, "loss": 1.5, "accuracy": 0.4, "lr": 0.1})
    whole, _short = status_texts(many)
    assert "over epoch 1" in whole and "epoch 2: loss now" in whole and whole.endswith("(smoothed)")


def _shown(plot, x, y) -> bool:
    """Whether ``plot`` holds an item drawing these points."""
    for item in plot.listDataItems():
        xs, ys = item.getData()
        if xs is not None and len(xs) == len(x) and np.allclose(xs, x) and np.allclose(ys, y, equal_nan=True):
            return True
    return False


def test_the_view_draws_each_epochs_training_values_beside_validation(shown_curves):
    from netbuilder.ui.training.run_history import from_record, to_record

    view = shown_curves(1300, 520)
    earlier = from_record(to_record(_many_steps_run(40)))  # an earlier run, as saved with the design
    view.set_design_runs([earlier])
    view.start_run(None, {"optimizer": "sgd", "lr": 0.01, "batch_mode": "full", "epochs": 3})
    view.set_epochs(3)
    for e, (loss, acc, val_loss, val_acc) in enumerate(FULL_BATCH):
        view.add_steps([{"progress": (e + 1) / 3, "epoch": e, "step": e + 1, "loss": loss, "accuracy": acc,
                         "lr": 0.01}], 3)
        view.refresh()  # (the timer draws between the events)
        view.add_epoch({"epoch": e, "train_loss": loss, "train_accuracy": acc, "val_loss": val_loss,
                        "val_accuracy": val_acc, "lr": 0.01})
        view.refresh()
        assert len(view.train_acc_epochs.getData()[0]) == len(view.val_acc.getData()[0]) == e + 1
    accs, losses = [row[1] for row in FULL_BATCH], [row[0] for row in FULL_BATCH]
    epochs = [1.0, 2.0, 3.0]
    assert _shown(view.acc_plot, epochs, accs) and _shown(view.loss_plot, epochs, losses)
    assert view.train_acc_epochs.getData()[1] == pytest.approx(accs)
    assert view.acc_smooth.getData()[1] == pytest.approx(accs)  # the thick line, too
    assert "train (over each epoch)" in view.legend_names()
    assert view.status.toolTip().startswith("run 3 · sgd lr 0.01 · full batch: loss 1.8596, accuracy 68.4%")

    # the earlier run is drawn the same way: its training values over each epoch beside its validation
    assert earlier.train_acc.y == pytest.approx([0.2, 0.4, 0.6])
    assert _shown(view.acc_plot, epochs, [0.2, 0.4, 0.6]) and _shown(view.acc_plot, epochs, [0.15, 0.35, 0.55])
    assert _shown(view.loss_plot, epochs, [2.0, 1.5, 1.0]) and _shown(view.loss_plot, epochs, [2.1, 1.6, 1.1])

    view.start_run(None, {"optimizer": "sgd", "lr": 0.01, "batch_mode": "full", "epochs": 3})  # a new run
    view.add_steps([{"progress": 1 / 3, "epoch": 0, "step": 1, "loss": 2.3, "accuracy": 0.1, "lr": 0.01}], 3)
    view.add_epoch({"epoch": 0, "train_loss": 2.3, "train_accuracy": 0.1, "val_loss": 2.2, "val_accuracy": 0.2,
                    "lr": 0.01})
    view.refresh()
    assert view.train_acc_epochs.getData()[1] == pytest.approx([0.1])
    assert view.val_acc.getData()[1] == pytest.approx([0.2])
    assert _shown(view.acc_plot, epochs, accs)  # the run before, overlaid: its epochs as they were
