"""The engine on hand-written modules: learning, events, repeatability, pause/resume, checkpoints,
faults, requests, schedules and optimisers."""

import math

import numpy as np
import pytest

from netbuilder.data import load_dataset
from netbuilder.training import Control, TrainConfig, train
from netbuilder.training.parts import lr_factor

from .helpers import digits, epochs, mlp, run, small_cnn


def test_learns_digits_and_reports_every_kind_of_event():
    data = digits()
    events = run(mlp(64, 10), data, TrainConfig(epochs=8, lr=3e-3, log_every=5))
    kinds = [e.kind for e in events]
    assert kinds[0] == "started" and kinds[-1] == "finished" and "step" in kinds
    assert kinds.count("epoch") == 8
    fin = events[-1]
    assert fin.val_accuracy >= 0.9 and fin.test_accuracy >= 0.9 and fin.reason == "completed"
    assert isinstance(fin.confusion, np.ndarray) and fin.confusion.shape == (10, 10)
    assert fin.confusion.sum() == data.sizes()["test"]
    assert np.trace(fin.confusion) / fin.confusion.sum() == pytest.approx(fin.test_accuracy)
    step = next(e for e in events if e.kind == "step")
    assert step.samples_per_second > 0 and 0 < step.progress <= 1 and step.lr == pytest.approx(3e-3)
    ep = epochs(events)
    assert ep[-1].train_loss < ep[0].train_loss


def test_same_seed_same_metrics_and_another_seed_differs():
    data = load_dataset("shapes", samples=300)
    cfg = TrainConfig(epochs=2, batch_size=32, seed=7, augmentation={"flip": True, "noise": 0.1})
    a = [e.to_dict() for e in epochs(run(small_cnn(1, 6, seed=1), data, cfg))]
    b = [e.to_dict() for e in epochs(run(small_cnn(1, 6, seed=1), data, cfg))]
    c = [e.to_dict() for e in epochs(run(small_cnn(1, 6, seed=1), data, cfg.replace(seed=8)))]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert strip(a) == strip(b) and strip(a) != strip(c)


def test_pause_and_resume_keep_the_optimiser_state():
    data = digits()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.9, epochs=3, batch_size=32)
    plain = epochs(run(mlp(64, 10), data, cfg))
    control = Control()
    events, paused_at = [], None
    for ev in train(mlp(64, 10), data, cfg, control):
        events.append(ev)
        if ev.kind == "step" and ev.step == 30:
            control.pause()
        if ev.kind == "state" and ev.state == "paused":
            paused_at = ev.step
            control.resume()
    states = [e.state for e in events if e.kind == "state"]
    assert states == ["paused", "resumed"] and paused_at == 30
    strip = lambda rows: [(e.train_loss, e.val_loss, e.val_accuracy) for e in rows]  # noqa: E731
    assert strip(epochs(events)) == strip(plain)


def test_checkpoint_then_resume_matches_an_uninterrupted_run(tmp_path):
    data = digits()
    cfg = TrainConfig(optimizer="adam", lr=2e-3, epochs=3, batch_size=64, checkpoint_every=1)
    plain = epochs(run(mlp(64, 10), data, cfg))
    control = Control()
    first = []
    for ev in train(mlp(64, 10), data, cfg, control, checkpoint_dir=str(tmp_path)):
        first.append(ev)
        if ev.kind == "checkpoint" and ev.epoch == 1:
            control.stop()
    assert (tmp_path / "checkpoint.pt").is_file() and first[-1].kind == "finished"
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # one file, no temporary left
    assert first[-1].reason == "stopped"
    rest = run(mlp(64, 10, seed=99), data, cfg, resume_from=str(tmp_path))
    assert rest[0].start_epoch == 1
    strip = lambda rows: [(e.epoch, e.train_loss, e.val_loss) for e in rows]  # noqa: E731
    assert strip(epochs(rest)) == strip(plain[1:])


def test_settings_changed_while_paused_apply_on_resume():
    data = digits()
    control = Control()
    lrs = []
    for ev in train(mlp(64, 10), data, TrainConfig(optimizer="sgd", lr=0.01, epochs=1, batch_size=16), control):
        if ev.kind == "step":
            lrs.append(ev.lr)
            if ev.step == 5:
                control.pause()
        if ev.kind == "state" and ev.state == "paused":
            control.update(lr=0.2, batch_size=64, momentum=0.5)
            control.resume()
        if ev.kind == "state" and ev.state == "resumed":
            assert ev.applied == {"lr": 0.2, "batch_size": 64, "momentum": 0.5}
    assert lrs[:5] == [0.01] * 5 and set(lrs[5:]) == {0.2}
    # 5 steps of 16, then the remaining samples in batches of 64
    assert len(lrs) == 5 + math.ceil((data.sizes()["train"] - 80) / 64)


def test_nan_loss_stops_with_advice():
    data = digits()
    events = run(mlp(64, 10), data, TrainConfig(optimizer="sgd", lr=1e6, momentum=0.9, epochs=3))
    fault = events[-1]
    assert fault.kind == "fault" and fault.fault == "nan"
    assert "learning rate" in fault.advice and "normalised" in fault.advice
    assert not any(e.kind == "finished" for e in events)


