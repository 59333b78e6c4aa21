"""The one adapter between pure graph edits and Qt's undo stack (QUndoCommand lives in QtGui).

A command applies its edit on ``redo`` and reverts it on ``undo``. The Document applies an edit
once before pushing (so a refused edit raises there, not inside Qt), hence the first ``redo`` is
skipped. Consecutive SetParam edits of one setting merge into one undo step.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from netbuilder.graph import Graph
from netbuilder.graph.edits import Edit, SetParam

MERGE_SET_PARAM = 1
MERGE_DESIGN_ATTR = 2


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
    """Replace a whole attribute of the Design (``training``, ``dataset``, ``weights``, ...). Consecutive
    changes of one attribute with ``merge`` set (e.g. a spin box's ticks) merge into one undo step."""

    def __init__(self, design: object, name: str, value: object, text: str, after: Callable[[], None],
                 merge: bool = True) -> None:
        super().__init__(text)
        self.design, self.name, self.value = design, name, copy.deepcopy(value)
        self.old = copy.deepcopy(getattr(design, name))
        self._after, self._merge = after, merge

    def id(self) -> int:  # noqa: A003  (Qt's name)
        return MERGE_DESIGN_ATTR if self._merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if isinstance(other, DesignAttrCommand) and other.name == self.name and other.text() == self.text():
            self.value = other.value
            return True
        return False

    def redo(self) -> None:
        setattr(self.design, self.name, copy.deepcopy(self.value))
        self._after()

    def undo(self) -> None:
        setattr(self.design, self.name, copy.deepcopy(self.old))
        self._after()
