"""The Workbench without Qt: it refuses what cannot run with one line (misfit, problems, nothing to train),
marks results of an older revision stale, builds the model once per structure and only when asked,
trains, and exports with the trained weights."""

from __future__ import annotations

import pytest

from netbuilder.workbench import events as ev
from netbuilder.workbench.live import ViewBudget


def compiles(monkeypatch) -> list:
    import netbuilder.compiler as compiler

    calls: list = []
    real = compiler.compile_design

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(compiler, "compile_design", counting)
    return calls


def test_the_model_is_built_once_per_structure_and_only_when_asked(session, monkeypatch):
    from netbuilder.workbench.views import filters_job

    calls = compiles(monkeypatch)
    assert calls == []  # nothing shown asked yet: no model
    for _ in range(3):
        session.wb.compute("filters", filters_job(None))
    session.wb.compute("features", lambda model, data: {"n": 1})
    result = session.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "features")
    assert result.value == {"n": 1} and not result.stale
    assert session.wb.wait_idle(30)
    assert len(calls) == 1


def test_a_preset_that_does_not_fit_is_never_run_and_fit_is_offered(session, monkeypatch):
    from netbuilder.presets import build_preset

    calls = compiles(monkeypatch)
    session.open(build_preset("resnet18"), revision=2)
    session.wb.compute("explain", lambda model, data: {"ran": True})
    result = session.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "explain")
    assert result.value is None and result.offer_fit and "does not fit digits" in result.message
    started, message, offer_fit = session.wb.train({"epochs": 1})
    assert not started and offer_fit and "3×224×224" in message
    assert session.wb.wait_idle(30) and calls == []


def test_nothing_to_train_and_problems_are_said_before_anything_starts(session):
    from netbuilder.ui.files import blank_design

    session.open(blank_design(), revision=2)
    started, message, _ = session.wb.train({"epochs": 1})
    assert not started and message.startswith("nothing to train: add a layer with weights")
    broken = session.wb.state.design
    session.wb.state.problems = ["dense_2: units must be at least 1"]
    started, message, _ = session.wb.train({"epochs": 1})
    assert not started and "1 problem to fix first" in message and broken is session.wb.state.design


def test_a_result_for_an_older_revision_is_marked_stale(session, example):
    session.wb.compute("features", lambda model, data: {"n": 1})
    session.open(example, revision=2, replaced=False)  # the design changed while the job waited
    result = session.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "features")
    assert result.stale and result.revision == 1


def test_train_then_export_with_the_trained_weights(session, tmp_path):
    import numpy as np
    import onnxruntime as ort

    started, message, _ = session.wb.train({"epochs": 1, "batch_size": 64})
    assert started, message
    ended = session.pump(lambda e: isinstance(e, ev.RunEnded), timeout=120)
    assert ended.outcome.kind == "finished" and session.wb.has_weights and session.wb.weights_current
    ticket = session.wb.export(tmp_path / "net.onnx", "onnx")
    done = session.pump(lambda e: isinstance(e, ev.TaskDone) and e.ticket == ticket, timeout=120)
    assert done.value["trained"]
    data = session.wb.host.data
    x = (data.x_test[:64].float() * data.scale).numpy().astype(np.float32)  # [0, 1] images
    sess = ort.InferenceSession(str(tmp_path / "net.onnx"))
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    model = session.wb.host.model.eval()
    import torch

    with torch.no_grad():
        want = model(data.normalize(data.x_test[:64])).numpy()
    assert np.allclose(got, want, atol=1e-4)


def test_the_designs_seed_seeds_the_initialisation(example):
    import torch

    from netbuilder.workbench.host import ModelHost

    def first_weights(seed: int):
        design = example.copy()
        design.training = dict(design.training or {}, seed=seed)
        host = ModelHost()
        host.build(design, seed=seed)
        return host.model.get_submodule("conv2d_1").weight.detach().clone()

    torch.manual_seed(123)
    a, b, c = first_weights(5), first_weights(5), first_weights(6)
    assert torch.equal(a, b) and not torch.equal(a, c)


