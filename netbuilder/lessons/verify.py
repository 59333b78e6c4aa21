"""Running a lesson's reference solution: each step's actions, then its checks and questions.

``verify_lesson(lesson, engine)`` is what ``netbuilder lessons --verify`` runs per lesson (the engine trains
with torch there); it never raises for a failing lesson, it reports. Pure apart from the engine.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from netbuilder.errors import NetbuilderError
from netbuilder.lessons.actions import Engine, apply_action
from netbuilder.lessons.checks import evaluate_step, missing_node
from netbuilder.lessons.model import Lesson
from netbuilder.lessons.questions import check_answer, expected_answer, expected_text
from netbuilder.lessons.state import LessonState, resolve_node


@dataclass
class LessonReport:
    id: str
    checks: int = 0  # checks and questions that passed
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)  # the last run's
    path: str = ""  # the lesson's file, named before each failure (as a load error names it)

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        """One line for ``lessons --verify``."""
        head = f"{'ok  ' if self.ok else 'FAIL'} {self.id:<24} {self.checks:3d} checks  {self.seconds:5.1f}s"
        acc = self.metrics.get("val_accuracy")
        head += f"  val acc {acc:.3f}" if acc is not None else ""
        where = f"{self.path}: " if self.path else ""
        return head + ("" if self.ok else "".join(f"\n    {where}{f}" for f in self.failures))


def verify_lesson(lesson: Lesson, engine: Engine, state: LessonState | None = None) -> LessonReport:
    """Apply every step's reference actions to ``state`` (fresh by default) and check each step's checks
    and questions right after its actions. Stops the lesson at the first action that fails."""
    report = LessonReport(lesson.id, path=lesson.path or "")
    state = state or LessonState()
    base = os.path.dirname(lesson.path) or "."
    start = time.perf_counter()
    for i, step in enumerate(lesson.steps):
        state.since = state.runs  # a step's run-based checks count only its own runs
        # (places as a load error names them: steps[i] from 0, so a failure maps to its entry in the file)
        try:
            for action in step.reference:
                apply_action(action, state, engine, base)
        except NetbuilderError as e:
            report.failures.append(f"steps[{i}] (step {i + 1}): {e}")
            break
        for j, result in enumerate(evaluate_step(step, state)):
            if result.met:
                report.checks += 1
            else:
                report.failures.append(f"steps[{i}].checks[{j}] (step {i + 1}): not met: {result.text} "
                                       f"({result.detail})")
        for j, q in enumerate(step.questions):
            expected = expected_answer(q, state)
            answer = q["answer"] if "choices" in q else expected_text(q, expected)
            if expected is not None and check_answer(q, answer, state).correct:
                report.checks += 1
                continue
            ref = q.get("answer_from", {}).get("node")
            why = (missing_node(ref, state) if ref and state.design is not None and resolve_node(ref, state) is None
                   else f"the design gives no answer: {answer.strip('()')}")
            report.failures.append(f"steps[{i}].questions[{j}] (step {i + 1}): question {q['id']} cannot be "
                                   f"answered: {why}")
    report.metrics = dict(state.metrics)
    report.seconds = time.perf_counter() - start
    return report
