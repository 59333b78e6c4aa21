"""A setting typed back to the value it had leaves no undo step: the design is what was saved, so it is not
marked modified (it left a step that changed nothing, and closing asked to save an unchanged design), as a
training setting spun back to its value already does (DesignAttrCommand.mergeWith)."""

from __future__ import annotations

import pytest

from tests.ui.designs import chain

pytestmark = pytest.mark.gui


def _design():
    return chain(("input", {}), ("dense", {}), ("output", {}))


def test_a_setting_typed_back_to_its_value_leaves_no_step(qapp):
    from netbuilder.ui.document import Document

    doc = Document(_design())
    assert not doc.is_modified
    doc.set_param("dense_1", "units", 64)
    assert doc.is_modified and doc.undo_stack.count() == 1
    doc.set_param("dense_1", "units", 10)  # back to what it was: the two edits merge into nothing
    assert doc.graph.node("dense_1").params["units"] == 10
    assert doc.undo_stack.count() == 0 and not doc.is_modified


def test_a_setting_changed_twice_is_still_one_step_that_undoes_exactly(qapp):
    from netbuilder.ui.document import Document

    doc = Document(_design())
    doc.set_param("dense_1", "units", 64)
    doc.set_param("dense_1", "units", 32)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.graph.node("dense_1").params["units"] == 10 and not doc.is_modified
    doc.undo_stack.redo()
    assert doc.graph.node("dense_1").params["units"] == 32