# ----- the views' questions during a run: on the model itself, one per view in flight, within a budget -----
class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_the_budget_fills_at_its_share_of_the_run_and_is_charged_what_answers_cost():
    clock = Clock()
    budget = ViewBudget(share=0.05, burst=0.2, clock=clock)
    assert budget.allows()  # the first answers of a run come at once
    budget.charge(0.5)  # an answer that cost half a second
    assert not budget.allows()
    clock.t += 5.0  # 5 s of training earn 0.25 s: still 0.05 s in debt
    assert not budget.allows()
    clock.t += 2.0
    assert budget.allows()
    clock.t += 1000.0  # a long quiet stretch saves up no more than the burst
    budget.charge(0.2)
    assert not budget.allows()
    assert budget.spent == pytest.approx(0.7)


@pytest.fixture
def running(session):
    started, message, _ = session.wb.train({"epochs": 30, "batch_size": 16})
    assert started, message
    session.pump(lambda e: isinstance(e, ev.RunEvents) and any(x.kind == "step" for x in e.events))
    yield session
    session.wb.stop()
    session.pump(lambda e: isinstance(e, ev.RunEnded))


def test_a_question_during_a_run_sees_the_model_itself_and_leaves_it_as_it_was(running):
    seen = {}

    def job(model, data):
        import torch

        seen["model"] = model
        seen["training"] = model.training
        model.eval()  # a careless job: the introspection restores modes, this one does not
        for p in model.parameters():
            p.grad = torch.full_like(p, 123.0)  # and it leaves gradients of its own
        model.train()
        return {"ok": 1}

    ticket = running.wb.compute("probe", job)
    result = running.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == ticket)
    assert result.value == {"ok": 1} and result.trained
    assert seen["model"] is running.wb.host.model  # no deep copy of the network per question
    assert seen["training"]
    grads = [p.grad for p in running.wb.host.model.parameters() if p.grad is not None]
    assert not any(bool((g == 123.0).all()) for g in grads)  # the training's own gradients are back


def test_the_latest_question_of_a_busy_view_is_answered_not_dropped(running):
    import threading

    gate = threading.Event()

    def slow(model, data):
        gate.wait(10)
        return {"n": 1}

    first = running.wb.compute("filters", slow)
    second = running.wb.compute("filters", lambda m, d: {"n": 2})
    third = running.wb.compute("filters", lambda m, d: {"n": 3})  # replaces the second while it waits
    gate.set()
    last = running.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == third)
    assert last.value == {"n": 3}
    answered = {e.ticket for e in running.seen if isinstance(e, ev.ViewResult)}
    assert first in answered and second not in answered


def test_a_periodic_refresh_waits_while_the_budget_is_spent_but_a_students_question_does_not(running):
    wb = running.wb
    with wb.live.lock:
        wb.live.budget.charge(1000.0)  # as if the views had taken far more than their share
    periodic = wb.compute("filters", lambda m, d: {"kind": "periodic"}, periodic=True)
    asked = wb.compute("features", lambda m, d: {"kind": "asked"})
    answer = running.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == asked)
    assert answer.value == {"kind": "asked"}
    assert "filters" in wb.live.waiting  # still waiting for the budget, the run goes on
    assert periodic not in {e.ticket for e in running.seen if isinstance(e, ev.ViewResult)}
    with wb.live.lock:
        wb.live.budget.balance = wb.live.budget.burst  # the budget refills: the waiting refresh goes at the next step
    answer = running.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == periodic)
    assert answer.value == {"kind": "periodic"}


