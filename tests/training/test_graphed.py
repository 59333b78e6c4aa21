"""The GPU fast path (training/graphed.py), its logic tested on the CPU with a stand-in for CUDA graphs
(fake_graphs.ReplayedSteps): a run whose steps are warmed up, captured and replayed trains exactly as an
eager run does, through an epoch's shorter last batch, a schedule, live changes of the learning rate,
momentum, batch size and optimiser, a pause with a question, augmentation, a checkpoint and a failed
capture (which falls back with one line)."""

import pytest
import torch

from netbuilder.data.augment import Augmentation
from netbuilder.training import Control, TrainConfig, train
from netbuilder.training import graphed as graphed_module
from netbuilder.training.checkpoint import load_checkpoint

from .fake_graphs import ReplayedSteps
from .helpers import digits, epochs, mlp, run, small_cnn


@pytest.fixture
def fake(monkeypatch):
    """Captured steps on the CPU through the stand-in; yields it (its counts) after each run."""
    made: list[ReplayedSteps] = []

    def backend(device):
        made.append(ReplayedSteps(fail=getattr(backend, "fail", None)))
        return made[-1]

    monkeypatch.setattr(graphed_module, "backend", backend)
    backend.made = made
    return backend


def _weights(model):
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def _same_run(a_events, b_events, a_model, b_model, tol=1e-5):
    ea, eb = epochs(a_events), epochs(b_events)
    assert len(ea) == len(eb) > 0
    for x, y in zip(ea, eb, strict=True):
        assert x.train_accuracy == pytest.approx(y.train_accuracy, abs=2e-3)
        assert x.train_loss == pytest.approx(y.train_loss, rel=1e-4, abs=1e-5)
        assert x.val_loss == pytest.approx(y.val_loss, rel=1e-4, abs=1e-5)
    wa, wb = _weights(a_model), _weights(b_model)
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], rtol=tol, atol=tol, msg=k)


def _both(make_model, data, cfg, drive=run, tol=1e-5):
    """The same run eager (no capture backend) and captured; checks they train alike; both runs' events
    and the captured run's model."""
    eager_model, graph_model = make_model(), make_model()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(graphed_module, "backend", lambda device: None)
        eager = drive(eager_model, data, cfg)
    captured = drive(graph_model, data, cfg)
    _same_run(eager, captured, eager_model, graph_model, tol)
    return eager, captured, graph_model


def _drive(model, data, cfg, at_step: dict | None = None):
    """A run that applies ``at_step[k]`` (settings, or "pause") when the step event k arrives."""
    control, events = Control(), []
    for ev in train(model, data, cfg, control):
        events.append(ev)
        if ev.kind == "step" and at_step and ev.step in at_step:
            change = at_step[ev.step]
            if change == "pause":
                control.pause()
                control.request("call", lambda m, _d: float(sum(p.grad.abs().sum() for p in m.parameters())))
            else:
                control.update(**change)
        if ev.kind == "state" and ev.state == "paused":
            control.resume()
    return events


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
def test_captured_steps_train_as_eager_steps_do(fake, optimizer):
    data = digits()
    cfg = TrainConfig(optimizer=optimizer, lr=0.01 if optimizer == "sgd" else 0.002, momentum=0.9,
                      weight_decay=1e-4, batch_size=128, epochs=3, seed=3)
    _, captured, graph_model = _both(lambda: mlp(64, 10, seed=1), data, cfg)
    graphs = fake.made[-1]
    # The usual batch and the epoch's shorter last one: each warmed up twice, then captured once.
    steps_per_epoch = -(-len(data.y_train) // 128)
    assert (graphs.warms, graphs.captures) == (4, 2)
    assert graphs.replays == 3 * steps_per_epoch - 6
    notices = [e for e in captured if e.kind == "notice"]
    assert len(notices) == 1 and notices[0].fast_path and "CUDA graph" in notices[0].message
    assert all(p.grad is not None for p in graph_model.parameters())  # readable between steps, as before
    # No captured step reads a value on the host (a CUDA capture would fail), except RMSprop's here: on
    # the CPU it cannot be made ``capturable``, which on CUDA keeps its step count on the device.
    assert graphs.syncs == 0 or optimizer == "rmsprop"


@pytest.mark.parametrize(("preset", "loss", "optimizer"), [
    ("lenet5", "cross_entropy", "sgd"), ("lenet5", "mse", "adam"), ("lenet5", "bce", "adamw"),
    ("resnet_cifar", "cross_entropy", "sgd")])
def test_the_presets_steps_never_read_a_value_on_the_host(fake, preset, loss, optimizer):
    """The compiled designs the GPU check times (batch norm, dropout, residual adds), with every loss:
    a captured step that read a tensor's value on the host would fail to capture on CUDA (and the run
    fall back to eager steps), so the stand-in counts such reads and there must be none."""
    from netbuilder.compiler import compile_design
    from netbuilder.data.bundle import DatasetBundle
    from netbuilder.presets import build_preset

    g = torch.Generator().manual_seed(0)
    shape = (1, 28, 28) if preset == "lenet5" else (3, 32, 32)
    x = torch.randint(0, 256, (96, *shape), generator=g, dtype=torch.uint8)
    y = torch.randint(0, 10, (96,), generator=g)
    data = DatasetBundle(name="random", kind="image", input_shape=shape, class_names=[str(i) for i in range(10)],
                         source="built-in", x_train=x, y_train=y, x_val=x[:32], y_val=y[:32], x_test=x[:32],
                         y_test=y[:32], scale=1 / 255)
    model = compile_design(build_preset(preset, input_shape=list(shape), num_classes=10))
    cfg = TrainConfig(optimizer=optimizer, loss=loss, lr=0.01, batch_size=32, epochs=2, seed=0)
    events = run(model, data, cfg)
    assert events[-1].kind == "finished"
    graphs = fake.made[-1]
    assert graphs.captures == 1 and graphs.replays == 3
    assert graphs.syncs == 0


def test_a_schedule_and_live_changes_are_followed_with_captures_only_where_needed(fake):
    data = digits()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.9, batch_size=100, epochs=3, seed=5,
                      schedule="cosine", log_every=1)
    changes = {4: {"lr": 0.02}, 9: {"momentum": 0.5}, 15: {"batch_size": 64}, 30: {"optimizer": "adam", "lr": 0.003}}
    _, captured, _ = _both(lambda: mlp(64, 10, seed=2), data, cfg, lambda m, d, c: _drive(m, d, c, changes))
    graphs = fake.made[-1]
    # The rate (set at every step by the schedule, and once by hand) never needs a new capture; momentum
    # and the optimiser drop the graphs (a reset each); a batch size is a new shape.
    assert graphs.resets == 1 + 2  # at the start, then momentum and optimiser
    assert graphs.syncs == 0
    assert [e.applied for e in captured if e.kind == "state"] == [c for _, c in sorted(changes.items())]


