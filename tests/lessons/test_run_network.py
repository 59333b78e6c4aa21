"""A run's results count for a step's checks only while the design is the network that run trained: a layer
added, removed or changed since makes them an earlier version's (headless, as ``lessons --verify`` runs)."""

from __future__ import annotations

import pytest

from netbuilder.lessons import LessonState, apply_action, evaluate_check
from netbuilder.lessons.checks import EARLIER
from netbuilder.lessons.state import network_signature

CHECKS = [
    {"check": "trained"},
    {"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.75},
    {"check": "gap", "of": "accuracy", "op": "<", "value": 0.5},
]


def _trained(engine) -> LessonState:
    state = LessonState()
    apply_action({"do": "open_design", "example": "digits_cnn"}, state, engine)
    state.since = state.runs  # the step opens
    apply_action({"do": "start_training", "epochs": 1}, state, engine)
    return state


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("edit", [
    {"do": "add_layer", "kind": "avgpool2d", "after": "relu_1"},
    {"do": "remove_layer", "node": "maxpool2d_2"},
    {"do": "set_param", "node": "conv2d_1", "param": "padding", "value": 0},
])
def test_a_run_of_an_earlier_version_of_the_network_does_not_count(engine, check, edit):
    state = _trained(engine)
    assert evaluate_check(check, state).met
    apply_action(edit, state, engine)
    result = evaluate_check(check, state)
    assert not result.met and result.earlier and EARLIER in result.detail
    assert "train this network" in result.detail


def test_a_setting_written_out_at_its_default_is_the_same_network(engine):
    state = _trained(engine)
    before = network_signature(state.design.graph)
    state.design.graph.node("conv2d_1").params["stride"] = 1  # the catalogue's default, now set
    assert network_signature(state.design.graph) == before
    assert evaluate_check(CHECKS[1], state).met


def test_back_to_the_trained_network_counts_again(engine):
    state = _trained(engine)
    trained = state.design.copy()
    apply_action({"do": "add_layer", "kind": "avgpool2d", "after": "relu_1"}, state, engine)
    assert not evaluate_check(CHECKS[1], state).met
    state.design = trained  # Undo
    state.design_changed()
    assert evaluate_check(CHECKS[1], state).met
    assert state.copy().network == state.network  # a copy keeps what the run trained
    node = state.design.graph.node("conv2d_1")  # moving a node, a training setting: the same network
    node.pos = (node.pos[0] + 100, node.pos[1])
    apply_action({"do": "set_setting", "key": "lr", "value": 0.5}, state, engine)
    assert evaluate_check(CHECKS[1], state).met
    unknown = LessonState(design=state.design, metrics=dict(state.metrics), run=1, since=0)
    assert unknown.network is None and evaluate_check(CHECKS[1], unknown).met  # not known: the run counts
