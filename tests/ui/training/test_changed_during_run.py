"""A structural Undo while a run trains: when the run ends, its weights belong to the structure before the
Undo, so the Training panel asks keep-or-fresh, as it does when the same Undo is made after the run."""

from __future__ import annotations

from netbuilder.ui.training.design_link import CHANGED_QUESTION


def test_an_undo_during_the_run_asks_keep_or_fresh_when_the_run_ends(window, trainer, qtbot):
    doc = window.document
    trainer.panel.fields["epochs"].setValue(2)
    trainer.panel.fields["batch_size"].setValue(8)
    doc.set_param("dense_1", "units", 20)
    doc.flush()
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=60_000)
    window.actions_["undo"].trigger()  # units 20 -> 32 while the run trains the 20-unit network
    doc.flush()
    assert doc.graph.node("dense_1").params["units"] == 32
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=120_000)
    assert not window.workbench.weights_current
    bar = trainer.panel.messages
    qtbot.waitUntil(lambda: not bar.isHidden() and bar.label.text().startswith(CHANGED_QUESTION), timeout=10_000)