def test_a_pause_with_a_question_and_augmentation_keep_the_captured_run_exact(fake):
    data = digits()
    aug = Augmentation(flip=False, shift=1, rotation=5.0, noise=0.05)
    cfg = TrainConfig(optimizer="adam", lr=0.003, batch_size=64, epochs=1, seed=7, augmentation=aug, log_every=1)
    _, captured, _ = _both(lambda: small_cnn(1, 10, seed=4, size=8), data, cfg,
                           lambda m, d, c: _drive(m, d, c, {6: "pause"}), tol=1e-4)
    answers = [e.data for e in captured if e.kind == "response"]
    assert len(answers) == 1 and answers[0] > 0  # the gradients of the last step, seen while paused
    assert fake.made[-1].captures >= 1 and fake.made[-1].syncs == 0  # (augmentation and normalising too)


def test_a_failed_capture_says_why_in_one_line_and_the_run_goes_on_eagerly(fake):
    fake.fail = "operation not permitted when stream is capturing"
    data = digits()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.9, batch_size=128, epochs=2, seed=1)
    _, captured, _ = _both(lambda: mlp(64, 10, seed=3), data, cfg)
    notices = [e for e in captured if e.kind == "notice"]
    assert len(notices) == 1 and not notices[0].fast_path
    assert "\n" not in notices[0].message
    assert "operation not permitted when stream is capturing" in notices[0].message
    assert "step by step" in notices[0].message
    assert captured[-1].kind == "finished"


def test_a_checkpoint_of_a_captured_run_holds_plain_numbers_and_resumes_eagerly(fake, tmp_path):
    data = digits()
    cfg = TrainConfig(optimizer="adam", lr=0.003, batch_size=128, epochs=1, seed=2, checkpoint_every=1)
    model = mlp(64, 10, seed=5)
    run(model, data, cfg, checkpoint_dir=str(tmp_path))
    _, state = load_checkpoint(str(tmp_path))
    group = state["optimizer"]["param_groups"][0]
    assert isinstance(group["lr"], float) and group["lr"] == pytest.approx(0.003)
    assert group["capturable"] is False
    # A CPU run with no captured steps resumes from it.
    with pytest.MonkeyPatch.context() as m:
        m.setattr(graphed_module, "backend", lambda device: None)
        events = run(mlp(64, 10, seed=5), data, cfg.replace(epochs=2), resume_from=str(tmp_path))
    assert [e.epoch for e in epochs(events)] == [1]


def test_the_stand_in_holds_the_numbers_of_its_capture_as_a_graph_does():
    """Why the live-change test can fail: a momentum changed without a new capture is not seen."""
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.0)
    graphs = ReplayedSteps()
    seen = []
    replay = graphs.capture(lambda: seen.append(opt.param_groups[0]["momentum"]), opt)
    opt.param_groups[0]["momentum"] = 0.9
    replay()
    assert seen == [0.0, 0.0] and opt.param_groups[0]["momentum"] == 0.9


def test_where_the_fast_path_is_not_used():
    cpu = torch.device("cpu")
    assert graphed_module.backend(cpu) is None
    assert "files" in graphed_module.why_not(True, False, None)
    assert "processes" in graphed_module.why_not(False, True, None)
    assert "bf16" in graphed_module.why_not(False, False, torch.float16)
    assert graphed_module.why_not(False, False, torch.bfloat16) is None
    assert graphed_module.why_not(False, False, None) is None


def test_the_switch_turns_cuda_graphs_off(monkeypatch):
    monkeypatch.setenv("NETBUILDER_CUDA_GRAPHS", "0")
    assert graphed_module.backend(torch.device("cuda", 0)) is None


def test_the_gpu_check_script_runs_and_prints_the_ratios_asked_for():
    """The device's script must not rot between the sessions that have a GPU: its CPU smoke run works."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "benchmarks" / "gpu_check.py"), "--smoke"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("lenet5", "resnet_cifar"):
        line = next(x for x in done.stdout.splitlines() if x.startswith(f"{name}_graphed_vs_hand_eager: "))
        assert float(line.split()[1]) > 0
