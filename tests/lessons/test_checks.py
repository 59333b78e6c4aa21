"""The check evaluator on plain states: each kind met and not met, with its text and detail."""

from __future__ import annotations

import pytest

from netbuilder.io import load_design
from netbuilder.lessons import LessonState, describe, evaluate_check
from netbuilder.paths import resource


@pytest.fixture
def state() -> LessonState:
    return LessonState(design=load_design(resource("examples", "digits_cnn.nbd")))


def met(check: dict, state: LessonState) -> bool:
    return evaluate_check(check, state).met


def test_has_layer_with_settings_and_count(state):
    assert met({"check": "has_layer", "kind": "conv2d", "params": {"kernel_size": 3}}, state)
    assert met({"check": "has_layer", "kind": "conv2d", "params": {"kernel_size": 3}, "count": 2}, state)
    assert not met({"check": "has_layer", "kind": "conv2d", "params": {"kernel_size": 5}}, state)
    assert not met({"check": "has_layer", "kind": "conv2d", "count": 3}, state)
    assert met({"check": "has_layer", "kind": "conv2d", "params": {"stride": 1}}, state)  # the catalogue default
    state.design.graph.set_param("conv2d_1", "kernel_size", [3, 3])
    assert met({"check": "has_layer", "kind": "conv2d", "params": {"kernel_size": 3}, "count": 2}, state)
    assert not met({"check": "has_layer", "kind": "dropout"}, state)


def test_a_layer_left_out_of_the_network_does_not_count(state):
    """A layer dropped on the canvas but not connected is not part of the model (its totals leave it out):
    "the network has an avgpool2d layer" is not met by it, and the detail says why."""
    from netbuilder.graph import Node

    state.design.graph.insert_node(Node("avgpool2d_1", "avgpool2d", {"kernel_size": 2}, (0.0, 0.0)))
    state.design_changed()
    result = evaluate_check({"check": "has_layer", "kind": "avgpool2d"}, state)
    assert not result.met and result.detail == "0 matching avgpool2d node(s); avgpool2d_1 is not connected into the network"
    assert met({"check": "layer_count", "op": "==", "value": 10}, state)
    assert not met({"check": "layer_count", "kind": "avgpool2d", "op": "==", "value": 1}, state)
    assert evaluate_check({"check": "layer_count", "op": "==", "value": 11}, state).detail == \
        "10 now; avgpool2d_1 is not connected into the network"


def test_counts_totals_and_shapes(state):
    assert met({"check": "layer_count", "kind": "dense", "op": "==", "value": 2}, state)
    assert met({"check": "layer_count", "op": "==", "value": 10}, state)  # input and output not counted
    assert met({"check": "param_count", "op": "==", "value": 3658}, state)
    assert not met({"check": "param_count", "op": ">", "value": 3658}, state)
    assert met({"check": "macs", "op": "<", "value": 10**5}, state)
    assert met({"check": "output_shape", "node": "conv2d_1", "value": [8, 8, 8]}, state)
    assert met({"check": "output_shape", "node": "conv2d#2", "value": [16, 4, 4]}, state)
    result = evaluate_check({"check": "output_shape", "node": "conv2d_1", "value": [8, 6, 6]}, state)
    assert not result.met and result.detail == "conv2d_1 outputs 8×8×8"
    assert not met({"check": "output_shape", "node": "nowhere", "value": [1]}, state)
    assert met({"check": "valid"}, state)
    state.design.graph.set_param("conv2d_1", "kernel_size", 9)
    state.design.graph.set_param("conv2d_1", "padding", 0)
    state.design_changed()
    assert not met({"check": "valid"}, state)


