"""The engine's CPU fast path: channels-last convolutions for the run only (the model, its weights
files and checkpoints stay in the standard layout), fused optimiser state in the parameters' layout,
and metrics counted from a prediction buffer instead of per step."""

import dataclasses

import pytest
import torch

from netbuilder.training import Control, TrainConfig, train
from netbuilder.training import engine as engine_module
from netbuilder.training.checkpoint import load_checkpoint
from netbuilder.training.parts import (
    fast_memory_format,
    match_state_layout,
    standard_layout,
    standard_strides,
)

from .helpers import digits, epochs, mlp, run, small_cnn

CL = torch.channels_last


def two_convs(seed: int = 0) -> torch.nn.Module:
    """For 8x8 digits; the second convolution has several input channels, so its channels-last layout
    differs from the standard one in memory (with one input channel the two are the same bytes)."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 6, 3),
                               torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(54, 10))


def _standard(model: torch.nn.Module) -> bool:
    """Every weight, buffer and gradient in exactly the standard strides (``is_contiguous()`` alone also
    holds for channels-last tensors with one input channel)."""
    tensors = list(model.state_dict().values()) + [p.grad for p in model.parameters() if p.grad is not None]
    return all(t.stride() == standard_strides(t.shape) for t in tensors)


def _strip(rows):
    return [(e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy) for e in rows]


def _layout_seen_during_training(model, data, cfg) -> tuple[tuple | None, list]:
    """The strides of the second convolution's weights as a request sees them during the run."""
    control = Control()
    seen = {}
    events = []
    for ev in train(model, data, cfg, control):
        events.append(ev)
        if ev.kind == "step" and "asked" not in seen:
            seen["asked"] = control.request("call", lambda m, _d: m[2].weight.stride())
        if ev.kind == "response":
            seen["answer"] = ev.data
    return seen.get("answer"), events


def test_the_layout_is_channels_last_only_for_convolutions_on_the_cpu():
    assert fast_memory_format(small_cnn(1, 10, size=8), torch.device("cpu")) is CL
    assert fast_memory_format(mlp(64, 10), torch.device("cpu")) is None
    assert fast_memory_format(small_cnn(1, 10, size=8), torch.device("meta")) is None


def test_a_conv_model_trains_channels_last_and_is_given_back_in_the_standard_layout():
    data = digits()
    model = two_convs()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.9, epochs=1, batch_size=32)
    during, events = _layout_seen_during_training(model, data, cfg)
    assert during == (36, 1, 12, 4)  # the fast path was taken: (6, 4, 3, 3) weights in channels-last
    assert events[-1].kind == "finished"
    assert _standard(model)  # weights and gradients, as the views, weights files and exports read them
    assert any(p.grad is not None for p in model.parameters())


def test_an_mlp_is_left_in_its_layout():
    data = digits()
    model = mlp(64, 10)
    control = Control()
    answers = []
    for ev in train(model, data, TrainConfig(epochs=1, batch_size=64), control):
        if ev.kind == "step" and not answers:
            answers.append(control.request("call", lambda m, _d: all(p.is_contiguous() for p in m.parameters())))
        if ev.kind == "response":
            answers.append(ev.data)
    assert answers[-1] is True


def test_channels_last_gives_the_standard_layouts_trajectory(monkeypatch):
    data = digits()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.9, epochs=3, batch_size=32, seed=3)
    fast_model = two_convs()
    fast = epochs(run(fast_model, data, cfg))
    monkeypatch.setattr(engine_module, "fast_memory_format", lambda *_: None)
    plain_model = two_convs()
    plain = epochs(run(plain_model, data, cfg))
    for a, b in zip(fast, plain, strict=True):
        assert a.train_loss == pytest.approx(b.train_loss, rel=1e-4)
        assert a.val_loss == pytest.approx(b.val_loss, rel=1e-4)
        assert a.train_accuracy == pytest.approx(b.train_accuracy, abs=3 / 1257)
    for (name, a), (_, b) in zip(fast_model.state_dict().items(), plain_model.state_dict().items(), strict=True):
        assert torch.allclose(a, b, rtol=1e-3, atol=1e-5), name


def test_same_seed_same_results_on_the_fast_path():
    data = digits()
    cfg = TrainConfig(optimizer="adam", lr=3e-3, epochs=2, batch_size=32, seed=5)
    a, b = (_strip(epochs(run(two_convs(), data, cfg))) for _ in range(2))
    assert a == b


def test_a_dropped_run_gives_the_model_back_in_the_standard_layout():
    data = digits()
    model = two_convs()
    gen = train(model, data, TrainConfig(epochs=2, batch_size=32))
    for ev in gen:
        if ev.kind == "step":
            break
    assert model[0].weight.stride() == (9, 1, 3, 1)  # channels-last (one input channel)
    gen.close()
    assert _standard(model)


def test_a_fault_gives_the_model_back_in_the_standard_layout():
    data = digits()
    model = two_convs()
    events = run(model, data, TrainConfig(optimizer="sgd", lr=1e9, epochs=3, batch_size=32, log_every=1))
    assert events[-1].kind == "fault" and events[-1].fault == "nan"
    assert _standard(model)


