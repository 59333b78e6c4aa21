"""During a run the views are answered by the network being trained, for the design's revision, only while it
is the design's network: once an edit (or an Undo) gives the design another structure, a question is answered
with one line saying so (never the old network's values as the design's), the views that show an answer of
the old structure are told at once, and an answer asked before the edit arrives marked stale. The structure
back as the run's (Undo the edit, a new revision): the views see the run again, as current. A change of the
training settings alone (the same revision) stales nothing; a new seed gives an untrained network new
initial weights, never trained ones."""

from __future__ import annotations

import copy
import threading

import pytest

from netbuilder.workbench import events as ev
from netbuilder.workbench.live import LIVE_SOURCE, OUTDATED

pytestmark = pytest.mark.usefixtures("one_thread")


def with_filters(design, n: int):
    edited = copy.deepcopy(design)
    edited.graph.set_param("conv2d_1", "filters", n)
    return edited


def filters_of(model, data) -> dict:
    return {"filters": int(model.get_submodule("conv2d_1").weight.shape[0])}


def answer(s, ticket: int) -> ev.ViewResult:
    return s.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == ticket)


def test_a_structural_edit_during_a_run_is_never_answered_with_the_trained_networks_values(session, example):
    s, wb = session, session.wb
    trained = with_filters(example, 4)
    s.open(trained, revision=2, replaced=False)  # the student's edit, then Train
    started, message, _ = wb.train({"epochs": 1000, "batch_size": 16})
    assert started, message
    live = answer(s, wb.compute("filters", filters_of))
    assert live.value == {"filters": 4} and live.source == LIVE_SOURCE and not live.stale  # the design's network
    gate = threading.Event()

    def slow(model, data):
        gate.wait(10)
        return filters_of(model, data)

    asked_before = wb.compute("features", slow)  # in flight while the design changes
    s.open(example, revision=3, replaced=False)  # Undo: 8 filters again, the run trains 4
    told = s.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "filters" and e.ticket != live.ticket)
    assert told.message == OUTDATED and told.value is None and told.revision == 3 and not told.stale
    after = answer(s, wb.compute("filters", filters_of))
    assert after.message == OUTDATED and after.value is None and not after.stale  # not 4 filters as the design's
    gate.set()
    late = answer(s, asked_before)
    assert late.stale and late.revision == 2  # computed on the 4-filter network: never shown as current
    data_only = answer(s, wb.compute("augment", lambda model, data: {"n": 1}, needs_model=False))
    assert data_only.value == {"n": 1} and not data_only.stale and not data_only.trained  # no network asked

    s.open(trained, revision=4, replaced=False)  # Redo: the design is the network being trained again
    again = answer(s, wb.compute("filters", filters_of))
    assert again.value == {"filters": 4} and again.revision == 4 and not again.stale


def test_each_epochs_evaluation_says_so_once_the_design_is_not_the_network_being_trained(session, example):
    s, wb = session, session.wb
    wb.watch_evaluation(True)
    started, message, _ = wb.train({"epochs": 1000, "batch_size": 64})
    assert started, message
    first = s.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "evaluation" and e.value is not None)
    assert not first.stale
    s.open(with_filters(example, 4), revision=2, replaced=False)
    told = s.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "evaluation" and e.message is not None)
    assert told.message == OUTDATED and told.revision == 2 and not told.stale
    s.seen.clear()
    s.pump(lambda e: isinstance(e, ev.ViewResult) and e.view == "evaluation")  # the next epoch's
    assert all(e.message == OUTDATED for e in s.seen if isinstance(e, ev.ViewResult) and e.view == "evaluation")


def test_a_new_seed_reinitialises_an_untrained_network_and_keeps_trained_weights(session, example):
    s, wb = session, session.wb

    def kernels(model, data) -> dict:
        return {"w": model.get_submodule("conv2d_1").weight.detach().clone()}

    before = answer(s, wb.compute("filters", kernels))
    reseeded = copy.deepcopy(example)
    reseeded.training = dict(reseeded.training or {}, seed=7)
    s.open(reseeded, revision=1, replaced=False)  # the training section only: the same revision
    assert wb.state.design.training["seed"] == 7 and wb.revision == 1
    after = answer(s, wb.compute("filters", kernels))
    assert not after.stale and not (after.value["w"] == before.value["w"]).all()  # the new seed's weights

    started, message, _ = wb.train({"epochs": 1, "batch_size": 64, "seed": 7})
    assert started, message
    assert s.pump(lambda e: isinstance(e, ev.RunEnded)).outcome.kind == "finished"
    trained = answer(s, wb.compute("filters", kernels))
    s.open(example, revision=1, replaced=False)  # seed 0 again: the trained weights stay
    kept = answer(s, wb.compute("filters", kernels))
    assert kept.trained and not kept.stale and (kept.value["w"] == trained.value["w"]).all()
    assert wb.weights_current