def test_metrics_and_gap():
    state = LessonState()
    result = evaluate_check({"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.9}, state)
    assert not result.met and result.detail == "not trained yet"
    assert not met({"check": "trained"}, state)
    state.metrics = {"train_accuracy": 0.99, "val_accuracy": 0.7, "train_loss": 0.01, "val_loss": 0.9, "epochs": 3}
    assert met({"check": "metric", "name": "val_accuracy", "op": "<", "value": 0.9}, state)
    assert met({"check": "metric", "name": "epochs", "op": "==", "value": 3}, state)
    gap = evaluate_check({"check": "gap", "op": ">", "value": 0.2, "text": "you overfitted"}, state)
    assert gap.met and gap.text == "you overfitted" and "0.290" in gap.detail
    assert met({"check": "gap", "of": "loss", "op": ">", "value": 0.5}, state)
    assert not met({"check": "gap", "op": "<", "value": 0.2}, state)
    assert met({"check": "trained"}, state)


def test_settings_selection_view_prediction_explanations(state):
    assert met({"check": "setting", "key": "lr", "op": "==", "value": 0.003}, state)  # the design's own
    assert met({"check": "setting", "key": "augmentation.flip", "op": "==", "value": False}, state)
    assert not met({"check": "setting", "key": "frozen", "op": "contains", "value": "conv2d_1"}, state)
    state.design.training["frozen"] = ["conv2d_1"]
    assert met({"check": "setting", "key": "frozen", "op": "contains", "value": "conv2d_1"}, state)
    state.settings = {"lr": 0.1}  # the window's live settings win
    assert met({"check": "setting", "key": "lr", "op": ">", "value": 0.05}, state)
    assert not met({"check": "selected", "kind": "conv2d"}, state)
    state.selected = "conv2d_2"
    assert met({"check": "selected", "kind": "conv2d"}, state)
    assert met({"check": "selected", "node": "conv2d#2"}, state)
    assert not met({"check": "selected", "node": "conv2d_1"}, state)
    assert not met({"check": "view", "view": "Filters"}, state)
    state.view = "Filters"
    assert met({"check": "view", "view": "Filters"}, state)
    assert not met({"check": "prediction_flipped"}, state)
    state.prediction = {"original_class": 3, "adversarial_class": 3}
    assert not met({"check": "prediction_flipped"}, state)
    state.prediction["adversarial_class"] = 8
    assert met({"check": "prediction_flipped"}, state)
    assert not met({"check": "explained", "method": "saliency"}, state)
    state.explanations["saliency"] = True
    assert met({"check": "explained", "method": "saliency"}, state)
    cam = {"check": "explained", "method": "grad_cam", "layer": "conv2d#2"}  # at that layer, not any
    state.explanations.update({"grad_cam": True, "grad_cam@conv2d_1": True})
    assert met({"check": "explained", "method": "grad_cam"}, state) and not met(cam, state)
    assert evaluate_check(cam, state).detail == "the grad_cam map was computed at conv2d_1, not conv2d_2"
    state.explanations["grad_cam@conv2d_2"] = True
    assert met(cam, state)
    assert describe(cam) == "you computed a grad_cam map at conv2d#2"


def test_texts_hints_and_no_design():
    check = {"check": "has_layer", "kind": "conv2d", "params": {"kernel_size": 3}, "hint": "add one from the palette"}
    result = evaluate_check(check, LessonState())
    assert not result.met and result.detail == "no design is open"
    assert describe(check) == "the network has at least 1 conv2d layer with kernel_size 3"
    assert describe({"check": "has_layer", "kind": "add", "count": 8}) == "the network has at least 8 add layers"
    assert describe({"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.75}) == \
        "validation accuracy at least 75 %"
    assert describe({"check": "metric", "name": "train_loss", "op": "<", "value": 0.5}) == "training loss below 0.5"
    state = LessonState(design=load_design(resource("examples", "digits_cnn.nbd")))
    missing = evaluate_check({**check, "kind": "dropout", "params": {}}, state)
    assert missing.detail.endswith("add one from the palette")
    for kind in ("prediction_flipped", "valid", "trained"):
        assert describe({"check": kind})


def test_step_met(state):
    from netbuilder.lessons import Step, step_met

    step = Step(text="x", checks=({"check": "has_layer", "kind": "conv2d"}, {"check": "trained"}))
    assert not step_met(step, state)
    state.metrics = {"epochs": 1}
    assert step_met(step, state) and step_met(Step(text="read me"), state)


RUN = {"train_accuracy": 0.99, "val_accuracy": 0.95, "train_loss": 0.01, "val_loss": 0.9, "epochs": 3}


@pytest.mark.parametrize("check", [
    {"check": "trained"},
    {"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.9},
    {"check": "gap", "of": "loss", "op": ">", "value": 0.5},
])
def test_run_checks_count_only_a_run_of_the_current_step(check):
    """A run of an earlier step (or lesson) never ticks a step's run-based checks; one of this step does."""
    state = LessonState(metrics=dict(RUN), run=2, since=2)  # run 2 was started before the step opened
    result = evaluate_check(check, state)
    assert not result.met and "no run finished in this step" in result.detail
    state.run = 3  # the step's own run
    assert evaluate_check(check, state).met
    assert evaluate_check(check, LessonState(metrics=dict(RUN))).met  # no step boundary known: every run counts
    assert not evaluate_check(check, LessonState(run=3, since=2)).met  # no metrics at all


@pytest.mark.parametrize("check", [
    {"check": "trained", "from_scratch": True},
    {"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.9, "from_scratch": True},
    {"check": "gap", "op": ">", "value": 0.0, "from_scratch": True},
])
def test_a_from_scratch_check_wants_a_run_from_fresh_weights(check):
    """A run that went on from an earlier run's weights (Train again without Reset Weights) does not meet a
    check ``from_scratch``, and says why; the same check without it takes that run."""
    state = LessonState(metrics=dict(RUN), run=3, since=2, continued=True)
    result = evaluate_check(check, state)
    assert not result.met and "went on from the weights of an earlier run" in result.detail
    assert "Reset Weights" in result.detail
    assert evaluate_check({k: v for k, v in check.items() if k != "from_scratch"}, state).met
    state.continued = False
    assert evaluate_check(check, state).met
    state.since, state.continued = 3, True  # no run of this step at all: that is what it says
    assert "no run finished in this step" in evaluate_check(check, state).detail


@pytest.mark.parametrize(("check", "text"), [
    ({"key": "batch_mode", "op": "==", "value": "full"}, "Batch mode: full batch"),
    ({"key": "optimizer", "op": "==", "value": "sgd"}, "Optimiser: SGD"),
    ({"key": "momentum", "op": "==", "value": 0}, "Momentum: 0"),
    ({"key": "lr", "op": "<=", "value": 0.0001}, "Learning rate at most 0.0001"),
    ({"key": "train_fraction", "op": "<=", "value": 0.1}, "Share of the training set at most 10 %"),
    ({"key": "frozen", "op": "not_contains", "value": "conv2d_1"}, "Locked layers do not include conv2d_1"),
])
def test_a_setting_check_is_said_as_the_training_panel_names_it(check, text):
    """(It read "the training setting batch_mode == 'full'" under lesson 3's first step.)"""
    from netbuilder.lessons.checks import describe

    assert describe({"check": "setting", **check}) == text



@pytest.mark.parametrize(("check", "text"), [
    ({"check": "param_count", "op": "<=", "value": 5000}, "the network has at most 5000 parameters"),
    ({"check": "macs", "op": ">", "value": 100}, "the network needs above 100 multiply-accumulates per example"),
    ({"check": "gap", "of": "loss", "op": "<", "value": 0.2}, "the train/validation loss gap is below 0.2"),
])
def test_a_comparison_is_said_in_words_not_as_an_operator(check, text):
    from netbuilder.lessons.checks import describe

    assert describe(check) == text


def test_lenet_built_from_file_new_meets_the_classifier_step():
    """Lesson 7 invites the student to build LeNet-5 from File ▸ New, whose layers are named input_1,
    conv2d_1, ..., output_1; its check on the Output named "output", the id of the lesson's own starting
    design only, so a student who built it all could never finish the step."""
    from netbuilder.graph import Design, Edge, Node
    from netbuilder.lessons import find_lesson

    design = Design(name="mine", dataset={"name": "shapes"})
    chain = [("input_1", "input", {"shape": [1, 28, 28]}),
             ("conv2d_1", "conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}), ("relu_1", "relu", {}),
             ("maxpool2d_1", "maxpool2d", {"kernel_size": 2}),
             ("conv2d_2", "conv2d", {"filters": 16, "kernel_size": 5}), ("relu_2", "relu", {}),
             ("maxpool2d_2", "maxpool2d", {"kernel_size": 2}), ("flatten_1", "flatten", {}),
             ("dense_1", "dense", {"units": 120}), ("relu_3", "relu", {}), ("dense_2", "dense", {"units": 84}),
             ("relu_4", "relu", {}), ("dense_3", "dense", {"units": 6}), ("output_1", "output", {})]
    for node_id, kind, params in chain:
        design.graph.insert_node(Node(node_id, kind, params, (0.0, 0.0)))
    for (a, *_), (b, *_) in zip(chain, chain[1:], strict=False):
        design.graph.insert_edge(Edge(a, b, 0))
    state = LessonState(design=design)
    step = find_lesson("lenet").steps[3]
    assert [evaluate_check(c, state).met for c in step.checks] == [True, True, True]


def test_a_kind_names_the_one_node_of_that_kind(state):
    """A reference that is no node's id but a kind with one node resolves to it (a lesson author writes
    "output"); a kind with several nodes resolves to none (which one would be a guess)."""
    assert "flatten" not in state.design.graph.nodes
    assert met({"check": "output_shape", "node": "flatten", "value": [64]}, state)
    assert not met({"check": "output_shape", "node": "dense", "value": [10]}, state)
    assert evaluate_check({"check": "output_shape", "node": "dense", "value": [10]}, state).detail


def test_between_is_inclusive_and_said_in_words(state):
    from netbuilder.lessons.checks import describe

    params = state.get_analysis().total_params
    assert met({"check": "param_count", "op": "between", "value": [params, params + 1]}, state)
    assert not met({"check": "param_count", "op": "between", "value": [params + 1, params + 10]}, state)
    assert describe({"check": "param_count", "op": "between", "value": [6_000_000, 7_000_000]}) == \
        "the network has between 6,000,000 and 7,000,000 parameters"


@pytest.mark.parametrize(("step", "preset"), [(0, "alexnet"), (1, "vgg16"), (2, "resnet18"), (3, "googlenet"),
                                              (4, "densenet121"), (5, "efficientnet_b0")])
def test_an_architecture_steps_checks_are_met_by_that_architecture_only(state, step, preset):
    """Lesson 8's "Deeper than VGG, with 20× fewer parameters" (GoogLeNet) was ticked by the 3,658-parameter
    Digits CNN the lesson starts on, before the student opened anything, and so were DenseNet's and
    EfficientNet's "fewer than" checks: each now names the architecture's own range."""
    from netbuilder.lessons import find_lesson
    from netbuilder.presets import build_preset

    checks = find_lesson("architectures").steps[step].checks
    assert not any(met(c, state) for c in checks)  # the Digits CNN
    others = {"alexnet", "vgg16", "resnet18", "googlenet", "densenet121", "efficientnet_b0"} - {preset}
    for name in [preset, *sorted(others)]:
        shown = LessonState(design=build_preset(name))
        results = [met(c, shown) for c in checks]
        assert all(results) if name == preset else not all(results), (name, results)
