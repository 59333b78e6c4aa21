"""Questions with instant feedback: the expected answer (from the analysis of the student's own design, a
choice, or a fixed value) and checking what the student typed. Pure: analysis, graph.

Shapes may be typed ``6×28×28``, ``6x28x28``, ``(6, 28, 28)`` or ``6 28 28``; an ``output_size`` question
takes the height and width (``28×28``, or ``28`` for a square map); numbers may have thousands separators.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from netbuilder.lessons.model import Question
from netbuilder.lessons.state import LessonState, resolve_node

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


@dataclass(frozen=True)
class QuestionResult:
    correct: bool
    feedback: str
    expected: str  # the right answer, in words (the panel shows it after a wrong try, or on "show answer")


def _shape_text(shape: Any) -> str:
    return "×".join(str(v) for v in shape)


def expected_answer(q: Question, state: LessonState) -> Any:
    """The right answer for ``state``: a shape (tuple), a whole number, a choice index or a fixed value;
    None when the design cannot say (no such node, or its shape is unknown)."""
    if "answer_from" not in q:
        return q.get("answer")
    spec = q["answer_from"]
    what = spec["what"]
    analysis = state.get_analysis()
    if analysis is None:
        return None
    if what == "total_params":
        return analysis.total_params
    if what == "total_macs":
        return analysis.total_macs
    node = resolve_node(spec["node"], state)
    info = analysis.nodes.get(node) if node else None
    if info is None:
        return None
    if what in ("params", "macs"):
        return getattr(info, what)
    if what == "input_shape":
        return tuple(info.in_shapes[0]) if info.in_shapes and info.in_shapes[0] else None
    if info.shape is None:
        return None
    if what == "output_shape":
        return tuple(info.shape)
    if what == "channels":
        return info.shape[0]
    return tuple(info.shape[1:]) if len(info.shape) == 3 else None  # output_size


def _numbers(text: str, grouped: bool = False) -> list[float]:
    """The numbers in ``text``; ``grouped``: one number that may have thousands separators (61,706)."""
    cleaned = re.sub(r"(?<=\d)[,_' ](?=\d{3}\b)", "", text) if grouped else text
    return [float(m) for m in _NUMBER.findall(cleaned)]


def _matches(q: Question, answer: Any, expected: Any) -> bool:
    if "choices" in q:
        if isinstance(answer, int) and not isinstance(answer, bool):
            return answer == expected
        return str(answer).strip().lower() == str(q["choices"][expected]).strip().lower()
    if isinstance(expected, tuple):
        got = list(answer) if isinstance(answer, (list, tuple)) else _numbers(str(answer))
        if q.get("answer_from", {}).get("what") == "output_size" and len(got) == 1 and len(set(expected)) == 1:
            got = got * len(expected)
        if len(got) == len(expected) + 1 and q.get("answer_from", {}).get("what") == "output_size":
            got = got[1:]  # a whole C×H×W shape for a size question is fine
        return [float(v) for v in got] == [float(v) for v in expected]
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        got = [float(answer)] if isinstance(answer, (int, float)) else _numbers(str(answer), grouped=True)
        if len(got) != 1:
            return False
        if isinstance(expected, int):  # counts are exact
            return got[0] == expected
        return math.isclose(got[0], float(expected), rel_tol=1e-3, abs_tol=1e-9)
    return str(answer).strip().lower() == str(expected).strip().lower()


def expected_text(q: Question, expected: Any) -> str:
    if expected is None:
        return "(the design cannot say yet)"
    if "choices" in q:
        return str(q["choices"][expected])
    if isinstance(expected, tuple):
        return _shape_text(expected)
    if isinstance(expected, int) and not isinstance(expected, bool):
        return f"{expected:,}"
    return str(expected)


def check_answer(q: Question, answer: Any, state: LessonState) -> QuestionResult:
    """Whether ``answer`` (typed text, a number, a list, or a choice's index or text) is right for the
    student's current design; the feedback adds the question's ``explain``."""
    expected = expected_answer(q, state)
    shown = expected_text(q, expected)
    explain = q.get("explain", "")
    if expected is None:
        return QuestionResult(False, "The design cannot answer this yet: fix the problems shown on the "
                                     "network first.", shown)
    if _matches(q, answer, expected):
        return QuestionResult(True, f"Right: {shown}." + (f" {explain}" if explain else ""), shown)
    return QuestionResult(False, "Not quite; try again." + (f" Hint: {explain}" if explain else ""), shown)
