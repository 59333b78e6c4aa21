"""The window's guided lessons: the Lesson panel (a dock in every workspace), the Lessons menu, "Show me"
done in the window, live checks and per-user progress. The lessons themselves: ``netbuilder.lessons``.
"""

from netbuilder.ui.lessons.controller import LessonController, install_lessons
from netbuilder.ui.lessons.panel import LessonPanel
from netbuilder.ui.lessons.progress import lesson_progress, load_progress, save_progress

__all__ = ["LessonController", "LessonPanel", "install_lessons", "lesson_progress", "load_progress",
           "save_progress"]
