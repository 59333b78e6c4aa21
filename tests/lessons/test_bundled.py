"""The bundled lessons: twelve, in the course's order, every one loads, names real things and is listed."""

from __future__ import annotations

import json

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