def test_watched_evaluation_comes_with_each_epoch_without_a_second_pass(session, monkeypatch):
    import netbuilder.workbench.views as views

    asked: list = []
    real = views.evaluation_job
    monkeypatch.setattr(views, "evaluation_job", lambda *a, **k: asked.append(1) or real(*a, **k))
    session.wb.watch_evaluation(True)
    started, message, _ = session.wb.train({"epochs": 3, "batch_size": 64})
    assert started, message
    session.pump(lambda e: isinstance(e, ev.RunEnded), timeout=120)
    live = [e for e in session.seen if isinstance(e, ev.ViewResult) and e.view == "evaluation"]
    epochs = [x for e in session.seen if isinstance(e, ev.RunEvents) for x in e.events if x.kind == "epoch"]
    assert len(live) == len(epochs) == 3 and asked == []  # no evaluation job ran
    value = live[-1].value
    assert value["split"] == "val" and value["probs"].shape[0] == len(value["labels"]) == len(value["images"])
    assert (value["probs"].argmax(1) == value["labels"]).mean() == pytest.approx(epochs[-1].val_accuracy)
    assert live[-1].trained and not live[-1].stale
    session.wb.watch_evaluation(False)
    session.seen.clear()
    started, _, _ = session.wb.train({"epochs": 1, "batch_size": 64})
    session.pump(lambda e: isinstance(e, ev.RunEnded), timeout=120)
    assert not any(isinstance(e, ev.ViewResult) and e.view == "evaluation" for e in session.seen)


def test_a_run_of_a_replaced_design_settles_for_no_one_and_leaves_no_weights(session, example):
    """The design is replaced while the run's events still wait to be settled (the run is over on the
    executor): none of them reaches the new design, its end attaches no weights, and the model goes."""
    wb = session.wb
    started, message, _ = wb.train({"epochs": 1, "batch_size": 64})
    assert started, message
    assert wb.wait_idle(60)  # the run is over; nothing of it settled yet
    from netbuilder.ui.app import default_example

    session.open(default_example(), revision=2)  # the same structure, opened anew
    ended = session.pump(lambda e: isinstance(e, ev.RunEnded))
    assert not wb.running and not wb.has_weights and wb.weights_signature is None and not wb.weights_current
    assert not any(isinstance(e, ev.RunPrepared | ev.RunEvents) for e in session.seen)
    assert ended.replaced and ended.outcome.kind == "finished"  # (the window: ends the run, shows nothing of it)
    assert wb.wait_idle(30)
    assert wb.host.model is None and not wb.host.trained
    wb.compute("probe", lambda model, data: {"ok": 1})
    answer = session.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "probe")
    assert answer.value == {"ok": 1} and not answer.trained and not answer.stale


def test_a_question_after_the_design_was_replaced_is_not_answered_by_the_old_run(running):
    """While the replaced design's run stops, a view's question waits for the new design's own model."""
    from netbuilder.ui.app import default_example

    wb = running.wb
    running.open(default_example(), revision=2)
    ticket = wb.compute("probe", lambda model, data: {"training": model.training})
    answer = running.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == ticket)
    assert not answer.trained and answer.source != "the model being trained (live)"
    assert getattr(running.pump(lambda e: isinstance(e, ev.RunEnded)), "replaced", False)


def test_the_dataset_a_design_opened_during_a_run_names_is_bound_when_the_run_ends(running):
    from netbuilder.ui.app import default_example

    design = default_example()
    design.dataset = {"name": "xor"}
    running.open(design, revision=2)
    assert running.wb.dataset_spec == {"name": "digits"}  # the stopping run still trains on it
    running.pump(lambda e: isinstance(e, ev.RunEnded))
    assert running.wb.dataset_spec == {"name": "xor"}
    running.pump(lambda e: isinstance(e, ev.DatasetLoaded) and e.spec == {"name": "xor"})
    assert running.wb.dataset["name"] == "xor"


def test_a_run_whose_task_fails_still_ends_with_a_fault_the_student_reads(session, monkeypatch):
    """An error nothing turned into a fault (here a KeyError inside the training loop) must not leave the
    window training for ever: the failed task becomes the run's end, with one line and advice."""
    import netbuilder.training as training

    def broken(*_a, **_k):
        raise KeyError("conv2d_1.weight")
        yield  # (a generator, as train is)

    monkeypatch.setattr(training, "train", broken)
    started, message, _ = session.wb.train({"epochs": 1})
    assert started, message
    ended = session.pump(lambda e: isinstance(e, ev.RunEnded))
    assert ended.outcome.kind == "fault" and ended.outcome.fault == "error"
    assert "conv2d_1.weight" in ended.outcome.message
    assert "training stopped" not in ended.outcome.message.lower()  # the window says "Training stopped: " once
    assert "bug" in ended.outcome.advice and not session.wb.running and not session.wb.has_weights


