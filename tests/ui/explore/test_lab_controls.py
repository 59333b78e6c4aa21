"""The Overfitting lab, Augmentation and Transfer controls: every one says what it does (a tooltip with the
number's meaning, unit and a typical value); a design file's wrong-typed settings show as the defaults
instead of crashing the views; the Transfer list follows an edit at once (not one edit behind); the lab's
Train starts each run from fresh weights unless told otherwise, and says which it did."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_every_lab_augmentation_and_transfer_control_has_a_tooltip_that_teaches(window, explore):
    lab, aug, tr = explore.lab, explore.augment, explore.transfer
    controls = {"train fraction": lab.fraction, "weight decay": lab.weight_decay, "patience": lab.patience,
                "dropout": lab.dropout_button, "batchnorm": lab.batchnorm_button, "flip": aug.flip,
                "shift": aug.shift, "rotation": aug.rotation, "noise": aug.noise, "sample": aug.sample,
                "load": tr.load_button, "freeze": tr.freeze_all_button, "head": tr.head_button,
                "classes": tr.classes, "fresh": lab.fresh}
    missing = [name for name, widget in controls.items() if len(widget.toolTip()) < 40]
    assert not missing, f"no tooltip that explains: {missing}"
    assert "p = 0.5" in lab.dropout_button.toolTip() and "after the layer selected" in lab.dropout_button.toolTip()
    assert "typical" in lab.weight_decay.toolTip().lower() and "epochs" in lab.patience.toolTip()
    assert "px" in aug.shift.toolTip() and "°" in aug.rotation.toolTip()


@pytest.mark.parametrize("training", [
    {"weight_decay": "x", "early_stopping_patience": 1e300, "train_fraction": None, "augmentation": [1]},
    {"weight_decay": None, "early_stopping_patience": "5", "train_fraction": [], "augmentation": "flip"},
    {"weight_decay": [], "early_stopping_patience": 2.5, "train_fraction": "half",
     "augmentation": {"flip": "yes", "shift": 1e300, "rotation": "x", "noise": None}},
    {"weight_decay": 1e300, "early_stopping_patience": -3, "train_fraction": 7, "augmentation": None},
])
def test_wrong_typed_settings_in_a_design_file_show_the_defaults(window, explore, training):
    lab, aug = explore.lab, explore.augment
    window.document.set_design_field("training", training)  # (as a design file may hold them)
    lab.sync_from_design()
    aug.sync_from_design()
    assert (lab.fraction.value(), lab.weight_decay.value(), lab.patience.value()) == (100, 0.0, 0)
    assert lab.patience.text() == "off"
    assert (aug.flip.isChecked(), aug.shift.value(), aug.rotation.value(), aug.noise.value()) == (False, 0, 0.0, 0.0)


def test_good_settings_in_a_design_file_are_shown(window, explore):
    lab, aug = explore.lab, explore.augment
    window.document.set_design_field("training", {"weight_decay": 0.01, "early_stopping_patience": 5,
                                                  "train_fraction": 0.05,
                                                  "augmentation": {"flip": True, "shift": 2, "rotation": 10}})
    assert (lab.fraction.value(), lab.weight_decay.value(), lab.patience.value()) == (5, 0.01, 5)
    assert (aug.flip.isChecked(), aug.shift.value(), aug.rotation.value(), aug.noise.value()) == (True, 2, 10.0, 0.0)


def test_the_transfer_list_follows_an_edit_at_once(window, explore, show, qtbot):
    doc, view = window.document, explore.transfer
    show(explore, "transfer")
    doc.set_param("dense_1", "units", 16)
    qtbot.waitUntil(lambda: not doc._timer.isActive(), timeout=5000)  # the coalesced analysis has run
    nodes = doc.analysis.nodes
    rows = {view.layers.item(i).data(256): view.layers.item(i).text() for i in range(view.layers.count())}
    assert rows["dense_1"].endswith(f"{nodes['dense_1'].params:,} parameters")
    assert rows["dense_2"].endswith(f"{nodes['dense_2'].params:,} parameters")
    total = sum(nodes[n].params for n in rows)
    assert f"all {total:,} parameters" in view.summary.text()
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: not doc._timer.isActive(), timeout=5000)
    assert f"all {doc.analysis.total_params:,} parameters" in view.summary.text()


def test_inserting_dropout_says_its_rate(window, explore):
    doc, lab = window.document, explore.lab
    doc.select(["dense_1"])
    new = lab.insert_after("dropout")
    assert f"Inserted {new} (drops values with p = 0.5 while training) after dense_1" in lab.message.text()


EPOCHS = 3  # the runs of this file (the ``both`` fixture: conftest.py)


def test_the_labs_train_starts_from_fresh_weights_and_says_so(window, both, qtbot):
    tc, ex = both
    lab = ex.lab
    assert lab.fresh.isChecked(), "in the lab, runs compare fairly: each starts from fresh weights"
    window.document.set_training_value("train_fraction", 0.05)  # overfits: run 1 ends at a low training loss
    lab.train_button.click()
    qtbot.waitUntil(lambda: tc.state == "idle" and len(lab.epochs) == 3, timeout=60_000)
    first = lab.epochs[0]["train_loss"]
    assert "Run 1 starts from fresh (random) weights" in lab.message.text()
    lab.train_button.click()  # again: from the same fresh weights, not from run 1's
    qtbot.waitUntil(lambda: tc.state == "idle" and len(lab.epochs) == 3, timeout=60_000)
    assert "Run 2 starts from fresh (random) weights" in lab.message.text()
    assert lab.epochs[0]["train_loss"] == pytest.approx(first, rel=1e-4)
    lab.fresh.setChecked(False)
    lab.train_button.click()
    qtbot.waitUntil(lambda: tc.state == "idle" and len(lab.epochs) == 3, timeout=60_000)
    assert "Run 3 continues from the weights the last run ended with" in lab.message.text()
    assert lab.epochs[0]["train_loss"] < first


def test_a_refused_lab_run_keeps_the_trained_weights(window, both, qtbot):
    tc, ex = both
    lab = ex.lab
    lab.train_button.click()
    qtbot.waitUntil(lambda: tc.state == "idle" and tc.wb.has_weights, timeout=60_000)
    conv = next(n.id for n in window.document.graph.iter_nodes() if n.kind == "conv2d")
    window.document.set_param(conv, "padding", 0)
    window.document.set_param(conv, "kernel_size", 50)  # larger than the image: a problem, so Train refuses
    window.document.flush()
    qtbot.waitUntil(lambda: bool(tc.wb.state.problems), timeout=10_000)
    assert not ex.train_in_lab(fresh=True)
    assert tc.wb.has_weights, "the refusal dropped the trained weights"


def test_the_lab_calls_it_overfitting_only_when_the_validation_loss_clearly_rises():
    """A validation loss 0.005 above its best one epoch later is noise, not overfitting (the lab said "the
    network overfits" for it); a clear rise while the training loss falls is; a best last epoch says more
    epochs may help."""
    from netbuilder.ui.explore.lab_views import lab_verdict

    def epoch(n, train, val):
        return {"epoch": n, "train_loss": train, "val_loss": val}

    assert "overfits" not in lab_verdict(epoch(13, 0.06, 0.117), epoch(14, 0.055, 0.122))
    assert "levelled off since epoch 14 (now +0.005)" in lab_verdict(epoch(13, 0.06, 0.117), epoch(14, 0.055, 0.122))
    overfit = lab_verdict(epoch(2, 0.5, 1.1), epoch(3, 0.2, 1.4))
    assert "risen by 0.300 while the training loss fell: the network overfits" in overfit
    assert "still falling" in lab_verdict(epoch(3, 0.2, 1.0), epoch(3, 0.2, 1.0))
    both = lab_verdict(epoch(2, 0.5, 1.1), epoch(3, 0.9, 1.4))  # both rose: not overfitting
    assert "overfits" not in both and "unstable; try a lower learning rate" in both
