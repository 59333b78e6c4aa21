"""Reading lesson files: size cap, UTF-8, JSON (as design files are read: ``io.safejson``), then the schema.

Every problem is a ``LessonFileError`` naming the file, the place and the problem. The bundled lessons
live in ``resources/lessons`` (``NN_<id>.json``, listed in file-name order). Imports: io, lessons, paths.
"""

from __future__ import annotations

import os
from pathlib import Path

from netbuilder.io import safejson
from netbuilder.io.errors import WHOLE_FILE, Invalid
from netbuilder.lessons import vocabulary as V
from netbuilder.lessons.model import Lesson, LessonFileError
from netbuilder.lessons.schema import build_lesson
from netbuilder.paths import resource


def lessons_dir() -> Path:
    """The bundled lessons folder."""
    return resource("lessons")


def example_names() -> list[str]:
    """The bundled example designs (``resources/examples/<name>.nbd``), by name."""
    folder = resource("examples")
    return sorted(p.stem for p in folder.glob("*.nbd")) if folder.is_dir() else []


def _read(path: str) -> bytes:
    return safejson.read_limited(path, V.MAX_FILE_BYTES, "lesson")


def loads_lesson(text: str | bytes, path: str = "<lesson>") -> Lesson:
    """The lesson in ``text``; raises LessonFileError."""
    try:
        if isinstance(text, bytes):
            if len(text) > V.MAX_FILE_BYTES:
                raise Invalid(WHOLE_FILE, f"the file is too big for a lesson (at most {V.MAX_FILE_BYTES:,} bytes)")
            text = safejson.decode(text)
        tree = safejson.parse(text)
        safejson.check_tree(tree)
        return build_lesson(tree, str(path))
    except Invalid as e:
        raise LessonFileError(str(path), e.where, e.problem.replace("a design", "a lesson")) from None
    except RecursionError:
        raise LessonFileError(str(path), WHOLE_FILE, "nesting is too deep") from None


def load_lesson(path: str | os.PathLike) -> Lesson:
    """The lesson file at ``path``; raises LessonFileError."""
    name = os.fspath(path)
    try:
        data = _read(name)
    except Invalid as e:
        raise LessonFileError(name, e.where, e.problem) from None
    except OSError as e:
        raise LessonFileError(name, WHOLE_FILE, f"cannot read it: {e.strerror or e}") from None
    return loads_lesson(data, name)


def lesson_files(folder: str | os.PathLike | None = None) -> list[Path]:
    """The lesson files of ``folder`` (default: the bundled ones), in file-name order."""
    root = Path(folder) if folder is not None else lessons_dir()
    return sorted(p for p in root.glob(f"*{V.EXTENSION}") if p.is_file())


def load_lessons(folder: str | os.PathLike | None = None) -> list[Lesson]:
    """Every lesson of ``folder`` (default: the bundled ones), in order; two lessons with one id are refused."""
    out: list[Lesson] = []
    seen: dict[str, str] = {}
    for path in lesson_files(folder):
        lesson = load_lesson(path)
        if lesson.id in seen:
            raise LessonFileError(str(path), "id", f"the id {lesson.id!r} is already used by {seen[lesson.id]}")
        seen[lesson.id] = path.name
        out.append(lesson)
    return out


def find_lesson(key: str, folder: str | os.PathLike | None = None) -> Lesson:
    """A bundled lesson by id or by its file's name (``12_explain_attack``), or a lesson file by path
    (``netbuilder --lesson FILE``)."""
    if os.path.exists(key):
        return load_lesson(key)
    lessons = load_lessons(folder)
    for lesson in lessons:
        if key in (lesson.id, Path(lesson.path).stem, Path(lesson.path).name):
            return lesson
    import difflib

    close = difflib.get_close_matches(key, [lesson.id for lesson in lessons], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise LessonFileError(key, "", f"no such lesson file, and no bundled lesson has this id{hint}")
