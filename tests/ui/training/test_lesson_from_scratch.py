"""A lesson step that compares runs from the same start (gradient descent, step 3: "Reset the weights
again and use mini-batches"): a run that went on from the last run's weights does not tick its result
check, and says to reset them; after Train ▸ Reset Weights the run does. Before, the weights of the
stochastic run of step 2 (already at 90 %) ticked "validation accuracy ≥ 90 % with mini-batches" for a
student who skipped the reset."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_continued_run_does_not_meet_a_from_scratch_check(window, trainer, run_to_end, qtbot):
    lc = window.lessons
    assert lc.open_lesson("gradient_descent")
    doc = window.document
    trainer.panel.fields["epochs"].setValue(2)
    assert run_to_end(trainer)["kind"] == "finished"  # trained before the step: weights to go on from
    lc.go(2)  # "Mini-batches": batch mode, batch size 32, then validation accuracy >= 90 % from scratch
    doc.set_training_value("batch_mode", "minibatch")
    doc.set_training_value("batch_size", 32)
    doc.set_training_value("lr", 0.1)
    doc.set_training_value("optimizer", "adam")
    doc.set_training_value("lr", 0.01)
    assert run_to_end(trainer)["kind"] == "finished"  # Train again, no reset: it continues
    assert trainer.curves.run.continues is not None
    lc.evaluate()
    result = lc.results[2]
    assert not result.met and "went on from the weights of an earlier run" in result.detail
    assert "went on from the weights" in lc.panel.check_labels[2].toolTip()
    trainer.reset_weights()
    assert run_to_end(trainer)["kind"] == "finished"
    assert trainer.curves.run.continues is None
    lc.evaluate()
    assert lc.results[2].met, lc.results[2].detail


def test_show_me_replaces_its_own_trained_design_without_asking(window, trainer, run_to_end, qtbot):
    """A design a Show me opened, trained but not edited by the student, is the lesson's: the next Show me
    opens its own design without "Save the changes to Digits CNN and its weights?" (asked at every step
    before); once the student edits it, Show me asks first."""
    lc = window.lessons
    doc, files = window.document, window.files
    asked = []
    files.ask_unsaved = lambda: "discard"  # (the window's own example, its epochs set by the fixture)
    assert lc.open_lesson("convolution")
    lc.go(1)
    lc.show_me()  # the Digits CNN
    qtbot.waitUntil(lambda: doc.selection == ["conv2d_1"], timeout=5000)
    files.ask_unsaved = lambda: asked.append(doc.design.name) or "cancel"
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"  # trained: its weights are not saved
    lc.go(0)
    lc.show_me()  # the MLP, without a question
    qtbot.waitUntil(lambda: "conv2d_1" not in doc.graph.nodes, timeout=5000)
    assert asked == []
    qtbot.waitUntil(lambda: trainer.state == "idle" and not lc.driver._train_pending, timeout=30_000)
    doc.set_param("hidden", "units", 32)  # the student's own edit: the design is theirs now
    lc.go(1)
    lc.show_me()
    assert len(asked) == 1 and "hidden" in doc.graph.nodes  # asked; Cancel kept it
