"""A loaded lesson: plain frozen values (actions, checks and questions stay the validated JSON objects).

Imports: errors only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netbuilder.errors import NetbuilderError


class LessonFileError(NetbuilderError):
    """A lesson file that cannot be read: ``path``, ``where`` (a JSON path such as ``steps[2].checks[0].kind``,
    ``line 4, column 7`` or ``whole file``; empty for a file that is not there) and ``problem``; ``str(e)``
    is ``"<file>: <where>: <problem>"`` (``"<file>: <problem>"`` without a where)."""

    def __init__(self, path: str, where: str, problem: str):
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{self.path}: {where}: {problem}" if where else f"{self.path}: {problem}")


class LessonError(NetbuilderError):
    """A lesson action that cannot be carried out on the current design (e.g. a node that is not there)."""


Action = dict[str, Any]  # {"do": kind, ...}
Check = dict[str, Any]  # {"check": kind, ...}
Question = dict[str, Any]  # {"id", "text", "answer_from" | "choices" + "answer" | "answer", "explain", "hint"}
ONLY_SHOWS = frozenset({"switch_view", "select_node", "attack", "explain"})  # actions that change no state


@dataclass(frozen=True)
class Step:
    text: str
    title: str = ""
    show_me: tuple[Action, ...] = ()  # what the "Show me" button does
    solution: tuple[Action, ...] | None = None  # what the reference student does; None: the show_me actions
    checks: tuple[Check, ...] = ()
    questions: tuple[Question, ...] = ()

    @property
    def reference(self) -> tuple[Action, ...]:
        """The actions ``lessons --verify`` takes for this step."""
        return self.show_me if self.solution is None else self.solution


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    concepts: tuple[str, ...]
    minutes: int
    text: str
    steps: tuple[Step, ...]
    path: str = field(default="", compare=False)

    def set_up(self, index: int) -> tuple[Action, ...]:
        """What makes the state step ``index`` builds on (a lesson resumed on another day, the design gone):
        the reference actions of the steps before it, from the last design one of them opens, less those
        that only show something. Empty when the step opens its own design first, or none before it does."""
        if not 0 < index < len(self.steps) or self.steps[index].reference[:1] and (
                self.steps[index].reference[0]["do"] == "open_design"):
            return ()
        actions = [a for step in self.steps[:index] for a in step.reference]
        opens = [i for i, a in enumerate(actions) if a["do"] == "open_design"]
        return tuple(a for a in actions[opens[-1]:] if a["do"] not in ONLY_SHOWS) if opens else ()

    def summary(self) -> dict[str, Any]:
        """What ``netbuilder lessons --json`` lists."""
        return {"id": self.id, "title": self.title, "concepts": list(self.concepts), "minutes": self.minutes,
                "steps": len(self.steps), "file": self.path}
