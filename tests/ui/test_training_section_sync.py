"""The design's training section (locked layers, seed, …) reaches the workbench's design and the Code view at
once, and its Undo too, without a new revision: after Freeze the Code view and File ▸ Export ▸ Python say the
layer is locked, after its Undo they no longer do, and no result goes stale for it. Both kept the lock state
of before until some layer was edited."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("one_thread")


def settle(window, qtbot) -> None:
    qtbot.waitUntil(lambda: window.training.wb.ready is not None, timeout=60_000)
    qtbot.waitUntil(lambda: window.workbench.dataset is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not window.workbench.busy, timeout=60_000)


def code_says(window, qtbot, locked: bool) -> None:
    qtbot.waitUntil(lambda: window.code._ticket is None and not window.code._dirty and not window.workbench.busy,
                    timeout=60_000)
    assert ("Locked (frozen) in netbuilder" in window.code.toPlainText()) == locked


def test_a_lock_and_its_undo_reach_the_code_view_the_export_and_the_workbench(window, qtbot, tmp_path):
    doc, wb = window.document, window.workbench
    settle(window, qtbot)
    window.docks["Code"].show()
    window.docks["Code"].raise_()
    code_says(window, qtbot, locked=False)
    revision = wb.revision

    assert doc.set_frozen(["conv2d_1"], True)  # Freeze (Ctrl+L)
    assert wb.state.design.training["frozen"] == ["conv2d_1"] and wb.revision == revision  # at once, no new one
    code_says(window, qtbot, locked=True)
    out = tmp_path / "locked.py"
    assert window.files.export_model_to(out, "python")
    qtbot.waitUntil(lambda: out.exists() and not wb.busy, timeout=60_000)
    assert "Locked (frozen) in netbuilder" in out.read_text()

    doc.undo_stack.undo()
    assert not wb.state.design.training.get("frozen") and wb.revision == revision
    code_says(window, qtbot, locked=False)
    doc.undo_stack.redo()
    assert wb.state.design.training["frozen"] == ["conv2d_1"]
    code_says(window, qtbot, locked=True)


def test_a_new_seed_reaches_the_workbench_without_a_new_revision(window, qtbot):
    from netbuilder.workbench.session import seed_of

    doc, wb = window.document, window.workbench
    settle(window, qtbot)
    revision = wb.revision
    assert doc.set_training_value("seed", 1234)
    assert seed_of(wb.state.design) == 1234 and wb.revision == revision
    doc.undo_stack.undo()
    assert seed_of(wb.state.design) == seed_of(doc.design) != 1234
