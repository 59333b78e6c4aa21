"""The Code view never shows the code of an earlier design as current: when the design turns invalid while
its code is still being written on the executor (busy training, say), the late answer for the valid design
it was asked for is dropped; the view showed it ("Output per sample: (20,)") under a design with units 0."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Signal

from netbuilder.workbench import events as ev
from tests.ui.designs import chain

pytestmark = pytest.mark.gui


class _Workbench:
    def __init__(self) -> None:
        self.asked: list[int] = []
        self.cancelled: list[int] = []

    def python_code(self, design) -> int:
        self.asked.append(len(self.asked) + 100)
        return self.asked[-1]

    def cancel(self, ticket: int) -> bool:
        self.cancelled.append(ticket)
        return True


class _Bridge(QObject):
    received = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.workbench = _Workbench()


def _design():
    return chain(("input", {"shape": [4]}), ("dense", {"units": 3}), ("output", {}))


def test_a_late_answer_for_a_valid_design_is_not_shown_once_it_is_invalid(qapp):
    from netbuilder.ui.code_view import CodeView
    from netbuilder.ui.document import Document

    doc = Document(_design())
    view = CodeView(doc)
    bridge = _Bridge()
    view.attach(bridge)
    view.set_shown(True)
    view.refresh()
    (first,) = bridge.workbench.asked
    bridge.received.emit(ev.TaskDone("code", first, '"""mlp: units 3"""'))
    assert view.toPlainText() == '"""mlp: units 3"""'

    doc.set_param("dense_1", "units", 20)
    doc.flush()
    view.refresh()  # the code of units 20 is asked for; the executor is busy
    asked = bridge.workbench.asked[-1]
    doc.set_param("dense_1", "units", 0)
    doc.flush()
    view.refresh()
    assert view.toPlainText().startswith("# The design cannot be compiled yet")
    bridge.received.emit(ev.TaskDone("code", asked, '"""mlp: units 20"""'))  # the late answer
    assert view.toPlainText().startswith("# The design cannot be compiled yet")
    assert "units must be at least 1" in view.toPlainText()
    assert asked in bridge.workbench.cancelled  # (no need to write it at all)