def test_runtime_error_is_a_fault_not_an_exception():
    data = digits()
    events = run(mlp(32, 10), data, TrainConfig(epochs=1))  # 32 inputs: does not fit 8x8 images
    assert events[-1].kind == "fault" and events[-1].fault == "error"
    assert "does not fit the data" in events[-1].advice


def test_requests_for_filters_and_feature_maps_are_answered_between_steps():
    data = load_dataset("shapes", samples=120)
    model = small_cnn(1, 6)
    control = Control()
    answers = {}
    for ev in train(model, data, TrainConfig(epochs=1, batch_size=16), control):
        if ev.kind == "step" and ev.step == 2:
            answers["f"] = control.request("filters", "0")
            answers["m"] = control.request("feature_maps", ["0", "2"], count=3)
            answers["bad"] = control.request("filters", "1")
            answers["call"] = control.request("call", lambda m, d: int(sum(p.numel() for p in m.parameters())))
        if ev.kind == "response":
            answers[ev.request_id] = ev
    f, m, bad, call = (answers[answers[k]] for k in ("f", "m", "bad", "call"))
    assert f.data.shape == (4, 1, 3, 3) and f.data.dtype == np.float32
    assert m.data["0"].shape == (3, 4, 28, 28) and m.data["2"].shape == (3, 4, 14, 14)
    assert bad.data is None and "no filters" in bad.error
    assert call.data == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
@pytest.mark.parametrize("loss", ["cross_entropy", "bce", "mse"])
def test_every_optimiser_and_loss_lowers_the_loss(optimizer, loss):
    data = load_dataset("gaussian", samples=200, noise=0.1)
    lr = {"sgd": 0.1, "adam": 0.02, "adamw": 0.02, "rmsprop": 0.01}[optimizer]
    ev = epochs(run(mlp(2, 2, hidden=8), data, TrainConfig(optimizer=optimizer, loss=loss, lr=lr, epochs=4,
                                                          batch_size=16, momentum=0.5)))
    assert ev[-1].train_loss < ev[0].train_loss or ev[-1].val_accuracy > 0.95


def test_batch_modes_change_the_number_of_steps():
    data = load_dataset("xor", samples=100)
    n = data.sizes()["train"]
    for mode, steps in (("full", 1), ("stochastic", n), ("minibatch", math.ceil(n / 10))):
        started = run(mlp(2, 2), data, TrainConfig(batch_mode=mode, batch_size=10, epochs=1))[0]
        assert started.steps_per_epoch == steps


def test_schedules_shape_the_learning_rate():
    c = TrainConfig(epochs=10, schedule="step", step_size=3, gamma=0.5)
    assert [lr_factor(c, e) for e in (0, 2.9, 3, 6.5)] == [1, 1, 0.5, 0.25]
    c = TrainConfig(epochs=10, schedule="cosine")
    assert lr_factor(c, 0) == 1 and lr_factor(c, 5) == pytest.approx(0.5) and lr_factor(c, 10) < 1e-9
    c = TrainConfig(epochs=10, schedule="onecycle")
    assert lr_factor(c, 0) == pytest.approx(1 / 25) and lr_factor(c, 3) == pytest.approx(1)
    assert lr_factor(c, 10) < 1e-4
    data = digits()
    lrs = [e.lr for e in run(mlp(64, 10), data, TrainConfig(epochs=2, schedule="cosine", lr=0.01)) if e.kind == "step"]
    assert lrs[0] == pytest.approx(0.01) and lrs[-1] < 0.001 and lrs == sorted(lrs, reverse=True)


def test_early_stopping_restores_the_best_epoch():
    data = digits()
    events = run(mlp(64, 10), data, TrainConfig(optimizer="sgd", lr=0.5, momentum=0.99, epochs=30,
                                                early_stopping_patience=1))
    fin = events[-1]
    if fin.kind == "fault":  # such a rate may blow up instead; then the NaN path is exercised
        assert fin.fault == "nan"
        return
    assert fin.reason == "early_stopping" and fin.epochs < 30
    best = min(epochs(events), key=lambda e: e.val_loss)
    assert fin.best_epoch == best.epoch and fin.val_loss == pytest.approx(best.val_loss, rel=1e-5)


def test_train_fraction_uses_part_of_the_training_set():
    data = digits()
    started = run(mlp(64, 10), data, TrainConfig(epochs=1, train_fraction=0.25))[0]
    assert started.train_size == data.sizes()["train"] // 4


def test_stop_before_the_first_batch_gives_no_phantom_epoch_and_still_evaluates_on_the_test_set():
    data = digits()
    control = Control()
    control.stop()
    events = run(mlp(64, 10), data, TrainConfig(epochs=5), control)
    fin = events[-1]
    assert fin.kind == "finished" and fin.reason == "stopped" and fin.epochs == 0
    assert not epochs(events) and math.isnan(fin.train_loss)
    assert 0 <= fin.test_accuracy <= 1


