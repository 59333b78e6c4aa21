"""The memory check a run makes before its first step (training/memory.py): at the run's real batch size,
against the memory free; the evaluation batch that fits; the CPU allocator's failure as the plain OOM fault.

Tiny models only: the free memory is monkeypatched to what the test needs."""

import pytest
import torch

from netbuilder.data import load_dataset
from netbuilder.training import faults, memory
from netbuilder.training.config import TrainConfig
from tests.training.helpers import digits, mlp, run, small_cnn


def _estimate(model, data, cfg):
    """The estimate the engine makes for ``model`` on ``data`` (before any free memory is patched)."""
    return memory.estimate(model, data.normalize(data.x_train[:1]), cfg, torch.device("cpu"))


def _free(monkeypatch, free: int) -> None:
    monkeypatch.setattr(memory, "available", lambda device: (free, True))


def test_a_batch_that_clearly_does_not_fit_stops_before_the_first_step(monkeypatch):
    data, model = digits(), small_cnn(1, 10, size=8)
    cfg = TrainConfig(epochs=1, batch_size=200)
    monkeypatch.setattr(memory, "OVERHEAD", 0)  # a tiny model: the libraries' share would hide its own
    est = _estimate(model, data, cfg)
    _free(monkeypatch, est.fixed + 40 * est.per_sample)  # 40 samples fit beside the gradients and Adam's state
    before = [p.detach().clone() for p in model.parameters()]
    events = run(model, data, cfg)
    assert [e.kind for e in events] == ["fault"]  # before Started: nothing was allocated, nothing trained
    fault = events[0]
    assert fault.fault == "oom" and "\n" not in fault.message
    assert "at a batch of 200 needs about" in fault.message and "GiB" in fault.message
    assert "are free on this computer" in fault.message and fault.message.endswith("a batch of 32 or less fits")
    assert "batch size to 32 or less" in fault.advice and "close other programs" in fault.advice
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    # the largest batch it names does start
    assert run(model, data, cfg.replace(batch_size=32, train_fraction=0.1))[-1].kind == "finished"
    # an estimate a bit above what is free (5 %) is within the margin: the run starts
    _free(monkeypatch, int(est.need(64) / 1.05))
    events = run(model, data, cfg.replace(batch_size=64, train_fraction=0.2))
    assert events[0].kind == "started" and events[-1].kind == "finished"
    # a batch setting above the training set's size is checked at the batch the epochs really cut (26 here)
    _free(monkeypatch, est.fixed + 40 * est.per_sample)
    assert run(model, data, cfg.replace(batch_size=100_000, train_fraction=0.02))[-1].kind == "finished"
    # full batch (the whole training set a step): the way out is mini-batches, not a smaller batch size
    full = run(model, data, cfg.replace(batch_mode="full"))[0]
    assert full.kind == "fault" and full.advice.startswith("train in mini-batches (batch mode) of 32 or less")


def test_not_even_one_sample_fits(monkeypatch):
    data, model = digits(), mlp(64, 10)
    cfg = TrainConfig(epochs=1, batch_size=16)
    _free(monkeypatch, _estimate(model, data, cfg).fixed // 2)
    events = run(model, data, cfg)
    assert events[0].kind == "fault" and events[0].message.endswith("even a batch of 1 does not fit")
    assert "smaller model" in events[0].advice


def test_the_estimate_counts_gradients_optimiser_state_and_one_samples_activations():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(100, 50), torch.nn.BatchNorm1d(50), torch.nn.ReLU(),
                                torch.nn.Dropout(0.5), torch.nn.Linear(50, 10))
    params = sum(p.numel() for p in model.parameters()) * 4
    x = torch.randn(1, 100)
    stats = [b.clone() for b in model.buffers()]
    rng = torch.get_rng_state()
    adam = memory.estimate(model, x, TrainConfig(optimizer="adam"), torch.device("cpu"))
    assert adam.fixed == 3 * params + memory.OVERHEAD  # a gradient and Adam's two averages per parameter
    sgd = memory.estimate(model, x, TrainConfig(optimizer="sgd", momentum=0.0), torch.device("cpu"))
    assert sgd.fixed == params + memory.OVERHEAD  # plain SGD keeps no state
    # what autograd keeps for one sample: Linear's input (400 B), BatchNorm's input (200 B), ReLU's output
    # (200 B, the last Linear's input too), the output (40 B), and the batch's raw and normalised copies
    assert 400 + 200 + 200 + 40 + 800 <= adam.per_sample <= 2 * (400 + 200 + 200 + 40 + 800)
    assert adam.need(10) == adam.fixed + 10 * adam.per_sample
    # measuring moved nothing: BatchNorm's statistics, the random state, the module's mode
    assert all(torch.equal(a, b) for a, b in zip(stats, model.buffers(), strict=True))
    assert torch.equal(rng, torch.get_rng_state()) and model.training and model[3].training
    # a model that does not fit its input gives no estimate: the first step says what is wrong
    assert memory.estimate(model, torch.randn(1, 7), TrainConfig(), torch.device("cpu")) is None


