"""Actions applied headless through the graph's edits, and the reference-solution runner (with a fake engine)."""

from __future__ import annotations

import json

import pytest

from netbuilder.lessons import LessonError, LessonState, apply_action, load_lesson, verify_lesson


def run(actions: list[dict], engine, state: LessonState | None = None) -> LessonState:
    state = state or LessonState()
    for action in actions:
        apply_action(action, state, engine)
    return state


def test_open_select_set_and_view(engine):
    state = run([{"do": "open_design", "example": "digits_cnn"}, {"do": "select_node", "node": "conv2d#2"},
                 {"do": "set_param", "node": "conv2d_1", "param": "padding", "value": 0},
                 {"do": "set_setting", "key": "augmentation.shift", "value": 2},
                 {"do": "set_setting", "key": "lr", "value": 0.1}, {"do": "switch_view", "view": "Filters"}], engine)
    assert state.selected == "conv2d_2" and state.view == "Filters" and engine.resets == 1
    assert state.design.graph.node("conv2d_1").params["padding"] == 0
    assert state.get_analysis().nodes["conv2d_1"].shape == (8, 6, 6)  # the analysis follows the edit
    assert state.design.training["augmentation"]["shift"] == 2 and state.setting("lr") == 0.1


def test_open_a_preset_for_a_dataset_fits_it(engine):
    state = run([{"do": "open_design", "preset": "neuron", "dataset": "circle"}], engine)
    assert state.design.dataset == {"name": "circle"}
    assert state.get_analysis().nodes["weighted_sum"].shape == (2,)


def test_add_and_remove_layers_keep_the_chain(engine):
    state = run([{"do": "open_design", "preset": "mlp"},
                 {"do": "add_layer", "kind": "dropout", "after": "relu", "params": {"p": 0.3}},
                 {"do": "add_layer", "kind": "dense", "after": "flatten", "id": "extra", "params": {"units": 32}}],
                engine)
    graph = state.design.graph
    assert [e.dst for e in graph.outgoing("relu")] == ["dropout_1"]
    assert [e.dst for e in graph.outgoing("dropout_1")] == ["classifier"]
    assert [e.dst for e in graph.outgoing("flatten")] == ["extra"] and state.selected == "extra"
    assert state.get_analysis().valid
    run([{"do": "remove_layer", "node": "dropout_1"}], engine, state)
    assert "dropout_1" not in graph and [e.dst for e in graph.outgoing("relu")] == ["classifier"]
    assert state.get_analysis().valid


def test_training_attack_and_explain_ask_the_engine(engine):
    state = run([{"do": "open_design", "preset": "mlp"}, {"do": "set_setting", "key": "epochs", "value": 9},
                 {"do": "start_training", "epochs": 2}, {"do": "attack", "epsilon": 0.2},
                 {"do": "explain", "method": "saliency"}], engine)
    design, settings = engine.trained[0]
    assert settings["epochs"] == 2 and design.dataset == {"name": "digits"}  # bound to digits, as the window does
    assert state.metrics["val_accuracy"] == 0.8
    assert state.prediction["adversarial_class"] == 5 and state.explanations == {"saliency": True}


@pytest.mark.parametrize(("action", "message"), [
    ({"do": "select_node", "node": "conv9"}, "no node 'conv9'"),
    ({"do": "set_param", "node": "conv2d_1", "param": "units", "value": 3}, "has no setting 'units'"),
    ({"do": "set_param", "node": "conv2d_1", "param": "filters", "value": "many"}, "whole number"),
    ({"do": "add_layer", "kind": "relu", "after": "nowhere"}, "no node 'nowhere'"),
])
def test_impossible_actions_say_why(engine, action, message):
    state = run([{"do": "open_design", "example": "digits_cnn"}], engine)
    with pytest.raises(LessonError, match=message):
        apply_action(action, state, engine)


def test_actions_need_an_open_design(engine):
    with pytest.raises(LessonError, match="no design is open"):
        apply_action({"do": "select_node", "node": "x"}, LessonState(), engine)


def test_training_refuses_a_broken_design(engine):
    state = run([{"do": "open_design", "example": "digits_cnn"},
                 {"do": "set_param", "node": "conv2d_1", "param": "kernel_size", "value": 11},
                 {"do": "set_param", "node": "conv2d_1", "param": "padding", "value": 0}], engine)
    with pytest.raises(LessonError, match="has problems"):
        apply_action({"do": "start_training"}, state, engine)


def _write(tmp_path, lesson_dict):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(lesson_dict), encoding="utf-8")
    return load_lesson(path)


def test_verify_passes_and_fails(tmp_path, lesson_dict, engine):
    report = verify_lesson(_write(tmp_path, lesson_dict), engine)
    assert report.ok and report.checks == 4 and report.line().startswith("ok ")
    lesson_dict["steps"][1]["checks"][0]["value"] = 0.95
    failed = verify_lesson(_write(tmp_path, lesson_dict), engine)
    assert not failed.ok and "step 2: not met: ≥ 50 %" in failed.failures[0]
    assert failed.line().startswith("FAIL")


def test_verify_reports_a_failing_action_and_an_unanswerable_question(tmp_path, lesson_dict, engine):
    lesson_dict["steps"][0]["questions"][0]["answer_from"]["node"] = "conv2d_7"
    report = verify_lesson(_write(tmp_path, lesson_dict), engine)
    assert any("question size cannot be answered" in f for f in report.failures)
    lesson_dict["steps"][1]["solution"] = [{"do": "select_node", "node": "ghost"}]
    report = verify_lesson(_write(tmp_path, lesson_dict), engine)
    assert any("step 2: select_node: the design has no node 'ghost'" in f for f in report.failures)
