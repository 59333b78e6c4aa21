"""The GPU fast path on a real CUDA device (skipped without one): captured steps train as eager ones do,
with every optimiser, in bf16, through live changes; a model that reads the GPU inside its forward pass
cannot be captured, and the run goes on eagerly with one line saying why."""

import pytest
import torch

from netbuilder.training import Control, TrainConfig, train
from netbuilder.training import graphed as graphed_module

from .helpers import digits, epochs, small_cnn

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]


class ReadsTheGpu(torch.nn.Module):
    """A forward pass with a host read in it (``.item()``): fine eagerly, impossible inside a capture."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.body = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))

    def forward(self, x):
        out = self.body(x)
        return out * (1.0 if out.abs().max().item() < 1e9 else 0.0)


def _run(model, cfg, graphs: bool, monkeypatch, changes=None):
    monkeypatch.setenv("NETBUILDER_CUDA_GRAPHS", "1" if graphs else "0")
    control, events = Control(), []
    for ev in train(model, digits(), cfg, control):
        events.append(ev)
        if ev.kind == "step" and changes and ev.step in changes:
            control.update(**changes[ev.step])
    return events


def _close(a, b, ma, mb, tol):
    for x, y in zip(epochs(a), epochs(b), strict=True):
        assert x.train_loss == pytest.approx(y.train_loss, rel=tol, abs=tol)
        assert x.val_accuracy == pytest.approx(y.val_accuracy, abs=0.01)
    for (k, va), vb in zip(ma.state_dict().items(), mb.state_dict().values(), strict=True):
        torch.testing.assert_close(va.float(), vb.float(), rtol=tol, atol=tol, msg=k)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
@pytest.mark.parametrize("precision", ["off", "bf16"])
def test_captured_steps_on_the_gpu_train_as_eager_ones(monkeypatch, optimizer, precision):
    cfg = TrainConfig(optimizer=optimizer, lr=0.01 if optimizer == "sgd" else 0.002, momentum=0.9, batch_size=128,
                      epochs=3, seed=1, device="cuda", mixed_precision=precision, schedule="cosine")
    changes = {5: {"lr": 0.004}, 12: {"batch_size": 96}}
    a, b = small_cnn(1, 10, seed=2, size=8), small_cnn(1, 10, seed=2, size=8)
    eager = _run(a, cfg, False, monkeypatch, changes)
    captured = _run(b, cfg, True, monkeypatch, changes)
    notices = [e for e in captured if e.kind == "notice"]
    assert notices and notices[0].fast_path, [e.message for e in notices]
    _close(eager, captured, a, b, 1e-3 if precision == "off" else 3e-2)


def test_a_model_that_cannot_be_captured_trains_eagerly_with_one_line(monkeypatch):
    cfg = TrainConfig(optimizer="sgd", lr=0.05, batch_size=128, epochs=2, device="cuda", seed=0)
    events = _run(ReadsTheGpu().cuda(), cfg, True, monkeypatch)
    notices = [e for e in events if e.kind == "notice"]
    assert len(notices) == 1 and not notices[0].fast_path and "\n" not in notices[0].message
    assert events[-1].kind == "finished" and events[-1].val_accuracy > 0.5


def test_fp16_trains_step_by_step_and_says_so(monkeypatch):
    cfg = TrainConfig(optimizer="sgd", lr=0.05, batch_size=128, epochs=1, device="cuda", mixed_precision="fp16")
    events = _run(small_cnn(1, 10, size=8), cfg, True, monkeypatch)
    notices = [e for e in events if e.kind == "notice"]
    assert len(notices) == 1 and "fp16" in notices[0].message
    assert events[-1].kind == "finished"
    assert graphed_module.why_not(False, False, torch.float16)


@pytest.mark.parametrize("graphs", [True, False], ids=["captured", "eager"])
def test_the_steps_of_an_epoch_never_wait_for_the_gpu(monkeypatch, graphs):
    """With CUDA's sync debug mode on, a run of 3 epochs makes no more waits for the device than a run of 1
    plus a few per epoch (validation, the epoch's totals): reading the step metrics (every 2 steps here)
    and the learning rate waits for nothing (readout.py, parts.lr_of)."""
    import warnings

    cfg = TrainConfig(optimizer="adam", lr=0.002, batch_size=16, log_every=2, device="cuda", seed=0)

    def waits(epochs_: int) -> tuple[int, list]:
        torch.cuda.set_sync_debug_mode("warn")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                events = _run(small_cnn(1, 10, size=8).cuda(), cfg.replace(epochs=epochs_), graphs, monkeypatch)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        assert events[-1].kind == "finished"
        return sum("synchroniz" in str(w.message) for w in caught), events

    one, _ = waits(1)
    three, events = waits(3)
    steps = [e for e in events if e.kind == "step"]
    assert len(steps) >= 3 * 35  # a step event every 2 of the epoch's ~79 steps
    per_epoch = (three - one) / 2
    assert per_epoch < 20, f"{per_epoch} waits per epoch of {len(steps) // 3} step events"
