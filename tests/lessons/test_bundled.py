"""The bundled lessons: twelve, in the course's order, every one loads, names real things and is listed."""

from __future__ import annotations

import json
import os

import pytest

from netbuilder.lessons import find_lesson, lesson_files, load_lessons
from netbuilder.lessons import vocabulary as V

COURSE = ["neuron", "softmax_loss", "gradient_descent", "convolution", "pooling", "feature_maps", "lenet",
          "architectures", "overfitting", "augmentation", "transfer", "explain_attack"]


def test_twelve_lessons_in_the_course_order():
    lessons = load_lessons()
    assert [lesson.id for lesson in lessons] == COURSE
    for lesson in lessons:
        assert lesson.steps and lesson.concepts and 5 <= lesson.minutes <= 60
        assert any(step.checks for step in lesson.steps), lesson.id
        assert lesson.steps[0].reference[0]["do"] == "open_design", lesson.id


def test_files_are_named_by_number_and_id():
    for number, (path, key) in enumerate(zip(lesson_files(), COURSE, strict=True), 1):
        assert path.name == f"{number:02d}_{key}.json"
        assert json.loads(path.read_text(encoding="utf-8"))["format"] == V.FORMAT


def test_datasets_named_by_lessons_are_the_apps():
    from netbuilder.data import dataset_names

    assert list(V.DATASETS) == dataset_names()


def test_find_by_id_or_file():
    assert find_lesson("lenet").title == "Build LeNet-5 yourself"
    assert find_lesson(str(lesson_files()[0])).id == "neuron"
    # the bundled file's name, as a teacher reads it in resources/lessons (from any folder)
    assert find_lesson("12_explain_attack").id == find_lesson("12_explain_attack.json").id == "explain_attack"


def test_a_lesson_that_is_nowhere_is_one_line_with_a_guess():
    from netbuilder.lessons import LessonFileError

    with pytest.raises(LessonFileError) as caught:
        find_lesson("explain_atack")
    assert str(caught.value) == ("explain_atack: no such lesson file, and no bundled lesson has this id "
                                 "(did you mean 'explain_attack'?)")


def test_views_are_the_windows():
    """The views a lesson may switch to are the window's workspaces and dock titles (read without Qt)."""
    import ast

    from netbuilder.paths import resources_dir

    source = resources_dir().parent / "netbuilder" / "ui" / "workspaces.py"
    if not source.is_file():
        return
    names: dict[str, tuple] = {}
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("WORKSPACES", "BUILD_DOCKS", "TRAIN_DOCKS", "EXPLORE_DOCKS"):
                names[node.targets[0].id] = ast.literal_eval(node.value)
    window = {title for titles in names.values() for title in titles}
    assert window <= set(V.VIEWS), f"views the lessons do not know: {sorted(window - set(V.VIEWS))}"


def _actions(step) -> list[dict]:
    return list(step.show_me) + list(step.solution or ())


@pytest.mark.parametrize(("lesson", "step"), [("softmax_loss", 2), ("gradient_descent", 1), ("gradient_descent", 2),
                                              ("overfitting", 1), ("overfitting", 3), ("augmentation", 2)])
def test_steps_that_compare_runs_train_from_fresh_weights(lesson, step):
    actions = _actions(find_lesson(lesson).steps[step])
    assert any(a["do"] == "start_training" and a.get("fresh") for a in actions)


def test_augmentation_is_compared_with_a_run_without_it():
    steps = find_lesson("augmentation").steps
    first = next(i for i, s in enumerate(steps) if any(a["do"] == "start_training" for a in _actions(s)))
    on = next(i for i, s in enumerate(steps) if any(a.get("key", "").startswith("augmentation.") for a in _actions(s)))
    assert first < on


@pytest.mark.parametrize(("lesson", "step", "view"), [("neuron", 1, "Decision boundary"), ("overfitting", 0, "Overfitting lab"),
                                                      ("overfitting", 1, "Overfitting lab"), ("transfer", 2, "Transfer")])
def test_show_me_that_trains_names_the_view_to_watch(lesson, step, view):
    """The view a step is about is chosen before its training (the window shows it again once the run starts)."""
    actions = list(find_lesson(lesson).steps[step].show_me)
    kinds = [a["do"] for a in actions]
    assert actions[kinds.index("start_training") - 1] == {"do": "switch_view", "view": view}


def test_texts_agree_with_what_the_window_shows():
    overfit = find_lesson("overfitting").steps[0]
    fraction = next(a["value"] for a in overfit.show_me if a.get("key") == "train_fraction")
    assert fraction >= 0.05 and "5 %" in overfit.text  # the Overfitting lab's slider starts at 5 %
    conv = find_lesson("convolution").steps[-1]
    metric = next(c for c in conv.checks if c["check"] == "metric")
    assert f"{metric['value']:.0%}".replace("%", " %") in metric["text"]
    assert "beat the MLP" not in conv.text
    assert "too small to notice" not in find_lesson("explain_attack").text
    assert "Show me" in find_lesson("lenet").steps[0].text


def test_no_check_of_a_step_tells_the_answer_to_its_questions():
    """A check's text is on screen with the question: "conv2d_1 now outputs 8×6×6" beside "What is
    conv2d_1's output size with your settings?" gave the answer away (and "maxpool2d#1 outputs 6×14×14",
    "The classifier outputs 10 logits"). Walked through with each step's reference solution, on the real
    datasets' shapes (no training: what a check says of the design is what matters here)."""
    from netbuilder.commands.lessons import TorchEngine
    from netbuilder.lessons import LessonState, apply_action, describe, expected_answer
    from netbuilder.lessons.questions import expected_text
    from tests.lessons.conftest import FakeEngine

    class ShapesOnly(FakeEngine):  # the datasets' real shapes, no training
        def __init__(self):
            super().__init__()
            self.data = TorchEngine(max_epochs=1)

        def dataset_shape(self, dataset):
            return self.data.dataset_shape(dataset)

    told = []
    for lesson in load_lessons():
        state, engine = LessonState(), ShapesOnly()
        for number, step in enumerate(lesson.steps, 1):
            for action in step.reference:
                apply_action(action, state, engine, os.path.dirname(lesson.path))
            texts = [check.get("text") or describe(check) for check in step.checks]
            for question in step.questions:
                if "answer_from" not in question:
                    continue
                answer = expected_text(question, expected_answer(question, state))
                told += [(lesson.id, number, question["id"], text) for text in texts if answer in text]
    assert told == []


def test_set_up_replays_the_earlier_steps_from_the_last_design_opened():
    from netbuilder.lessons.model import ONLY_SHOWS

    lenet = find_lesson("lenet")
    assert lenet.set_up(0) == ()
    assert [a["do"] for a in lenet.set_up(2)] == ["open_design", "add_layer", "add_layer", "add_layer"]
    transfer = find_lesson("transfer")  # the digits' training, then the shapes: switch_view left out
    assert [a["do"] for a in transfer.set_up(2)] == ["open_design", "set_setting", "start_training", "set_dataset"]
    gradient = find_lesson("gradient_descent")
    assert gradient.set_up(3) == ()  # the step opens its own design
    for lesson in (lenet, transfer, gradient, find_lesson("explain_attack")):
        for i in range(len(lesson.steps)):
            assert not any(a["do"] in ONLY_SHOWS for a in lesson.set_up(i))
    assert all(find_lesson("architectures").set_up(i) == () for i in range(7))