def test_a_label_beyond_the_outputs_is_a_fault_not_a_crash(session):
    """One output unit under cross-entropy on two classes, say: torch's IndexError is the run's fault."""
    import torch

    from netbuilder.training import TrainConfig, train

    data = session.wb.host.data
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3))  # 3 outputs for 10 classes
    events = list(train(model, data, TrainConfig(epochs=1, batch_size=64)))
    assert events[-1].kind == "fault" and "out of bounds" in events[-1].message
    assert "fewer classes" in events[-1].advice


def test_weights_saved_after_the_head_was_replaced_match_the_design(session, example, tmp_path):
    """Saved right after Replace the head, without training: the file held the old 10-class head, so the
    design reopened said a layer did not fit."""
    from safetensors import safe_open

    started, message, _ = session.wb.train({"epochs": 1, "batch_size": 64})
    assert started, message
    assert session.pump(lambda e: isinstance(e, ev.RunEnded)).outcome.kind == "finished"
    three = example.copy()
    three.graph.set_param("dense_2", "units", 3)
    session.open(three, revision=2, replaced=False)
    ticket = session.wb.save_weights(tmp_path / "w.safetensors")
    done = session.pump(lambda e: isinstance(e, ev.TaskDone | ev.TaskFailed) and e.ticket == ticket)
    assert isinstance(done, ev.TaskDone), done
    with safe_open(str(tmp_path / "w.safetensors"), "pt") as f:
        assert tuple(f.get_tensor("dense_2.weight").shape)[0] == 3


def test_the_failure_of_a_dataset_no_longer_wanted_is_for_no_one(session):
    wb = session.wb
    old = wb._dataset_ticket
    wb.set_dataset({"name": "circle"})
    assert wb._dataset_ticket != old
    stale = ev.TaskFailed("dataset", old, "pets: 2 of 9 files are not readable images")
    assert wb.accept(stale) is None
    latest = ev.TaskFailed("dataset", wb._dataset_ticket, "circle: broken", remedy="skip_bad")
    failed = wb.accept(latest)
    assert isinstance(failed, ev.DatasetFailed) and failed.spec == {"name": "circle"} and failed.remedy == "skip_bad"


@pytest.mark.parametrize("name", [5, True, ["digits"]])
def test_a_dataset_name_that_is_not_text_fails_in_one_plain_line(session, name):
    """A hand-edited design may name its dataset 5: one line naming the key and value, not a TypeError."""
    session.wb.set_dataset({"name": name})
    failed = session.pump(lambda e: isinstance(e, ev.DatasetFailed) and e.spec == {"name": name})
    assert "dataset name must be text" in failed.message and repr(name) in failed.message
    assert "TypeError" not in failed.message and not session.wb.dataset


def test_choosing_another_dataset_stops_the_load_of_the_one_chosen_before(session, monkeypatch):
    """A download (or folder scan) under way stops when the student picks another dataset: the new one loads
    at once, not after the whole download (a load only queued was replaced already; a running one went on)."""
    import threading
    import time

    from netbuilder.workbench.host import ModelHost

    started, stopped = threading.Event(), threading.Event()
    ensure = ModelHost.ensure_data

    def slow(self, spec, progress=None):
        if spec.get("name") != "spiral":
            return ensure(self, spec, progress)
        started.set()
        for _ in range(600):  # a long download: it reports progress (where a cancel is seen)
            try:
                progress("big.bin", 1, 100)
            except Exception:
                stopped.set()
                raise
            time.sleep(0.05)
        raise AssertionError("the download was not stopped")
    monkeypatch.setattr(ModelHost, "ensure_data", slow)
    session.wb.set_dataset({"name": "spiral"})
    assert started.wait(30)
    session.seen.clear()  # (it holds the fixture's own load of the digits: pump took that for the answer, at once)
    session.wb.set_dataset({"name": "digits"})
    assert stopped.wait(10)
    loaded = session.pump(lambda e: isinstance(e, ev.DatasetLoaded) and e.spec == {"name": "digits"}, timeout=30)
    assert session.wb.dataset["name"] == "digits" and loaded is not None
