"""Guided lessons: lesson files (JSON data in ``resources/lessons``, never code), their validation, checks on
the student's live state, questions with instant feedback, and running a lesson's reference solution.

The format is documented in ``docs/lessons.md``. The window's lesson panel calls ``load_lessons`` /
``find_lesson``, fills a ``LessonState`` from its live state and calls ``evaluate_step`` and ``check_answer``;
a "Show me" button carries out ``step.show_me`` (the window maps each action onto its Document and views).

Imports: graph, layers, analysis, io, presets, choices, paths (no torch, no numpy, no Qt); the torch side of
``--verify`` is an ``Engine`` given by ``netbuilder.commands.lessons``.
"""

from netbuilder.lessons.actions import Engine, apply_action
from netbuilder.lessons.checks import CheckResult, describe, evaluate_check, evaluate_step, step_met
from netbuilder.lessons.load import (
    find_lesson,
    lesson_files,
    lessons_dir,
    load_lesson,
    load_lessons,
    loads_lesson,
)
from netbuilder.lessons.model import Lesson, LessonError, LessonFileError, Step
from netbuilder.lessons.questions import QuestionResult, check_answer, expected_answer
from netbuilder.lessons.state import LessonState, resolve_node
from netbuilder.lessons.verify import LessonReport, verify_lesson

__all__ = [
    "CheckResult", "Engine", "Lesson", "LessonError", "LessonFileError", "LessonReport", "LessonState",
    "QuestionResult", "Step", "apply_action", "check_answer", "describe", "evaluate_check", "evaluate_step",
    "expected_answer", "find_lesson", "lesson_files", "lessons_dir", "load_lesson", "load_lessons",
    "loads_lesson", "resolve_node", "step_met", "verify_lesson",
]
