"""One test per kind of broken lesson file: a LessonFileError naming the file, the place and the problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from netbuilder.lessons import LessonFileError, load_lesson, loads_lesson
from netbuilder.lessons import vocabulary as V


def refused(path: Path, content: str | bytes | dict) -> LessonFileError:
    if isinstance(content, dict):
        content = json.dumps(content, ensure_ascii=False)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    e = info.value
    assert e.path == str(path)
    assert str(e) == f"{path}: {e.where}: {e.problem}"
    assert e.where and e.problem and "\n" not in str(e)
    return e


def test_the_base_lesson_loads(tmp_path, lesson_dict):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(lesson_dict), encoding="utf-8")
    lesson = load_lesson(path)
    assert lesson.id == "tiny" and len(lesson.steps) == 2
    assert lesson.steps[1].show_me == ({"do": "start_training", "epochs": 1},)  # one action, not a list
    assert lesson.steps[0].reference == lesson.steps[0].show_me


def _set(path: tuple, value) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        target = d
        for p in path[:-1]:
            target = target[p]
        target[path[-1]] = value
    return mutate


def _drop(path: tuple) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        target = d
        for p in path[:-1]:
            target = target[p]
        del target[path[-1]]
    return mutate


S0 = ("steps", 0)
CASES = [
    ("unknown top-level key", _set(("colour",), "red"), "colour", "unknown key 'colour'"),
    ("typo with a hint", _set(("titel",), "x"), "titel", "did you mean 'title'"),
    ("missing id", _drop(("id",)), "top level", "needs the key 'id'"),
    ("bad id", _set(("id",), "Has Spaces"), "id", "short id"),
    ("minutes not a number", _set(("minutes",), "ten"), "minutes", "whole number"),
    ("concepts empty", _set(("concepts",), []), "concepts", "non-empty list"),
    ("wrong format", _set(("format",), "netbuilder-design"), "format", "not a netbuilder lesson"),
    ("newer version", _set(("version",), 99), "version", "newer than this netbuilder"),
    ("no steps", _set(("steps",), []), "steps", "at least one step"),
    ("step without text", _drop((*S0, "text")), "steps[0]", "needs the key 'text'"),
    ("unknown step key", _set((*S0, "hint"), "x"), "steps[0].hint", "unknown key 'hint'"),
    ("unknown action", _set((*S0, "show_me", 0, "do"), "open"), "steps[0].show_me[0].do", "unknown action 'open'"),
    ("action without do", _set((*S0, "show_me", 0), {"preset": "lenet5"}), "steps[0].show_me[0]", "key 'do'"),
    ("unknown preset", _set((*S0, "show_me", 0), {"do": "open_design", "preset": "lenet7"}),
     "steps[0].show_me[0].preset", "unknown preset 'lenet7'"),
    ("unknown example", _set((*S0, "show_me", 0), {"do": "open_design", "example": "nope"}),
     "steps[0].show_me[0].example", "unknown example 'nope'"),
    ("two sources", _set((*S0, "show_me", 0), {"do": "open_design", "preset": "mlp", "example": "digits_cnn"}),
     "steps[0].show_me[0]", "exactly one of"),
    ("unknown dataset", _set((*S0, "show_me", 0), {"do": "set_dataset", "name": "imagenet"}),
     "steps[0].show_me[0].name", "unknown dataset 'imagenet'"),
    ("unknown view", _set((*S0, "show_me", 1), {"do": "switch_view", "view": "Filter"}),
     "steps[0].show_me[1].view", "did you mean 'Filters'"),
    ("unknown setting", _set((*S0, "show_me", 1), {"do": "set_setting", "key": "learning_rate", "value": 0.1}),
     "steps[0].show_me[1].key", "unknown training setting 'learning_rate'"),
    ("bad setting choice", _set((*S0, "show_me", 1), {"do": "set_setting", "key": "optimizer", "value": "adamax"}),
     "steps[0].show_me[1].value", "unknown optimizer 'adamax'"),
    ("bad setting type", _set((*S0, "show_me", 1), {"do": "set_setting", "key": "lr", "value": "fast"}),
     "steps[0].show_me[1].value", "takes a value like 0.01"),
    ("bad node reference", _set((*S0, "show_me", 1), {"do": "select_node", "node": "conv 1"}),
     "steps[0].show_me[1].node", "must name a node"),
    ("unknown layer kind to add", _set((*S0, "show_me", 1), {"do": "add_layer", "kind": "conv3d", "after": "input"}),
     "steps[0].show_me[1].kind", "unknown layer kind 'conv3d'"),
    ("unknown layer setting", _set((*S0, "show_me", 1),
                                   {"do": "add_layer", "kind": "conv2d", "after": "input", "params": {"size": 3}}),
     "steps[0].show_me[1].params.size", "unknown setting of conv2d 'size'"),
    ("bad layer setting", _set((*S0, "show_me", 1),
                               {"do": "add_layer", "kind": "dense", "after": "input", "params": {"units": "ten"}}),
     "steps[0].show_me[1].params.units", "whole number"),
    ("fresh is true or false", _set(("steps", 1, "show_me"), {"do": "start_training", "fresh": "yes"}),
     "steps[1].show_me.fresh", "true or false"),
    ("unknown check", _set((*S0, "checks", 0, "check"), "has_layers"), "steps[0].checks[0].check",
     "did you mean 'has_layer'"),
    ("unknown check key", _set((*S0, "checks", 0, "size"), 3), "steps[0].checks[0].size", "unknown key 'size'"),
    ("check's unknown layer kind", _set((*S0, "checks", 0, "kind"), "Conv2D"), "steps[0].checks[0].kind",
     "unknown layer kind"),
    ("check's layer setting", _set((*S0, "checks", 0, "params"), {"kernel": 3}), "steps[0].checks[0].params.kernel",
     "unknown setting of conv2d"),
    ("unknown metric", _set(("steps", 1, "checks", 0, "name"), "accuracy"), "steps[1].checks[0].name",
     "unknown metric 'accuracy'"),
    ("unknown operator", _set(("steps", 1, "checks", 0, "op"), "=>"), "steps[1].checks[0].op", "unknown operator"),
    ("contains on a number", _set(("steps", 1, "checks", 0, "op"), "contains"), "steps[1].checks[0].op",
     "is for lists"),
    ("metric without value", _drop(("steps", 1, "checks", 0, "value")), "steps[1].checks[0]", "needs the key 'value'"),
    ("question without answer", _drop((*S0, "questions", 0, "answer_from")), "steps[0].questions[0]",
     "needs 'answer_from'"),
    ("answer out of range", _set((*S0, "questions", 1, "answer"), 2), "steps[0].questions[1].answer",
     "index of the right choice"),
    ("unknown answer_from", _set((*S0, "questions", 0, "answer_from", "what"), "shape"),
     "steps[0].questions[0].answer_from.what", "unknown answer 'shape'"),
    ("node question without node", _drop((*S0, "questions", 0, "answer_from", "node")),
     "steps[0].questions[0].answer_from", "add 'node'"),
    ("duplicate question id", _set((*S0, "questions", 1, "id"), "size"), "steps[0].questions[1].id", "used twice"),
    ("too many steps", _set(("steps",), [{"text": "x"}] * (V.MAX_STEPS + 1)), "steps", "too many"),
    ("text too long", _set(("text",), "x" * (V.MAX_TEXT + 1)), "text", "too long"),
]


@pytest.mark.parametrize(("mutate", "where", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_lessons_are_refused_with_the_place(tmp_path, lesson_dict, mutate, where, fragment):
    mutate(lesson_dict)
    e = refused(tmp_path / "broken.json", lesson_dict)
    assert e.where == where
    assert fragment in e.problem


@pytest.mark.parametrize(("content", "where", "fragment"), [
    ("", "whole file", "empty"),
    ('{"format": "netbuilder-lesson",\n "id": }', "line 2, column 8", "not valid JSON"),
    (b"\xff\xfe\x00bin", "byte 2", "binary"),
    ('{"a": 1, "a": 2}', "top level", "appears twice"),
    ("[1, 2]", "top level", "one JSON object"),
    ('{"format": "netbuilder-lesson", "version": 1, "minutes": NaN}', "minutes", "finite"),
])
def test_unreadable_files(tmp_path, content, where, fragment):
    e = refused(tmp_path / "bad.json", content)
    assert e.where == where and fragment in e.problem


def test_size_limit(tmp_path):
    e = refused(tmp_path / "big.json", " " * (V.MAX_FILE_BYTES + 1))
    assert e.where == "whole file" and "too big for a lesson" in e.problem


def test_missing_file_and_folder(tmp_path):
    e = refused(tmp_path / "x.json", "{}")  # sanity: the helper writes; now ask for another name
    with pytest.raises(LessonFileError, match="no such file"):
        load_lesson(tmp_path / "missing.json")
    with pytest.raises(LessonFileError, match="a folder, not a lesson file"):
        load_lesson(tmp_path)
    assert e.where


def test_loads_lesson_from_text(lesson_dict):
    assert loads_lesson(json.dumps(lesson_dict)).title == "A tiny lesson"
    with pytest.raises(LessonFileError, match="<lesson>: version"):
        loads_lesson(json.dumps({**lesson_dict, "version": "1"}))


def test_contains_is_for_list_settings_only():
    from netbuilder.lessons.schema import Invalid, validate_check

    with pytest.raises(Invalid, match="lr is one value"):
        validate_check({"check": "setting", "key": "lr", "op": "contains", "value": 1}, ("steps", 0, "checks", 0))
    validate_check({"check": "setting", "key": "frozen", "op": "contains", "value": "conv2d_1"}, ("steps", 0))
    with pytest.raises(Invalid, match="known: .*dense.*conv2d"):  # every kind named, not a page to look for
        validate_check({"check": "has_layer", "kind": "Conv2D"}, ("steps", 0, "checks", 0))


def test_between_takes_a_range_and_only_for_counts_and_results():
    from netbuilder.lessons.schema import Invalid, validate_check

    where = ("steps", 0, "checks", 0)
    validate_check({"check": "param_count", "op": "between", "value": [6_000_000, 7_000_000]}, where)
    validate_check({"check": "metric", "name": "val_accuracy", "op": "between", "value": [0.6, 0.9]}, where)
    with pytest.raises(Invalid, match="takes a range"):
        validate_check({"check": "param_count", "op": "between", "value": 7_000_000}, where)
    with pytest.raises(Invalid, match="for the operator between, not <"):
        validate_check({"check": "macs", "op": "<", "value": [1, 2]}, where)
    with pytest.raises(Invalid, match="runs backwards"):
        validate_check({"check": "macs", "op": "between", "value": [2, 1]}, where)
    with pytest.raises(Invalid, match=r"must be \[low, high\]"):
        validate_check({"check": "macs", "op": "between", "value": [1, 2, 3]}, where)
    with pytest.raises(Invalid, match="compare a setting with"):
        validate_check({"check": "setting", "key": "lr", "op": "between", "value": [0.1, 0.2]}, where)