def test_checkpoints_are_standard_and_resume_exactly_on_the_fast_path(tmp_path):
    data = digits()
    cfg = TrainConfig(optimizer="sgd", lr=0.05, momentum=0.9, epochs=3, batch_size=64, checkpoint_every=1)
    plain = epochs(run(two_convs(), data, cfg))
    control = Control()
    for ev in train(two_convs(), data, cfg, control, checkpoint_dir=str(tmp_path)):
        if ev.kind == "checkpoint" and ev.epoch == 1:
            control.stop()
    weights, state = load_checkpoint(tmp_path)
    assert all(t.stride() == standard_strides(t.shape) for t in weights.values())
    buffers = [s["momentum_buffer"] for s in state["optimizer"]["state"].values()]
    assert buffers and all(t.stride() == standard_strides(t.shape) for t in buffers)
    # the standard-layout momentum goes back into channels-last parameters: a fused step reading it in
    # the wrong order would change the numbers
    rest = run(two_convs(seed=99), data, cfg, resume_from=str(tmp_path))
    strip = lambda rows: [(e.epoch, e.train_loss, e.val_loss) for e in rows]  # noqa: E731
    assert strip(epochs(rest)) == strip(plain[1:])


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_match_state_layout_puts_optimiser_state_in_the_parameters_layout(kind):
    torch.manual_seed(0)
    start = torch.randn(4, 3, 3, 3)
    grads = [torch.randn(4, 3, 3, 3).contiguous(memory_format=CL) for _ in range(3)]
    kw = {"lr": 0.1, "momentum": 0.9} if kind == "SGD" else {"lr": 0.1}

    def trained(fix: bool) -> torch.Tensor:
        p = torch.nn.Parameter(start.clone().contiguous(memory_format=CL))
        opt = getattr(torch.optim, kind)([p], fused=True, **kw)
        for i, g in enumerate(grads):
            p.grad = g.clone()
            opt.step()
            if i == 0:  # as after loading a checkpoint written in the standard layout
                opt.load_state_dict(standard_layout(opt.state_dict()))
                if fix:
                    match_state_layout(opt)
        return p.detach()

    reference = torch.nn.Parameter(start.clone())
    opt = getattr(torch.optim, kind)([reference], **kw)
    for g in grads:
        reference.grad = g.contiguous()
        opt.step()
    assert torch.allclose(trained(True), reference.detach(), atol=1e-6)


def test_standard_layout_copies_without_touching_the_optimiser():
    p = torch.nn.Parameter(torch.randn(2, 3, 2, 2).contiguous(memory_format=CL))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = torch.ones_like(p)
    opt.step()
    out = standard_layout(opt.state_dict())
    assert out["state"][0]["momentum_buffer"].is_contiguous()
    assert not opt.state[p]["momentum_buffer"].is_contiguous()
    assert out["param_groups"] == opt.state_dict()["param_groups"]


@pytest.mark.parametrize("loss, outputs", [("cross_entropy", 10), ("bce", 1)])
def test_train_accuracy_counts_every_prediction(loss, outputs):
    """With a negligible learning rate the model does not change, so the epoch's training accuracy must
    count exactly the model's correct answers on the training set, and each step event's window a whole
    number of them."""
    data = digits()
    if outputs == 1:  # a yes/no task: digit 0 or not
        data = dataclasses.replace(data, y_train=(data.y_train == 0).long(), y_val=(data.y_val == 0).long(),
                                   y_test=(data.y_test == 0).long(), class_names=["other", "zero"])
    model = mlp(64, outputs)
    with torch.no_grad():
        out = model(data.normalize(data.x_train))
        expected = int((((out[:, 0] > 0).long() if outputs == 1 else out.argmax(1)) == data.y_train).sum())
    events = run(model, data, TrainConfig(optimizer="sgd", lr=1e-12, epochs=1, batch_size=50, log_every=3,
                                           loss=loss))
    assert epochs(events)[0].train_accuracy * len(data.y_train) == pytest.approx(expected, abs=1e-6)
    steps = [e for e in events if e.kind == "step"]
    assert len(steps) == 8  # 26 batches, an event every 3: windows of 150 samples
    counts = [s.accuracy * 150 for s in steps]
    assert all(c == pytest.approx(round(c), abs=1e-6) for c in counts)
    assert expected - 57 <= sum(round(c) for c in counts) <= expected  # 57 samples after the last event


def test_the_unwrapped_step_matches_the_optimisers_step_and_hooks_still_run():
    import torch.optim.optimizer as torch_optimizer

    from netbuilder.training.parts import make_optimizer, step_function

    def model_and_grads(seed: int):
        torch.manual_seed(seed)
        m = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
        for p in m.parameters():
            p.grad = torch.randn_like(p)
        return m

    for kind in ("sgd", "adam", "adamw", "rmsprop"):
        config = TrainConfig(optimizer=kind, lr=0.01, momentum=0.9)
        a, b = model_and_grads(0), model_and_grads(0)
        opt_a, opt_b = make_optimizer(a.parameters(), config), make_optimizer(b.parameters(), config)
        fast = step_function(opt_b)
        assert fast is not opt_b.step  # the unwrapped step is in use on this torch
        for _ in range(3):
            opt_a.step()
            fast()
        for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
            assert torch.equal(pa, pb), kind
    calls: list = []
    handle = opt_b.register_step_pre_hook(lambda *_: calls.append("local"))
    fast()
    handle.remove()
    glob = torch_optimizer.register_optimizer_step_post_hook(lambda *_: calls.append("global"))
    try:
        fast()
    finally:
        glob.remove()
    fast()
    assert calls == ["local", "global"]  # a hook registered later is still called; none after removal


def test_an_instance_whose_step_was_replaced_keeps_it():
    from netbuilder.training.parts import step_function

    opt = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=0.1)
    seen: list = []
    original = opt.step
    opt.step = lambda *a, **k: seen.append(1) or original(*a, **k)  # as a torch LR scheduler patches it
    step_function(opt)()
    assert seen == [1]
