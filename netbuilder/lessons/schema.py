"""Validating a lesson's JSON tree, key by key, against the tables in ``vocabulary.py``.

Every problem raises ``io.errors.Invalid(where, problem)`` with a JSON path such as
``steps[2].checks[0].kind``; ``load.py`` adds the file name. Imports: layers, presets, choices, io.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from netbuilder import choices
from netbuilder.io.errors import Invalid, format_path
from netbuilder.layers import get_spec, has_kind
from netbuilder.lessons import vocabulary as V
from netbuilder.lessons.model import Lesson, Step
from netbuilder.presets import canonical_name
from netbuilder.presets.errors import PresetError

Path = tuple[str | int, ...]
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_NODE_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(#[1-9][0-9]{0,3})?$")


def _fail(path: Path, problem: str) -> Invalid:
    return Invalid(format_path(path), problem)


def _one_of(value: Any, allowed: tuple[str, ...] | list[str], what: str, path: Path) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise _fail(path, f"unknown {what} {value!r}{hint}; known: {', '.join(map(str, allowed))}")


def _str(value: Any, path: Path) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"must be a non-empty text, not {value!r}")
    if len(value) > V.MAX_TEXT:
        raise _fail(path, f"a text of {len(value):,} characters is too long (at most {V.MAX_TEXT:,})")


def _int(value: Any, path: Path) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(path, f"must be a whole number of at least 1, not {value!r}")


def _number(value: Any, path: Path) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, f"must be a number, not {value!r}")


def _bound(value: Any, path: Path) -> None:
    """A number, or ``[low, high]`` (for the operator ``between``)."""
    if isinstance(value, list):
        if len(value) != 2:
            raise _fail(path, f"a range must be [low, high], not {value!r}")
        for i, v in enumerate(value):
            _number(v, (*path, i))
        if value[0] > value[1]:
            raise _fail(path, f"the range {value!r} runs backwards: write [low, high]")
    else:
        _number(value, path)


def _typed(kind: type, word: str) -> Callable[[Any, Path], None]:
    def check(value: Any, path: Path) -> None:
        if not isinstance(value, kind):
            raise _fail(path, f"must be {word}, not {type(value).__name__} {value!r}"[:200])
    return check


def _str_list(value: Any, path: Path) -> None:
    if not isinstance(value, list) or not value:
        raise _fail(path, f"must be a non-empty list of texts, not {value!r}"[:200])
    for i, v in enumerate(value):
        _str(v, (*path, i))


def _lesson_id(value: Any, path: Path) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise _fail(path, f"must be a short id of lowercase letters, digits and _ (e.g. 'conv_output_size'), "
                          f"not {value!r}")


def _node(value: Any, path: Path) -> None:
    if not isinstance(value, str) or not _NODE_REF.match(value):
        raise _fail(path, f"must name a node: its id ('conv1'), 'selected', or a kind and its number in the "
                          f"network ('conv2d#2'), not {value!r}")


def _layer_kind(value: Any, path: Path) -> None:
    if not isinstance(value, str) or not has_kind(value):
        from netbuilder.layers import all_specs

        _one_of(value, [s.kind for s in all_specs()], "layer kind", path)


def _preset(value: Any, path: Path) -> None:
    try:
        canonical_name(str(value))
    except (PresetError, KeyError) as e:
        raise _fail(path, f"unknown preset {value!r}: {e}") from None


def _example(value: Any, path: Path) -> None:
    from netbuilder.lessons.load import example_names

    name = str(value).removesuffix(".nbd")
    _one_of(name, example_names(), "example", path)


def _shape(value: Any, path: Path) -> None:
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value):
        raise _fail(path, f"must be a shape: a list of whole numbers such as [6, 28, 28], not {value!r}")


def _choice(allowed: tuple[str, ...], what: str) -> Callable[[Any, Path], None]:
    return lambda value, path: _one_of(value, allowed, what, path)


def _actions(value: Any, path: Path) -> None:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _fail(path, "lists no action (leave the key out instead)")
    for i, action in enumerate(items):
        validate_action(action, (*path, i) if isinstance(value, list) else path)


_CHECKERS: dict[str, Callable[[Any, Path], None]] = {
    "str": _str, "positive_int": _int, "number": _number, "bound": _bound, "bool": _typed(bool, "true or false"),
    "any": lambda v, p: None, "dict": _typed(dict, "an object {...}"), "list": _typed(list, "a list [...]"),
    "str_list": _str_list, "lesson_id": _lesson_id, "node": _node, "layer_kind": _layer_kind,
    "preset": _preset, "example": _example, "shape": _shape, "actions": _actions,
    "dataset": _choice(V.DATASETS, "dataset"), "view": _choice(V.VIEWS, "view"),
    "setting": _choice(V.setting_keys(), "training setting"), "op": _choice(V.OPS, "operator"),
    "metric": _choice(V.METRICS, "metric"), "gap_of": _choice(V.GAP_OF, "gap"),
    "explain_method": _choice(V.EXPLAIN_METHODS, "explanation method"),
    "attack_method": _choice(V.ATTACK_METHODS, "attack method"), "answer_what": _choice(V.ANSWER_WHAT, "answer"),
}


def check_keys(obj: Any, keys: dict[str, str], path: Path, what: str, skip: tuple[str, ...] = ()) -> None:
    """``obj`` is an object holding the required keys of ``keys`` and no other, each of its type."""
    if not isinstance(obj, dict):
        raise _fail(path, f"{what} must be an object {{...}}, not {type(obj).__name__}")
    known = {k.lstrip("*"): t for k, t in keys.items()}
    for key in obj:
        if key in skip:
            continue
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise _fail((*path, key), f"unknown key {key!r} in {what}{hint}; known: {', '.join(known) or 'none'}")
    for key, kind in keys.items():
        name = key.lstrip("*")
        if name not in obj:
            if key.startswith("*"):
                raise _fail(path, f"{what} needs the key {name!r}")
            continue
        _CHECKERS[kind](obj[name], (*path, name))


def _setting_value(key: str, value: Any, path: Path) -> None:
    """A value of the right type for training setting ``key`` (a choice among its choices)."""
    if key in choices.CHOICES:
        _one_of(value, choices.CHOICES[key], f"{key}", path)
        return
    default = V.setting_default(key)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and (isinstance(default, float) or isinstance(value, int))
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise _fail(path, f"the training setting {key} takes a value like {default!r}, not {value!r}")


def _layer_params(kind: str, params: dict, path: Path) -> None:
    spec = get_spec(kind)
    names = [p.name for p in spec.params]
    for name, value in params.items():
        _one_of(name, names, f"setting of {kind}", (*path, name))
        problem = next(p for p in spec.params if p.name == name).check(value)
        if problem:
            raise _fail((*path, name), problem)


def validate_action(action: Any, path: Path) -> None:
    """One action object: ``{"do": kind, ...}``."""
    if not isinstance(action, dict) or "do" not in action:
        raise _fail(path, "an action must be an object with the key 'do' (e.g. {\"do\": \"switch_view\", ...})")
    _one_of(action["do"], tuple(V.ACTIONS), "action", (*path, "do"))
    kind = action["do"]
    check_keys(action, V.ACTIONS[kind], path, f"the action {kind}", skip=("do",))
    if kind == "open_design" and sum(k in action for k in ("preset", "example", "file")) != 1:
        raise _fail(path, "open_design needs exactly one of 'preset', 'example' or 'file'")
    if kind == "set_setting":
        _setting_value(action["key"], action["value"], (*path, "value"))
    if kind == "add_layer" and "params" in action:
        _layer_params(action["kind"], action["params"], (*path, "params"))


def validate_check(check: Any, path: Path) -> None:
    """One check object: ``{"check": kind, ...}``."""
    if not isinstance(check, dict) or "check" not in check:
        raise _fail(path, "a check must be an object with the key 'check' (e.g. {\"check\": \"valid\"})")
    _one_of(check["check"], tuple(V.CHECKS), "check", (*path, "check"))
    kind = check["check"]
    check_keys(check, V.CHECKS[kind], path, f"the check {kind}", skip=("check",))
    if kind == "has_layer" and "params" in check:
        _layer_params(check["kind"], check["params"], (*path, "params"))
    if kind == "setting" and check["op"] == "between":
        raise _fail((*path, "op"), "between is for counts and results (param_count, macs, layer_count, metric, "
                                   "gap); compare a setting with ==, !=, <, <=, > or >=")
    if kind == "setting" and check["op"] not in ("contains", "not_contains"):
        _setting_value(check["key"], check["value"], (*path, "value"))
    elif kind == "setting" and not isinstance(V.setting_default(check["key"]), list):
        raise _fail((*path, "op"), f"{check['op']} is for lists (the setting 'frozen'); {check['key']} is one "
                                   "value: compare it with ==, !=, <, <=, > or >=")
    if V.CHECKS[kind].get("*value") == "bound" and isinstance(check["value"], list) != (check["op"] == "between"):
        raise _fail((*path, "value"), "the operator between takes a range [low, high]" if check["op"] == "between"
                    else f"a range [low, high] is for the operator between, not {check['op']}")
    if kind in ("metric", "gap", "param_count", "macs", "layer_count") and check["op"] in ("contains", "not_contains"):
        raise _fail((*path, "op"), f"{check['op']} is for lists (the setting 'frozen'); compare numbers with "
                                   "==, !=, <, <=, > or >=")


def validate_question(q: Any, path: Path) -> None:
    """One question: ``answer_from`` (checked against the analysis), ``choices`` + ``answer`` (an index),
    or a fixed ``answer``."""
    check_keys(q, V.QUESTION_KEYS, path, "a question")
    if "answer_from" in q:
        if "answer" in q or "choices" in q:
            raise _fail(path, "a question with 'answer_from' takes its answer from the analysis: leave out "
                              "'answer' and 'choices'")
        check_keys(q["answer_from"], V.ANSWER_FROM_KEYS, (*path, "answer_from"), "answer_from")
        if "node" not in q["answer_from"] and q["answer_from"]["what"] not in V.NODE_FREE_WHAT:
            raise _fail((*path, "answer_from"), f"{q['answer_from']['what']} is a node's: add 'node'")
        return
    if "answer" not in q:
        raise _fail(path, "a question needs 'answer_from' (checked against the analysis) or an 'answer'")
    if "choices" in q:
        n = len(q["choices"])
        if not 2 <= n <= V.MAX_CHOICES:
            raise _fail((*path, "choices"), f"a multiple-choice question has 2 to {V.MAX_CHOICES} choices, not {n}")
        a = q["answer"]
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < n:
            raise _fail((*path, "answer"), f"must be the index of the right choice (0 to {n - 1}), not {a!r}")


def _limited(items: list, limit: int, path: Path, what: str) -> list:
    if len(items) > limit:
        raise _fail(path, f"{len(items)} {what} is too many (at most {limit})")
    return items


def _step(obj: Any, path: Path) -> Step:
    check_keys(obj, V.STEP_KEYS, path, "a step")
    acts = {k: obj[k] if isinstance(obj[k], list) else [obj[k]] for k in ("show_me", "solution") if k in obj}
    checks = _limited(obj.get("checks", []), V.MAX_PER_STEP, (*path, "checks"), "checks")
    questions = _limited(obj.get("questions", []), V.MAX_PER_STEP, (*path, "questions"), "questions")
    for key, items in acts.items():
        _limited(items, V.MAX_PER_STEP, (*path, key), "actions")
    for i, c in enumerate(checks):
        validate_check(c, (*path, "checks", i))
    seen: set[str] = set()
    for i, q in enumerate(questions):
        validate_question(q, (*path, "questions", i))
        if q["id"] in seen:
            raise _fail((*path, "questions", i, "id"), f"the question id {q['id']!r} is used twice in this step")
        seen.add(q["id"])
    return Step(text=obj["text"], title=obj.get("title", ""), show_me=tuple(acts.get("show_me", ())),
                solution=tuple(acts["solution"]) if "solution" in acts else None, checks=tuple(checks),
                questions=tuple(questions))


def build_lesson(data: Any, path: str = "") -> Lesson:
    """The Lesson in a parsed JSON tree; raises Invalid naming the place of the first problem."""
    if not isinstance(data, dict):
        raise _fail((), "a lesson file holds one JSON object {...}")
    if data.get("format") != V.FORMAT:
        raise _fail(("format",), f"not a netbuilder lesson: the key 'format' must be {V.FORMAT!r}")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > V.VERSION:
        raise _fail(("version",), f"lesson format version {version} is newer than this netbuilder reads "
                                  f"({V.VERSION}): update netbuilder")
    check_keys(data, V.LESSON_KEYS, (), "a lesson")
    steps = _limited(data["steps"], V.MAX_STEPS, ("steps",), "steps")
    if not steps:
        raise _fail(("steps",), "a lesson needs at least one step")
    return Lesson(id=data["id"], title=data["title"], concepts=tuple(data["concepts"]), minutes=data["minutes"],
                  text=data["text"], steps=tuple(_step(s, ("steps", i)) for i, s in enumerate(steps)), path=path)
