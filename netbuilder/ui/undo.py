"""The one adapter between pure graph edits and Qt's undo stack (QUndoCommand lives in QtGui).

A command applies its edit on ``redo`` and reverts it on ``undo``. The Document applies an edit
once before pushing (so a refused edit raises there, not inside Qt), hence the first ``redo`` is
skipped. Consecutive SetParam edits of one setting merge into one undo step, and so do consecutive
changes of one design setting (``changed_settings``, ``DesignAttrCommand.mergeWith``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from netbuilder.choices import DEFAULTS
from netbuilder.graph import Graph
from netbuilder.graph.edits import Edit, SetParam

MERGE_SET_PARAM = 1
MERGE_DESIGN_ATTR = 2
_MISSING = object()


def changed_settings(old: Any, new: Any, defaults: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The keys whose values differ between two dicts, a missing key read as its default (``defaults``),
    and inside a nested dict its own keys (``augmentation.shift``). Empty for values that are not dicts."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return frozenset()
    defaults = defaults if isinstance(defaults, Mapping) else {}
    out: set[str] = set()
    for key in {**old, **new}:
        a, b = old.get(key, defaults.get(key, _MISSING)), new.get(key, defaults.get(key, _MISSING))
        if a == b:
            continue
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out.update(f"{key}.{sub}" for sub in changed_settings(a, b, defaults.get(key)))
        else:
            out.add(key)
    return frozenset(out)


def setting_named(text: str) -> str:
    """What an undo text names: ``set the learning rate to 0.05`` names ``set the learning rate`` (the same
    setting, whatever its value); any other text names itself."""
    head, to, _value = text.rpartition(" to ")
    return head if to and text.startswith("set ") else text


class EditCommand(QUndoCommand):
    def __init__(self, graph: Graph, edit: Edit, applied: bool = False,
                 after: Callable[[], None] | None = None) -> None:
        super().__init__(edit.text)
        self.graph, self.edit = graph, edit
        self._skip_redo = applied
        self._after = after

    def id(self) -> int:  # noqa: A003  (Qt's name)
        return MERGE_SET_PARAM if isinstance(self.edit, SetParam) else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if isinstance(other, EditCommand) and self.edit.merge(other.edit):
            self.setText(self.edit.text)
            edit = self.edit
            if isinstance(edit, SetParam) and edit.value == edit._old and type(edit.value) is type(edit._old):
                self.setObsolete(True)  # (back where it started: the step changes nothing, the stack drops it)
            return True
        return False

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
        else:
            self.edit.apply(self.graph)
        if self._after:
            self._after()

    def undo(self) -> None:
        self.edit.revert(self.graph)
        if self._after:
            self._after()


class DesignFieldCommand(QUndoCommand):
    """Change a design attribute outside the graph (e.g. the layout direction), with ``after``
    called each way so the document can tell its views."""

    def __init__(self, target: dict, key: str, value: object, text: str,
                 after: Callable[[], None]) -> None:
        super().__init__(text)
        self.target, self.key, self.value, self.old = target, key, value, target.get(key)
        self._after = after

    def redo(self) -> None:
        self.target[self.key] = self.value
        self._after()

    def undo(self) -> None:
        if self.old is None:
            self.target.pop(self.key, None)
        else:
            self.target[self.key] = self.old
        self._after()


class DesignAttrCommand(QUndoCommand):
    """Replace a whole attribute of the Design (``training``, ``dataset``, ``weights``, ...). With ``merge``
    set, consecutive changes of ONE setting (a spin box's ticks) merge into one undo step named for the last:
    the same attribute, the same keys of it changed (``changed_settings``; a training setting left out reads
    as its default) and a text naming the same thing (``setting_named``: "set epochs to 3", then to 4).
    Changes of different settings stay separate steps."""

    def __init__(self, design: object, name: str, value: object, text: str, after: Callable[[], None],
                 merge: bool = True) -> None:
        super().__init__(text)
        self.design, self.name, self.value = design, name, copy.deepcopy(value)
        self.old = copy.deepcopy(getattr(design, name))
        self._after, self._merge = after, merge
        self.changed = changed_settings(self.old, self.value, DEFAULTS if name == "training" else None)

    def id(self) -> int:  # noqa: A003  (Qt's name)
        return MERGE_DESIGN_ATTR if self._merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if (not isinstance(other, DesignAttrCommand) or other.name != self.name or other.changed != self.changed
                or setting_named(other.text()) != setting_named(self.text())):
            return False
        self.value = other.value
        self.setText(other.text())
        same = self.value == self.old or (isinstance(self.value, Mapping) and not changed_settings(
            self.old, self.value, DEFAULTS if self.name == "training" else None))
        if same:  # (back where it started: the step changes nothing, the stack drops it)
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        setattr(self.design, self.name, copy.deepcopy(self.value))
        self._after()

    def undo(self) -> None:
        setattr(self.design, self.name, copy.deepcopy(self.old))
        self._after()