def test_activations_grow_with_the_image():
    model = small_cnn(3, 10, size=32)
    small = memory.activation_bytes(model, torch.randn(1, 3, 32, 32), None)
    big = memory.activation_bytes(small_cnn(3, 10, size=64), torch.randn(1, 3, 64, 64), None)
    assert 3.5 * small < big < 4.5 * small


def _batch_sizes(monkeypatch) -> list[int]:
    import netbuilder.training.engine as engine

    sizes: list[int] = []
    real = engine.evaluate

    def spy(model, batches, *args, **kw):
        def seen():
            for x, y in batches:
                sizes.append(len(y))
                yield x, y
        return real(model, seen(), *args, **kw)

    monkeypatch.setattr(engine, "evaluate", spy)
    return sizes


def test_evaluation_batches_are_what_fits(monkeypatch):
    data, model = digits(), small_cnn(1, 10, size=8)
    cfg = TrainConfig(epochs=1, batch_size=16)
    est = _estimate(model, data, cfg)
    _free(monkeypatch, est.fixed + 50 * est.per_sample)
    sizes = _batch_sizes(monkeypatch)
    events = run(model, data, cfg)
    assert events[-1].kind == "finished"
    assert data.sizes()["val"] > 50 and sizes and max(sizes) == 50  # not eval_batch_size (1024)
    assert sum(sizes) == data.sizes()["val"] + data.sizes()["test"]


def test_evaluation_batches_never_go_below_the_training_batch(monkeypatch):
    data, model = digits(), small_cnn(1, 10, size=8)
    cfg = TrainConfig(epochs=1, batch_size=16, train_fraction=0.2)
    est = _estimate(model, data, cfg)
    _free(monkeypatch, int(est.need(16) / 1.05))  # training is let through by the margin: 16 is the floor
    sizes = _batch_sizes(monkeypatch)
    assert run(model, data, cfg)[-1].kind == "finished"
    assert max(sizes) == 16
    assert est.eval_batch(16, 1024) >= 16 and est.eval_batch(2048, 1024) == 1024


def test_a_streamed_dataset_is_checked_too(tmp_path, monkeypatch):
    from PIL import Image

    for c, v in (("a", 20), ("b", 230)):
        (tmp_path / c).mkdir()
        for i in range(4):
            Image.new("L", (10, 12), v + i).save(tmp_path / c / f"{i}.png")
    data = load_dataset(tmp_path, size=8, num_workers=0)
    _free(monkeypatch, 2**20)
    events = run(mlp(64, 2), data, TrainConfig(epochs=1, batch_size=4))
    assert [e.kind for e in events] == ["fault"] and events[0].fault == "oom"


class _AllocatorFails(torch.nn.Module):
    """A model whose batches of more than one sample fail as torch's CPU allocator does."""

    def __init__(self):
        super().__init__()
        self.inner = mlp(64, 10)

    def forward(self, x):
        if x.shape[0] > 1:
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
                               "memory: you tried to allocate 642252800 bytes. Error code 12 (Cannot allocate memory)")
        return self.inner(x)


def test_the_cpu_allocator_failing_is_the_plain_out_of_memory_fault():
    events = run(_AllocatorFails(), digits(), TrainConfig(epochs=1, batch_size=16))
    fault = events[-1]
    assert fault.kind == "fault" and fault.fault == "oom"
    assert fault.message == "the computer ran out of memory at epoch 1, step 0 (batch of 16)"
    assert "alloc_cpu" not in fault.message and "smaller batch size" in fault.advice
    assert "train on the CPU" not in fault.advice and "close other programs" in fault.advice


@pytest.mark.parametrize("text", ["DefaultCPUAllocator: not enough memory: you tried to allocate 8 GB",
                                  "MPS backend out of memory (MPS allocated: 9 GB)"])
def test_allocator_texts_are_memory_errors(text):
    assert faults.is_memory_error(text)
    assert not faults.is_memory_error("mat1 and mat2 shapes cannot be multiplied (4x3 and 5x2)")


def test_sizes_read_as_a_student_reads_them():
    assert memory.gib(45 * 2**30) == "45 GiB" and memory.gib(int(3.2 * 2**30)) == "3.2 GiB"
    assert [memory.nice_batch(n) for n in (0, 1, 2, 63, 64, 200)] == [1, 1, 2, 32, 64, 128]


