"""Questions checked against the analysis of the student's own design, multiple choice, fixed answers."""

from __future__ import annotations

import pytest

from netbuilder.io import load_design
from netbuilder.lessons import LessonState, check_answer, expected_answer
from netbuilder.paths import resource


@pytest.fixture
def state() -> LessonState:
    return LessonState(design=load_design(resource("examples", "digits_cnn.nbd")))


def q(what: str, node: str | None = "conv2d_1") -> dict:
    return {"id": "q", "text": "?", "answer_from": {"what": what, **({"node": node} if node else {})},
            "explain": "O = ⌊(W + 2p − k) / s⌋ + 1"}


@pytest.mark.parametrize("answer", ["8×8×8", "8x8x8", "(8, 8, 8)", "8 8 8", [8, 8, 8]])
def test_output_shape_in_any_spelling(state, answer):
    result = check_answer(q("output_shape"), answer, state)
    assert result.correct and result.expected == "8×8×8" and "O = " in result.feedback


def test_output_size_follows_the_students_numbers(state):
    assert check_answer(q("output_size"), "8", state).correct
    assert check_answer(q("output_size"), "8×8", state).correct
    state.design.graph.set_param("conv2d_1", "padding", 0)
    state.design_changed()
    assert not check_answer(q("output_size"), "8", state).correct
    assert check_answer(q("output_size"), "6x6", state).correct
    assert check_answer(q("output_size"), "8×6×6", state).correct  # the whole shape is fine too
    state.design.graph.set_param("conv2d_1", "stride", 2)
    state.design_changed()
    assert expected_answer(q("output_size"), state) == (3, 3)


def test_counts(state):
    assert check_answer(q("params"), "80", state).correct
    assert check_answer(q("channels"), 8, state).correct
    assert check_answer(q("total_params", None), "3,658", state).correct
    assert not check_answer(q("total_params", None), "3,659", state).correct
    assert check_answer(q("params", "maxpool2d_1"), "0", state).correct
    assert check_answer(q("input_shape", "conv2d_2"), "8×4×4", state).correct
    assert check_answer(q("output_shape", "conv2d#2"), "16×4×4", state).correct


def test_wrong_answers_and_unknowable_ones(state):
    result = check_answer(q("output_shape"), "6×6×6", state)
    assert not result.correct and "try again" in result.feedback and result.expected == "8×8×8"
    missing = check_answer(q("output_shape", "conv2d_9"), "1", state)
    assert not missing.correct and missing.feedback.startswith("This question is about conv2d_9, which is not in "
                                                               "your design")  # the lesson's mistake, not theirs
    assert expected_answer(q("output_shape", "selected"), state) is None
    state.selected = "dense_1"
    assert check_answer(q("output_shape", "selected"), "32", state).correct


def test_multiple_choice_and_fixed_answers():
    mc = {"id": "m", "text": "?", "choices": ["max", "mean"], "answer": 0}
    state = LessonState()
    assert check_answer(mc, 0, state).correct
    assert check_answer(mc, "Max", state).correct
    assert not check_answer(mc, 1, state).correct
    fixed = {"id": "f", "text": "ReLU(−2)?", "answer": 0}
    assert check_answer(fixed, "0", state).correct and not check_answer(fixed, "-2", state).correct
    gap = {"id": "g", "text": "gap?", "answer": 0.28}
    assert check_answer(gap, "0.28", state).correct and not check_answer(gap, "0.3", state).correct


FIXED = {"id": "f", "text": "?"}


@pytest.mark.parametrize(("typed", "answer", "right"), [
    (".28", 0.28, True), ("0.28", 0.28, True), ("0,28", 0.28, True), ("28%", 0.28, True), ("28 %", 0.28, True),
    ("28", 0.28, False), ("0.3", 0.28, False), ("100%", 1, True), ("1", 1, True), ("−2", -2, True),
    ("zero", 0, True), ("twelve", 12, True), ("Twenty", 20, True), ("1,5", 1.5, True), ("1,000", 1000, True),
    ("61M", 61_100_840, True), ("61 million", 61_100_840, True), ("6.1e7", 61_100_840, True),
    ("61.1M", 61_100_840, True), ("61,100,840", 61_100_840, True), ("60M", 61_100_840, False),
    ("6e7", 61_100_840, False), ("0.06 billion", 61_100_840, False), ("61.2M", 61_100_840, False),
    ("61,100,841", 61_100_840, False), ("5.3M", 5_288_548, True), ("4.2k", 4160, True),
])
def test_number_spellings(typed, answer, right):
    assert check_answer({**FIXED, "answer": answer}, typed, LessonState()).correct is right


