"""Train refused because of a problem in the design: the "Cannot train yet" on the panel follows the
design. It named the problem of the moment and stayed after an undo had fixed it (the status bar said
"design valid" under it); now it names the present problem and goes once a run could start."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _break(doc) -> None:
    """conv2d_1's 60×60 window on the 8×8 digits, unpadded: a problem of the design (two edits)."""
    assert doc.set_param("conv2d_1", "padding", 0)
    assert doc.set_param("conv2d_1", "kernel_size", 60)
    doc.flush()


def _refused(trainer, qtbot) -> str:
    assert not trainer.train_and_show()
    bar = trainer.panel.messages
    assert not bar.isHidden() and bar.text().startswith("Cannot train yet: the design has")
    return bar.text()


def test_the_refusal_goes_when_undo_fixes_the_design(window, trainer, qtbot):
    doc, bar = window.document, trainer.panel.messages
    _break(doc)
    text = _refused(trainer, qtbot)
    assert "conv2d_1" in text and "60×60 window does not fit" in text and bar.level == "error"
    doc.undo_stack.undo()
    doc.flush()
    qtbot.waitUntil(bar.isHidden, timeout=5_000)
    assert trainer.train_and_show()  # (what the bar no longer says: a run starts)
    trainer.stop()


def test_the_refusal_names_the_present_problem_while_there_is_one(window, trainer, qtbot):
    doc, bar = window.document, trainer.panel.messages
    _break(doc)
    first = _refused(trainer, qtbot)
    assert doc.set_param("conv2d_1", "kernel_size", 3)  # fixed, but another layer broken
    assert doc.set_param("maxpool2d_1", "kernel_size", 30)
    doc.flush()
    qtbot.waitUntil(lambda: bar.text() != first, timeout=5_000)
    assert bar.text().startswith("Cannot train yet: the design has 1 problem to fix first: maxpool2d_1")
    assert bar.level == "error" and not bar.isHidden()
    assert doc.set_param("maxpool2d_1", "kernel_size", 2)
    doc.flush()
    qtbot.waitUntil(bar.isHidden, timeout=5_000)


def test_a_message_the_student_dismissed_or_another_one_is_left_alone(window, trainer, qtbot):
    doc, bar = window.document, trainer.panel.messages
    _break(doc)
    _refused(trainer, qtbot)
    trainer.show_message("Saved the curves.", "info")  # another message took the bar
    doc.undo_stack.undo()
    doc.flush()
    qtbot.wait(100)
    assert bar.text() == "Saved the curves." and not bar.isHidden()