def test_stop_between_epochs_gives_no_phantom_epoch():
    data = digits()
    control = Control()
    events = []
    for ev in train(mlp(64, 10), data, TrainConfig(epochs=5), control):
        events.append(ev)
        if ev.kind == "epoch" and ev.epoch == 1:
            control.stop()  # noticed before epoch 3's first batch
    assert [e.epoch for e in epochs(events)] == [0, 1] and all(e.complete for e in epochs(events))
    assert events[-1].reason == "stopped" and events[-1].epochs == 2


def test_stop_mid_epoch_marks_the_epoch_incomplete():
    control = Control()
    events = []
    for ev in train(mlp(64, 10), digits(), TrainConfig(epochs=3, batch_size=16, log_every=1), control):
        events.append(ev)
        if ev.kind == "step" and ev.step == 3:
            control.stop()
    assert [(e.epoch, e.complete) for e in epochs(events)] == [(0, False)]


def test_checkpoint_is_one_file_holding_weights_and_state_together(tmp_path):
    import torch

    from netbuilder.training.checkpoint import load_checkpoint

    model = mlp(64, 10)
    run(model, digits(), TrainConfig(epochs=2, checkpoint_every=1), checkpoint_dir=str(tmp_path))
    weights, state = load_checkpoint(tmp_path)
    assert state["epoch"] == 2 and "optimizer" in state
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_seed_everything_and_seeded_fix_the_initial_weights():
    import torch

    from netbuilder.training import seed_everything, seeded

    def init():
        return torch.nn.Linear(4, 3).weight.detach().clone()

    seed_everything(5)
    a = init()
    seed_everything(5)
    assert torch.equal(a, init())
    before = torch.random.get_rng_state()
    with seeded(5):
        b = init()
    assert torch.equal(a, b) and torch.equal(before, torch.random.get_rng_state())


def test_augmentation_runs_inside_training():
    data = load_dataset("shapes", samples=120)
    cfg = TrainConfig(epochs=1, batch_size=16, augmentation={"flip": True, "shift": 2, "rotation": 15, "noise": 0.1})
    assert run(small_cnn(1, 6), data, cfg)[-1].kind == "finished"


def test_image_folder_streams_and_names_a_corrupt_image(tmp_path):
    from PIL import Image

    for c, v in (("a", 20), ("b", 230)):
        (tmp_path / c).mkdir()
        for i in range(8):
            Image.new("L", (10, 12), v + i).save(tmp_path / c / f"{i}.png")
    data = load_dataset(tmp_path, size=8, num_workers=1)
    events = run(mlp(64, 2), data, TrainConfig(epochs=2, batch_size=4))
    assert events[-1].kind == "finished" and events[-1].val_accuracy == 1.0
    # the data layer checks every file before training; one spoilt afterwards is named by the engine
    data = load_dataset(tmp_path, size=8, num_workers=1, val_fraction=0, test_fraction=0)
    (tmp_path / "b" / "3.png").write_bytes(b"garbage")
    events = run(mlp(64, 2), data, TrainConfig(epochs=1, batch_size=4))
    assert events[-1].kind == "fault" and events[-1].fault == "data"
    assert "3.png: not a readable image" in events[-1].message


def test_predictions_come_from_each_epochs_own_evaluation_only_when_asked():
    data = digits()
    plain = run(mlp(64, 10), data, TrainConfig(epochs=2, lr=3e-3))
    assert not any(e.kind == "predictions" for e in plain)
    control = Control()
    control.keep_predictions = 10_000  # more than the validation set: all of it
    events = run(mlp(64, 10), data, TrainConfig(epochs=2, lr=3e-3), control)
    kinds = [e.kind for e in events]
    assert kinds.count("predictions") == 2 and kinds[kinds.index("epoch") + 1] == "predictions"
    for ep, pred in zip(epochs(events), [e for e in events if e.kind == "predictions"], strict=True):
        assert pred.epoch == ep.epoch and pred.split == "val"
        assert pred.probs.shape == (data.sizes()["val"], 10) and pred.labels.shape == (data.sizes()["val"],)
        np.testing.assert_allclose(pred.probs.sum(1), 1.0, rtol=1e-5)
        np.testing.assert_array_equal(pred.labels, data.y_val.numpy())
        # the same pass as the epoch's validation metrics, not another one
        assert (pred.probs.argmax(1) == pred.labels).mean() == pytest.approx(ep.val_accuracy)
    control = Control()
    control.keep_predictions = 25
    first = next(e for e in run(mlp(64, 10), data, TrainConfig(epochs=1), control) if e.kind == "predictions")
    assert first.probs.shape == (25, 10) and len(first.labels) == 25


def test_a_step_event_as_a_dict_is_what_asdict_gives():
    """Step.to_dict is a shallow copy (the window converts hundreds a second); the same keys, in order."""
    import dataclasses

    from netbuilder.training.events import Step

    step = Step(1, 20, 0.25, 0.7, 0.8, 0.01, 1234.0)
    assert step.to_dict() == dataclasses.asdict(step)
    assert list(step.to_dict()) == list(dataclasses.asdict(step))
