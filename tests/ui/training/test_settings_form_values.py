"""The training form and the design's settings: a value the form cannot show (lr = 0) is kept, marked, and
written over only when its own field is edited; flip, shift and rotation are off for a dataset that has no
images (only noise applies to points and tables)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_value_the_form_cannot_show_is_kept_until_that_field_is_edited(window, trainer, qtbot):
    doc, lr = window.document, trainer.panel.fields["lr"]
    doc.set_training_value("lr", 0.0, "lr 0")
    qtbot.waitUntil(lambda: trainer.settings()["lr"] == 0.0, timeout=5000)
    assert "the design says lr = 0, which is not allowed: set a value" in lr.toolTip()
    assert lr.property("unfit")
    trainer.panel.fields["epochs"].setValue(7)  # another field edited: lr stays as the design says
    assert trainer.settings()["epochs"] == 7 and trainer.settings()["lr"] == 0.0
    assert lr.property("unfit")
    lr.setValue(0.05)  # the field itself edited: its value is the design's now
    assert trainer.settings()["lr"] == pytest.approx(0.05)
    assert not lr.property("unfit") and "not allowed" not in lr.toolTip()
    doc.set_training_value("lr", 1e-9, "tiny")  # too fine for the form: kept too
    trainer.panel.fields["momentum"].setValue(0.5)
    assert trainer.settings()["lr"] == 1e-9


def test_a_choice_the_form_does_not_have_is_kept(window, trainer, qtbot):
    doc = window.document
    training = dict(doc.design.training, optimizer="lion")
    doc.set_design_field("training", training, "an optimiser from elsewhere")
    assert trainer.settings()["optimizer"] == "lion"
    trainer.panel.fields["epochs"].setValue(3)
    assert trainer.settings()["optimizer"] == "lion"
    assert "lion" in trainer.panel.fields["optimizer"].toolTip()


def test_image_augmentations_are_off_for_points(window, trainer, qtbot):
    f = trainer.panel.fields
    assert all(f[k].isEnabled() for k in ("flip", "shift", "rotation", "noise"))
    trainer._dataset_chosen("circle")
    qtbot.waitUntil(lambda: trainer.panel._dataset is not None and trainer.panel._dataset["name"] == "circle",
                    timeout=30_000)
    for key in ("flip", "shift", "rotation"):
        assert not f[key].isEnabled() and "images" in f[key].toolTip()
    assert f["noise"].isEnabled()
    trainer._dataset_chosen("digits")
    qtbot.waitUntil(lambda: trainer.panel._dataset is not None and trainer.panel._dataset["name"] == "digits",
                    timeout=30_000)
    assert all(f[k].isEnabled() for k in ("flip", "shift", "rotation"))
    assert "images" not in f["flip"].toolTip()
