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
    assert state.get_analysis().nodes["weighted_sum"].shape == (1,)  # one sigmoid output for two classes
    assert state.get_analysis().nodes["input"].shape == (2,)


def test_lesson_one_is_about_one_neuron(engine):
    """The neuron lesson's single neuron stays one: 2 weights + 1 bias, as its texts say."""
    from netbuilder.lessons import expected_answer, find_lesson

    lesson = find_lesson("neuron")
    state = run(list(lesson.steps[0].show_me), engine)
    question = lesson.steps[0].questions[0]
    assert expected_answer(question, state) == 3
    assert "1 bias" in question["explain"] and "2 outputs" not in question["explain"]
    assert "probability of class 1" in lesson.text


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


def test_a_run_without_fresh_weights_goes_on_from_the_last_one(engine):
    """Headless as in the window: a run after another, without ``"fresh": true``, continued its weights."""
    state = run([{"do": "open_design", "preset": "mlp"}, {"do": "start_training", "epochs": 1}], engine)
    assert not state.continued  # the first run after opening: fresh weights
    apply_action({"do": "start_training", "epochs": 1}, state, engine)
    assert state.continued
    apply_action({"do": "start_training", "epochs": 1, "fresh": True}, state, engine)
    assert not state.continued and engine.resets >= 2
    apply_action({"do": "open_design", "preset": "mlp"}, state, engine)
    apply_action({"do": "start_training", "epochs": 1}, state, engine)
    assert not state.continued  # another design opened: its weights are new


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
    assert not failed.ok and "steps[1].checks[0] (step 2): not met: ≥ 50 %" in failed.failures[0]
    assert failed.line().splitlines()[1].strip().startswith(f"{failed.path}: steps[1].checks[0]")
    assert failed.line().startswith("FAIL")


def test_verify_reports_a_failing_action_and_an_unanswerable_question(tmp_path, lesson_dict, engine):
    lesson_dict["steps"][0]["questions"][0]["answer_from"]["node"] = "conv2d_7"
    report = verify_lesson(_write(tmp_path, lesson_dict), engine)
    assert any("steps[0].questions[0] (step 1): question size cannot be answered: no node 'conv2d_7' in the "
               "design" in f for f in report.failures), report.failures
    lesson_dict["steps"][1]["solution"] = [{"do": "select_node", "node": "ghost"}]
    report = verify_lesson(_write(tmp_path, lesson_dict), engine)
    assert any("steps[1] (step 2): select_node: the design has no node 'ghost'" in f for f in report.failures)


def test_fresh_training_resets_the_weights_and_runs_are_numbered(engine):
    state = run([{"do": "open_design", "preset": "mlp"}, {"do": "start_training"}], engine)
    resets = engine.resets  # the open
    assert state.runs == 1 and state.run == 1
    run([{"do": "start_training"}], engine, state)
    assert engine.resets == resets and state.run == 2  # goes on from the last run's weights
    run([{"do": "start_training", "fresh": True}], engine, state)
    assert engine.resets == resets + 1 and state.run == state.runs == 3


def test_a_fresh_run_resets_the_engine_first(engine):
    calls = []
    engine.reset = lambda: calls.append("reset")
    original = engine.train
    engine.train = lambda design, settings: calls.append("train") or original(design, settings)
    state = run([{"do": "open_design", "preset": "mlp"}], engine)
    calls.clear()
    run([{"do": "start_training", "fresh": True}, {"do": "start_training"}], engine, state)
    assert calls == ["reset", "train", "train"]


def test_a_new_dataset_forgets_the_results_of_the_old(engine):
    state = run([{"do": "open_design", "example": "digits_cnn"}, {"do": "start_training"},
                 {"do": "attack"}], engine)
    assert state.metrics and state.prediction
    run([{"do": "set_dataset", "name": "shapes", "options": {"size": 16}}], engine, state)
    assert state.metrics == {} and state.prediction == {}


def test_verify_counts_only_each_steps_own_runs(tmp_path, lesson_dict, engine):
    """A step that checks a metric but trains nothing fails, though an earlier step trained."""
    lesson_dict["steps"].append({"text": "Check again.", "checks": [
        {"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.5}]})
    path = tmp_path / "l.json"
    path.write_text(json.dumps(lesson_dict), encoding="utf-8")
    report = verify_lesson(load_lesson(path), engine)
    assert not report.ok and report.failures == [
        "steps[2].checks[0] (step 3): not met: validation accuracy at least 50 % (no run finished in this step "
        "yet: train)"]