def test_an_evaluation_outside_a_run_gets_the_batch_that_fits(monkeypatch):
    model, x = small_cnn(1, 10, size=8), torch.randn(1, 1, 8, 8)
    per_sample = memory.activation_bytes(model, x, None)
    _free(monkeypatch, memory.OVERHEAD + 300 * per_sample)
    assert memory.eval_batch_that_fits(model, x, torch.device("cpu"), 1024) == 300
    assert memory.eval_batch_that_fits(model, x, torch.device("cpu"), 100) == 100
    _free(monkeypatch, 0)
    assert memory.eval_batch_that_fits(model, x, torch.device("cpu"), 1024) == 1


def test_a_containers_memory_limit_counts(tmp_path):
    """In a container (cgroup v2 or v1) the room left under its limit counts, not only what the machine has free."""
    (tmp_path / "memory.max").write_text("1073741824\n")  # 1 GiB
    (tmp_path / "memory.current").write_text("268435456\n")  # 256 MiB used
    assert memory.cgroup_room(str(tmp_path)) == 768 * 2**20
    (tmp_path / "memory.max").write_text("max\n")
    assert memory.cgroup_room(str(tmp_path)) is None
    v1 = tmp_path / "v1"
    (v1 / "memory").mkdir(parents=True)
    (v1 / "memory" / "memory.limit_in_bytes").write_text(str(2**30))
    (v1 / "memory" / "memory.usage_in_bytes").write_text(str(2**29))
    assert memory.cgroup_room(str(v1)) == 2**29
    (v1 / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712")  # v1's "no limit"
    assert memory.cgroup_room(str(v1)) is None
    assert memory.cgroup_room(str(tmp_path / "none")) is None


def _saved_in_training_mode(model, sample) -> int:
    """What autograd really keeps for one training-mode forward pass (each storage once, not the weights):
    the figure the eval-mode estimate stands for (fine here: these models have no BatchNorm to move)."""
    held = {t.untyped_storage().data_ptr() for t in model.parameters()}
    saved: dict[int, int] = {}

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in held:
            saved[s.data_ptr()] = max(saved.get(s.data_ptr(), 0), s.nbytes())
        return t
    model.train()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(sample)
    return sum(saved.values()) + out.nbytes + 2 * sample.nbytes


@pytest.mark.parametrize("where", ["after_relu", "before_dense"])
def test_dropout_masks_and_copies_count_as_training_keeps_them(where):
    """In eval mode Dropout is the identity; in training it keeps a mask (on the CPU a float tensor), and its
    output is a tensor of its own (kept by the next layer beside the input the ReLU before it keeps): the
    estimate counts both, as autograd keeps them in training mode."""
    torch.manual_seed(0)
    conv = [torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU()]
    if where == "after_relu":
        conv.append(torch.nn.Dropout(0.25))
    head = [torch.nn.Flatten(), *([torch.nn.Dropout(0.5)] if where == "before_dense" else []),
            torch.nn.Linear(32 * 28 * 28, 10)]
    model = torch.nn.Sequential(*conv, *head)
    sample = torch.randn(1, 1, 28, 28)
    estimated = memory.activation_bytes(model, sample, None)
    real = _saved_in_training_mode(model, sample)
    assert estimated == pytest.approx(real, rel=0.02)
    without = torch.nn.Sequential(*[m for m in model if not isinstance(m, torch.nn.Dropout)])
    assert estimated >= memory.activation_bytes(without, sample, None) + 4 * 32 * 28 * 28  # (the mask at least)


def test_a_larger_batch_set_while_paused_is_checked_before_the_next_step(monkeypatch):
    """Pause, raise the batch size far past what fits, resume: the run ends with the plain memory message at
    once (its weights trained so far kept), not with an out-of-memory crash in the middle of a step."""
    from netbuilder.training import Control, train

    data, model = digits(), small_cnn(1, 10, size=8)
    monkeypatch.setattr(memory, "OVERHEAD", 0)
    est = _estimate(model, data, TrainConfig(epochs=1, batch_size=16))
    _free(monkeypatch, est.fixed + 40 * est.per_sample)  # 16 fits; 1,000 clearly does not
    control, events = Control(), []
    for event in train(model, data, TrainConfig(epochs=3, batch_size=16, log_every=1), control):
        events.append(event)
        if event.kind == "step" and event.step == 2:
            control.pause()
            control.update(batch_size=1000)
            control.resume()
    fault = events[-1]
    assert fault.kind == "fault" and fault.fault == "oom", fault
    assert "at a batch of 1000 needs about" in fault.message and "batch size to 32 or less" in fault.advice
    steps = [e for e in events if e.kind == "step"]
    assert steps[-1].step == 2  # no step at the new batch
    # a smaller batch set while paused needs no check: the run goes on
    control, events = Control(), []
    for event in train(model, data, TrainConfig(epochs=1, batch_size=32, log_every=1), control):
        events.append(event)
        if event.kind == "step" and event.step == 2:
            control.update(batch_size=8)
    assert events[-1].kind == "finished"