def test_a_too_rough_count_says_why(state):
    result = check_answer(q("total_params", None), "4k", state)
    assert not result.correct and "two significant figures" in result.feedback
    assert check_answer(q("total_params", None), "3.7k", state).correct  # 3,658


def test_a_leading_batch_of_one_in_a_shape(state):
    assert check_answer(q("output_shape", "dense_1"), "1x32", state).correct
    assert check_answer(q("output_shape"), "1×8×8×8", state).correct
    assert not check_answer(q("output_shape", "dense_1"), "2x32", state).correct
    assert check_answer(q("channels"), "eight", state).correct


def test_a_wrong_try_gets_a_hint_not_the_answer_and_the_third_gets_the_answer(state):
    """The hint after a wrong try is the question's own, or how the number is worked out; never its
    explanation (``explain`` often gives the answer away: "1·3·3·8 + 8 = 80"). After three wrong tries
    at a typed question the answer is given, with where the app shows it."""
    from netbuilder.lessons.questions import REVEAL_AFTER, WORKED_OUT

    params = {"id": "p", "text": "How many parameters?", "answer_from": {"node": "conv2d_1", "what": "params"},
              "explain": "1·3·3·8 + 8 = 80."}
    first = check_answer(params, "72", state)
    assert not first.correct and "80" not in first.feedback and "try again" in first.feedback
    assert "Hint: Count weights plus biases" in first.feedback and WORKED_OUT["params"][1:] in first.feedback
    second = check_answer(params, "72", state, wrong_before=1)
    assert "80" not in second.feedback
    third = check_answer(params, "72", state, wrong_before=REVEAL_AFTER - 1)
    assert not third.correct and third.feedback.startswith("Not quite. The answer is 80 (select conv2d_1")
    assert "1·3·3·8 + 8 = 80." in third.feedback and third.feedback.endswith("Type it to go on.")
    assert check_answer(params, "80", state, wrong_before=5).correct
    total = check_answer(q("total_params", None), "1", state, wrong_before=REVEAL_AFTER - 1)
    assert "The answer is 3,658 (the status bar counts it)" in total.feedback
    own = {"id": "f", "text": "?", "answer": 1, "hint": "one pass, one batch", "explain": "1 step."}
    assert check_answer(own, "3", LessonState()).feedback == "Not quite; try again. Hint: One pass, one batch"
    bare = {"id": "f", "text": "?", "answer": 1}
    assert check_answer(bare, "3", LessonState()).feedback == "Not quite; try again."
    mc = {"id": "m", "text": "?", "choices": ["max", "mean", "min"], "answer": 0, "explain": "max keeps the max"}
    assert "The answer" not in check_answer(mc, 1, LessonState(), wrong_before=REVEAL_AFTER).feedback  # (choose)


def test_every_bundled_question_has_a_hint():
    """A student who answers wrong always gets something to go on."""
    from netbuilder.lessons import load_lessons
    from netbuilder.lessons.questions import hint

    questions = [(lesson.id, question["id"]) for lesson in load_lessons() for step in lesson.steps
                 for question in step.questions if not hint(question)]
    assert questions == []


def test_a_wrong_answer_about_another_network_says_so(state):
    """Asked about the network the step describes while the design is another one (the step's checks on
    the network not met), a wrong answer says the question is about that network, and how to get it."""
    from netbuilder.lessons.questions import OTHER_NETWORK

    total = q("total_params", None)
    assert check_answer(total, "4160", state, other_network=True).feedback.endswith(OTHER_NETWORK)
    assert OTHER_NETWORK not in check_answer(total, "4160", state).feedback
    fixed = {"id": "f", "text": "?", "answer": 1}
    assert OTHER_NETWORK not in check_answer(fixed, "3", state, other_network=True).feedback  # (not on the design)
    assert check_answer(total, "3,658", state, other_network=True).correct
