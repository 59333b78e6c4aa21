"""Step metrics read without waiting for the device (training/readout.py): on a GPU the sums are copied
into host memory and read one window later, so no step waits for the device. Forced on the CPU here:
a lagged run sends the very same step events (each one window later, all before their epoch's event),
a stop mid-epoch still sends every window, and a NaN is caught with the step it happened at. The
learning rate held on the device for a captured step is read from its host copy, never from the device."""

import math

import pytest
import torch

from netbuilder.training import Control, TrainConfig, graphed, train
from netbuilder.training import engine as engine_module
from netbuilder.training.parts import HOST_LR, lr_of, make_optimizer, set_lr
from netbuilder.training.readout import Mark, Readout

from .helpers import digits, mlp, run

CPU = torch.device("cpu")


def _windows(lagged: bool, sums: list[tuple[float, int, int]]):
    readout, got, arrived_at = Readout(CPU, lagged=lagged), [], []
    for i, (loss, correct, seen) in enumerate(sums):
        mark = Mark(0, i + 1, (i + 1) / len(sums), seen, 0.1, float(i + 1))
        out = readout.post(torch.tensor(loss, dtype=torch.float64), torch.tensor(correct), mark)
        got += out
        arrived_at += [i] * len(out)
    got += readout.flush()
    return got, arrived_at


def test_a_lagged_read_gives_the_same_windows_one_late():
    sums = [(2.0 * (i + 1), 3 * (i + 1), 4 * (i + 1)) for i in range(5)]
    now, at_once = _windows(False, sums)
    late, one_late = _windows(True, sums)
    assert late == now and len(now) == 5
    assert at_once == [0, 1, 2, 3, 4] and one_late == [1, 2, 3, 4]  # (the last one at the flush)
    assert [w.loss for w in now] == [0.5] * 5 and [w.accuracy for w in now] == [0.75] * 5
    assert [w.samples_per_second for w in now[1:]] == [4.0] * 4  # 4 samples a second (marks 1 s apart)


def _lagged(monkeypatch):
    monkeypatch.setattr(engine_module, "Readout", lambda device: Readout(device, lagged=True))


def _steps(events):
    return [(e.epoch, e.step, e.progress, e.loss, e.accuracy, e.lr) for e in events if e.kind == "step"]


def test_a_lagged_run_sends_the_same_step_events_before_each_epoch_event(monkeypatch):
    data = digits()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, epochs=2, batch_size=64, log_every=3, schedule="cosine")
    plain = run(mlp(64, 10), data, cfg)
    _lagged(monkeypatch)
    lagged = run(mlp(64, 10), data, cfg)
    assert _steps(lagged) == _steps(plain)  # the same numbers, the same marks
    assert len(_steps(plain)) == 2 * math.ceil(data.sizes()["train"] / 64) // 3
    kinds = [(e.kind, e.epoch) for e in lagged if e.kind in ("step", "epoch")]
    assert kinds == [(e.kind, e.epoch) for e in plain if e.kind in ("step", "epoch")]  # same order


def test_a_stop_mid_epoch_still_sends_every_window(monkeypatch):
    _lagged(monkeypatch)
    control, events = Control(), []
    for ev in train(mlp(64, 10), digits(), TrainConfig(optimizer="sgd", lr=0.05, epochs=3, batch_size=16,
                                                       log_every=2), control):
        events.append(ev)
        if ev.kind == "step" and ev.step == 10:  # (sent once step 12 was posted)
            control.stop()
    steps = [e.step for e in events if e.kind == "step"]
    assert steps == list(range(2, steps[-1] + 1, 2)) and steps[-1] >= 12  # none lost, none twice
    assert events[-1].kind == "finished" and events[-1].reason == "stopped"


def test_a_nan_in_a_lagged_window_is_a_fault_with_its_step(monkeypatch):
    _lagged(monkeypatch)
    events = run(mlp(64, 10), digits(), TrainConfig(optimizer="sgd", lr=1e6, momentum=0.9, epochs=3,
                                                    batch_size=32, log_every=1))
    fault = events[-1]
    assert fault.kind == "fault" and fault.fault == "nan"
    last_step = max(e.step for e in events if e.kind == "step") if any(e.kind == "step" for e in events) else 0
    assert fault.step == last_step + 1  # the window's own step, not the step the run had reached
    assert f"step {fault.step}" in fault.message


def test_a_learning_rate_on_the_device_is_read_from_its_host_copy():
    model = mlp(64, 10)
    opt = make_optimizer(model.parameters(), TrainConfig(optimizer="adam", lr=0.01))
    graphed.capturable(opt, torch.device("meta"))  # a meta tensor has no value: reading it would fail
    assert isinstance(opt.param_groups[0]["lr"], torch.Tensor) and lr_of(opt) == 0.01
    with pytest.raises(RuntimeError):
        float(opt.param_groups[0]["lr"])
    set_lr(opt, 0.003)
    assert lr_of(opt) == 0.003
    opt.param_groups[0]["lr"] = torch.tensor(0.003)  # (a real device's value, for the checkpoint)
    state = graphed.plain_groups(opt.state_dict())
    assert state["param_groups"][0]["lr"] == pytest.approx(0.003) and HOST_LR not in state["param_groups"][0]
