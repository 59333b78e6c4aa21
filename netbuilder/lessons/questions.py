"""Questions with instant feedback: the expected answer (from the analysis of the student's own design, a
choice, or a fixed value) and checking what the student typed. Pure: analysis, graph.

Shapes may be typed ``6×28×28``, ``6x28x28``, ``(6, 28, 28)`` or ``6 28 28`` (a leading batch ``1×`` is
ignored); an ``output_size`` question takes the height and width (``28×28``, or ``28`` for a square map).
Numbers may have thousands separators (``61,706``), a decimal comma (``0,28``), start with a point
(``.28``), be words (one … twenty), percentages (``28%`` is 0.28 where the answer is a fraction, at most 1),
or, for a large count, be rounded with a unit or an exponent (``61M``, ``61.1 million``, ``6.1e7``, ``4.2k``):
right when the exact count, rounded to the significant figures typed (at least two), gives what was typed
(``61M`` and ``61.1M`` for 61,100,840; ``60M`` and ``0.06 billion`` are not).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from netbuilder.lessons.model import Question
from netbuilder.lessons.state import LessonState, resolve_node

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?")
_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen twenty").split()
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b")
_UNITS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mio": 1e6, "g": 1e9, "b": 1e9, "bn": 1e9,
          "billion": 1e9}
# a whole answer that is one rounded number: mantissa, optional exponent or unit (61M, 6.1e7, 61.1 million)
_ROUNDED = re.compile(r"^(?P<sign>-?)(?P<digits>\d+(?:\.\d*)?|\.\d+)(?:e(?P<exp>[-+]?\d+))?\s*"
                      r"(?P<unit>k|thousand|m|million|mio|g|b|bn|billion)?$")


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


def _normal(text: str) -> str:
    """Lower case, the Unicode minus as '-', number words as digits, no "about"."""
    text = str(text).strip().lower().replace("−", "-").replace("–", "-")
    text = re.sub(r"^(?:about|approx\.?|approximately|≈|~)\s*", "", text)
    return _WORD.sub(lambda m: str(_WORDS.index(m.group(1))), text)


def _numbers(text: str, grouped: bool = False) -> list[float]:
    """The numbers in ``text``; ``grouped``: one number that may have thousands separators (61,706) or a
    decimal comma (0,28: a comma not followed by exactly three digits, or after a lone 0)."""
    text = _normal(text)
    if grouped:
        text = re.sub(r"^(-?)(0|\d+(?=,\d{1,2}$|,\d{4,}$)),(\d+)$", r"\1\2.\3", text.strip())
        text = re.sub(r"(?<=\d)[,_' ](?=\d{3}\b)", "", text)
    return [float(m) for m in _NUMBER.findall(text)]


def _significant(digits: str) -> int:
    """Significant figures of a typed mantissa: 61 -> 2, 61.10 -> 4, 0.061 -> 2, 60 -> 2."""
    return len(digits.replace(".", "").lstrip("0")) or 1


def _round_sig(value: float, figures: int) -> float:
    if value == 0:
        return 0.0
    return round(value, figures - 1 - math.floor(math.log10(abs(value))))


def _rounded(text: str) -> tuple[float, int] | None:
    """(value, significant figures) of an answer typed rounded with a unit or an exponent; None otherwise."""
    m = _ROUNDED.match(_normal(text).replace(",", "."))
    if m is None or not (m["exp"] or m["unit"]):
        return None
    value = float(m["digits"]) * 10 ** int(m["exp"] or 0) * _UNITS.get(m["unit"] or "", 1.0)
    return (-value if m["sign"] else value), _significant(m["digits"])


def _percent(text: str) -> float | None:
    """28% -> 28.0 (the number before a percent sign), else None."""
    m = re.fullmatch(r"\s*(-?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?:%|percent|per cent)\s*", _normal(text))
    return float(m.group(1).replace(",", ".")) if m else None


def _number_matches(answer: Any, expected: float) -> bool:
    """A typed number against a numeric answer: counts exactly (or rounded as typed, with a unit or an
    exponent), fractions to 0.1 %; a percentage where the answer is a fraction."""
    def close(got: float) -> bool:
        if isinstance(expected, int):  # counts are exact
            return got == expected
        return math.isclose(got, float(expected), rel_tol=1e-3, abs_tol=1e-9)

    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        return close(float(answer))
    text = str(answer)
    percent = _percent(text)
    if percent is not None:
        return (abs(expected) <= 1 and close(percent / 100)) or (abs(expected) > 1 and close(percent))
    rounded = _rounded(text)
    if rounded is not None:
        value, figures = rounded
        if close(value):
            return True
        return figures >= 2 and math.isclose(_round_sig(float(expected), figures), value, rel_tol=1e-9)
    got = _numbers(text, grouped=True)
    return len(got) == 1 and close(got[0])


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
        elif len(got) == len(expected) + 1 and got[0] == 1:
            got = got[1:]  # a batch of one in front: 1×10 for (10,)
        return [float(v) for v in got] == [float(v) for v in expected]
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return _number_matches(answer, expected)
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


REVEAL_AFTER = 3  # wrong tries at a typed question after which the feedback gives the answer
# where the numbers of an ``answer_from`` question come from: the hint after a wrong try (a question's own
# ``hint`` comes first; its ``explain`` is kept for after the right answer, as it often gives the answer)
WORKED_OUT = {
    "output_shape": "work through the layers from the Input: a convolution gives one map per filter, "
                    "⌊(W + 2p − k) / s⌋ + 1 on each side; a pooling divides each side by its stride; Flatten "
                    "multiplies channels × height × width.",
    "output_size": "O = ⌊(W + 2p − k) / s⌋ + 1 on each side (W the input's size, k the kernel, p the padding, "
                   "s the stride).",
    "channels": "a convolution makes one feature map per filter.",
    "input_shape": "a layer's input is the output of the layer before it.",
    "params": "count weights plus biases: a Dense layer has inputs × units + units, a convolution "
              "Cᵢₙ·k·k·Cₒᵤₜ + Cₒᵤₜ; pooling, activations and Flatten learn nothing.",
    "macs": "a Dense layer makes inputs × units multiply-accumulates; a convolution Cᵢₙ·k·k·Cₒᵤₜ for each "
            "position of its output.",
    "total_params": "add up the weights and biases of every layer (the Summary tab lists them layer by layer).",
    "total_macs": "add up the multiply-accumulates of every layer (the Summary tab lists them layer by layer).",
}
SHOWN_WHERE = {  # after the answer is given: where the app shows it
    "total_params": "the status bar counts it", "total_macs": "the status bar counts it",
}


def hint(q: Question) -> str:
    """What the feedback suggests after a wrong try: the question's own ``hint``, else, for a question on
    the design, how its number is worked out; empty when there is none."""
    if q.get("hint"):
        return str(q["hint"])
    return WORKED_OUT.get(q.get("answer_from", {}).get("what", ""), "")


def _where(q: Question) -> str:
    what = q.get("answer_from", {}).get("what")
    if what is None:
        return ""
    if what in SHOWN_WHERE:
        return f" ({SHOWN_WHERE[what]})"
    return f" (select {q['answer_from']['node']} on the canvas: the Inspector shows it)"


OTHER_NETWORK = (" (The question is about the network this step describes, and its checks on the network are not "
                 "all met yet: Show me builds it.)")


def check_answer(q: Question, answer: Any, state: LessonState, wrong_before: int = 0,
                 other_network: bool = False) -> QuestionResult:
    """Whether ``answer`` (typed text, a number, a list, or a choice's index or text) is right for the
    student's current design. Right, the feedback adds the question's ``explain``; wrong, a hint
    (``hint``), and after ``REVEAL_AFTER`` wrong tries at a typed question (``wrong_before`` counts the
    earlier ones) the answer itself, with its explanation, so that no student is stuck. ``other_network``:
    the step's checks on the network are not met, so a wrong answer on the design says so."""
    expected = expected_answer(q, state)
    shown = expected_text(q, expected)
    explain = q.get("explain", "")
    if expected is None:
        ref = q.get("answer_from", {}).get("node")
        if ref and state.design is not None and resolve_node(ref, state) is None:  # the lesson's mistake
            return QuestionResult(False, f"This question is about {ref}, which is not in your design: the lesson "
                                         "expects another network (Show me builds it).", shown)
        return QuestionResult(False, "The design cannot answer this yet: fix the problems shown on the "
                                     "network first.", shown)
    if _matches(q, answer, expected):
        return QuestionResult(True, f"Right: {shown}." + (f" {explain}" if explain else ""), shown)
    rounded = _rounded(str(answer)) if isinstance(expected, (int, float)) and "choices" not in q else None
    if rounded is not None and rounded[1] < 2:
        return QuestionResult(False, "Too rough to tell: give at least two significant figures (e.g. 5.3M).",
                              shown)
    note = OTHER_NETWORK if other_network and "answer_from" in q else ""
    if "choices" not in q and wrong_before + 1 >= REVEAL_AFTER:
        why = f" {explain}" if explain else ""
        return QuestionResult(False, f"Not quite. The answer is {shown}{_where(q)}.{why} Type it to go on.{note}",
                              shown)
    told = hint(q)
    return QuestionResult(False, "Not quite; try again." + (f" Hint: {told[0].upper()}{told[1:]}" if told else "")
                          + note, shown)
