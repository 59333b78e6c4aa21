"""Training settings and undo: each edited setting is its own undo step, named for what it changed, and
repeated edits of ONE setting merge (rule 2); an edit writes only its own field; the Training panel shows the
design's settings at all times (during a run, after an Undo, when the run ends), and a paused run resumes
with the design's values."""

from __future__ import annotations

import pytest

from netbuilder.choices import merged_settings

pytestmark = pytest.mark.gui


def _steps(doc) -> list[str]:
    return [doc.undo_stack.text(i) for i in range(doc.undo_stack.count())]


def _design(doc, key: str):
    return merged_settings(doc.design.training)[key]


def test_each_setting_is_its_own_undo_step(window, trainer):
    doc, f = window.document, trainer.panel.fields
    doc.undo_stack.clear()
    f["epochs"].setValue(3)
    f["optimizer"].setCurrentIndex(f["optimizer"].findData("sgd"))
    f["lr"].setValue(0.05)
    assert _steps(doc) == ["set epochs to 3", "set the optimiser to SGD", "set the learning rate to 0.05"]
    doc.undo_stack.undo()  # only the learning rate goes back
    assert (_design(doc, "epochs"), _design(doc, "optimizer"), _design(doc, "lr")) == (3, "sgd", 0.01)
    assert f["lr"].value() == pytest.approx(0.01) and f["optimizer"].currentData() == "sgd"


def test_repeated_edits_of_one_setting_merge(window, trainer):
    doc, f = window.document, trainer.panel.fields
    doc.undo_stack.clear()
    f["lr"].setValue(0.02)
    f["lr"].setValue(0.05)  # the same box again: one step, named for the last value
    f["shift"].setValue(1)
    f["shift"].setValue(2)
    f["flip"].setChecked(True)  # another augmentation: another step
    assert _steps(doc) == ["set the learning rate to 0.05", "set shift augmentation to 2 px",
                           "set flip augmentation to on"]
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert "augmentation" not in doc.design.training
    assert f["shift"].value() == 0 and not f["flip"].isChecked() and _design(doc, "lr") == 0.05
    doc.undo_stack.undo()
    assert "lr" not in doc.design.training and f["lr"].value() == pytest.approx(0.01)


def test_document_steps_merge_by_the_setting_they_change(window):
    """Steps naming one setting merge whatever its value ("set X to V"); the Overfitting lab's spin box still
    merges; the Augmentation view's fields are separate settings (each of its edits writes all four, but
    merges with the edits of that one field); freezing two layers and choosing two datasets stay two steps."""
    doc = window.document
    doc.undo_stack.clear()
    doc.set_training_value("lr", 0.02, "set the learning rate to 0.02")
    doc.set_training_value("lr", 0.05, "set the learning rate to 0.05")
    doc.set_training_value("weight_decay", 0.001, "set weight decay")
    doc.set_training_value("weight_decay", 0.002, "set weight decay")
    augmentation = {"flip": False, "shift": 1, "rotation": 0.0, "noise": 0.0}
    doc.set_training_value("augmentation", augmentation, "change augmentation")
    doc.set_training_value("augmentation", dict(augmentation, shift=2), "change augmentation")
    doc.set_training_value("augmentation", dict(augmentation, shift=2, flip=True), "change augmentation")
    doc.set_frozen(["conv2d_1"], True)
    doc.set_frozen(["dense_1"], True)
    doc.set_design_field("dataset", {"name": "circle"}, "train on circle")
    doc.set_design_field("dataset", {"name": "xor"}, "train on xor")
    assert _steps(doc) == ["set the learning rate to 0.05", "set weight decay", "change augmentation",
                           "change augmentation", "freeze conv2d_1", "freeze dense_1", "train on circle",
                           "train on xor"]
    for _ in range(5):
        doc.undo_stack.undo()
    assert doc.design.training["augmentation"] == dict(augmentation, shift=2)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.design.training == {"lr": 0.05}
    doc.undo_stack.undo()
    assert doc.design.training == {}


def test_an_edit_writes_its_own_field_only(window, trainer):
    doc, f = window.document, trainer.panel.fields
    training = dict(doc.design.training, extra={"kept": 1}, lr=0.2, augmentation={"flip": "x"})
    doc.set_design_field("training", training, "from elsewhere")
    f["shift"].setValue(3)
    assert doc.design.training == dict(training, augmentation={"flip": "x", "shift": 3})
    f["epochs"].setValue(5)
    assert doc.design.training == dict(training, augmentation={"flip": "x", "shift": 3}, epochs=5)


def test_the_panel_shows_the_design_during_and_after_a_run(window, trainer, qtbot):
    doc, f = window.document, trainer.panel.fields
    f["epochs"].setValue(200)
    f["lr"].setValue(0.05)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    qtbot.waitUntil(lambda: trainer.curves.run is not None and trainer.curves.run.loss.n > 2, timeout=10_000)
    window.explore.lab.weight_decay.setValue(0.001)  # the Overfitting lab, while the run trains
    assert _design(doc, "weight_decay") == 0.001
    assert f["weight_decay"].value() == pytest.approx(0.001) and not f["weight_decay"].isEnabled()
    trainer.pause()
    qtbot.waitUntil(lambda: trainer.state == "paused", timeout=10_000)
    doc.undo_stack.undo()  # the weight decay
    doc.undo_stack.undo()  # the learning rate: the design says 0.01 again, and so does the panel
    assert _design(doc, "lr") == 0.01 and f["lr"].isEnabled() and f["lr"].value() == pytest.approx(0.01)
    assert f["weight_decay"].value() == 0.0
    steps = trainer.curves.run.loss.n
    trainer.resume()  # the run takes the design's learning rate
    qtbot.waitUntil(lambda: trainer.curves.run.loss.n > steps + 2, timeout=10_000)
    assert trainer.curves.markers and "lr 0.05→0.01" in trainer.curves.markers[-1][1]
    qtbot.waitUntil(lambda: trainer.curves.run.lr.n and trainer.curves.run.lr.y[-1] == pytest.approx(0.01),
                    timeout=10_000)
    trainer.stop()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=20_000)
    assert f["lr"].value() == pytest.approx(0.01) and f["epochs"].value() == 200
    f["epochs"].setValue(3)  # another field edited after the run: the learning rate stays the design's
    assert _design(doc, "lr") == 0.01 and _design(doc, "epochs") == 3 and _design(doc, "weight_decay") == 0.0


def test_a_setting_edited_back_to_where_it_was_leaves_no_step(window, trainer):
    """Up and back down in one box: the merged step changes nothing, so it leaves the stack (and the design is
    not marked modified by it)."""
    doc, f = window.document, trainer.panel.fields
    doc.undo_stack.clear()
    doc.undo_stack.setClean()
    f["epochs"].setValue(7)
    f["epochs"].setValue(2)  # (the trainer fixture's value)
    assert _steps(doc) == [] and doc.undo_stack.isClean()
