"""Each student's progress through the lessons, kept in QSettings (``lessons/<id>``, a JSON text):
the step shown, the steps done (all their checks met and questions answered right, or passed when they have
none), the checks met and the questions answered right, per step, and for a run's check met the network
that met it (``networks``: step -> check -> ``lessons.state.network_id``). ``lesson_progress()`` lists it
for the start page. Qt only.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSettings

KEY = "lessons/{}"


def empty() -> dict[str, Any]:
    return {"step": 0, "done": [], "checks": {}, "answers": {}, "networks": {}, "finished": False}


def load_progress(settings: QSettings, lesson_id: str) -> dict[str, Any]:
    """The saved progress of ``lesson_id`` (a fresh one when there is none or it cannot be read)."""
    raw = settings.value(KEY.format(lesson_id))
    progress = empty()
    try:
        saved = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        saved = {}
    if isinstance(saved, dict):
        for key, value in saved.items():
            if key in progress and isinstance(value, type(progress[key])):
                progress[key] = value
    return progress


def save_progress(settings: QSettings, lesson_id: str, progress: dict[str, Any]) -> None:
    settings.setValue(KEY.format(lesson_id), json.dumps(progress, sort_keys=True))
    settings.sync()


def lesson_progress(settings: QSettings | None = None, lessons=None) -> dict[str, tuple[int, int]]:
    """Each lesson's progress (``lessons``, or the bundled ones): id -> (steps done, steps). Empty when the
    lessons cannot be read."""
    from netbuilder.lessons import LessonFileError, load_lessons

    settings = settings if settings is not None else QSettings()
    if lessons is None:
        try:
            lessons = load_lessons()
        except LessonFileError:
            return {}
    result = {}
    for lesson in lessons:
        done = {int(i) for i in load_progress(settings, lesson.id)["done"] if 0 <= int(i) < len(lesson.steps)}
        result[lesson.id] = (len(done), len(lesson.steps))
    return result
