"""Runs that differ by a regulariser can be told apart on the Curves overlay and in the run list: the label
names what differs from the defaults (weight decay, early stopping, the share of the training set,
augmentation, locked layers) and the layers changed since the run before ("+dropout_1"), kept in the runs
file; a settings value of the wrong type in a runs file does not break the label."""

from __future__ import annotations

import pytest

from netbuilder.ui.training.run_history import (
    RunCurves,
    from_record,
    legend_text,
    structure_changes,
    tag_structure,
    to_record,
)

BASE = {"optimizer": "adam", "lr": 0.001, "batch_mode": "minibatch", "batch_size": 64, "weight_decay": 0.0,
        "early_stopping_patience": 0, "train_fraction": 1.0, "frozen": [],
        "augmentation": {"flip": False, "shift": 0, "rotation": 0.0, "noise": 0.0}}


@pytest.mark.parametrize("change, says", [
    ({}, None),
    ({"early_stopping_patience": 5}, "early stop 5"),
    ({"train_fraction": 0.05}, "5% data"),
    ({"weight_decay": 0.01}, "wd 0.01"),
    ({"augmentation": {"flip": True, "shift": 1, "rotation": 10.0, "noise": 0.1}}, "aug flip shift 1px rot 10° noise 0.1"),
    ({"augmentation": {"flip": False, "shift": 2, "rotation": 0.0, "noise": 0.0}}, "aug shift 2px"),
    ({"frozen": ["conv2d_1", "dense_1"]}, "2 locked"),
])
def test_the_label_names_what_differs_from_the_defaults(change, says):
    text = legend_text(RunCurves("run 2", 2, {**BASE, **change}))
    base = "run 2 · adam lr 0.001 · batch 64"
    assert text == (base if says is None else f"{base} · {says}")


def test_the_labels_of_a_baseline_and_its_regularised_runs_all_differ():
    runs = [{}, {"early_stopping_patience": 5}, {"train_fraction": 0.05}, {"weight_decay": 0.01},
            {"augmentation": {"flip": False, "shift": 1, "rotation": 10.0, "noise": 0.0}}]
    labels = [legend_text(RunCurves("run", 1, {**BASE, **c})) for c in runs]
    assert len(set(labels)) == len(labels), labels


def _signature(*nodes):
    return tuple((n, kind, repr(sorted(params.items()))) for n, kind, params in nodes), ()


def test_a_layer_added_since_the_run_before_is_named():
    base = [("conv2d_1", "conv2d", {"filters": 8}), ("dense_1", "dense", {"units": 32})]
    one, two, three = RunCurves("run 1", 1), RunCurves("run 2", 2), RunCurves("run 3", 3)
    tag_structure(one, _signature(*base), [])
    tag_structure(two, _signature(*base, ("dropout_1", "dropout", {"p": 0.5})), [one])
    tag_structure(three, _signature(("conv2d_1", "conv2d", {"filters": 4}), base[1]), [one, two])
    assert one.changes == "" and two.changes == "+dropout_1" and three.changes == "−dropout_1 ~conv2d_1"
    assert legend_text(two).endswith(" · +dropout_1")
    again = from_record(to_record(two))  # kept in the runs file
    assert again.layers == two.layers and legend_text(again) == legend_text(two)
    many = structure_changes({}, {f"dense_{i}": "dense:0" for i in range(5)})
    assert many == "+dense_0 +dense_1 +3 more"


def test_a_run_on_another_dataset_than_the_run_before_says_which():
    """Run 1 on the digits, run 2 on shapes (the layers it kept, transfer learning): their curves share the
    axes, and the legend says that run 2's are of other data. Kept in the runs file."""
    base = [("conv2d_1", "conv2d", {"filters": 8}), ("dense_1", "dense", {"units": 32})]
    one, two, three = (RunCurves(f"run {n}", n, {**BASE, "dataset": d})
                       for n, d in ((1, "digits"), (2, "shapes"), (3, "shapes")))
    for n, run in enumerate((one, two, three)):
        tag_structure(run, _signature(*base), [one, two, three][:n])
    assert (one.changes, two.changes, three.changes) == ("", "on shapes", "")
    assert legend_text(two) == "run 2 · adam lr 0.001 · batch 64 · on shapes"
    assert legend_text(from_record(to_record(two))) == legend_text(two)


@pytest.mark.parametrize("settings", [
    {"optimizer": "adam", "lr": "x", "weight_decay": "x", "early_stopping_patience": [], "train_fraction": None,
     "augmentation": [1], "frozen": "all"},
    {"weight_decay": float("nan"), "augmentation": {"shift": "2", "rotation": None, "flip": 1}},
])
def test_a_runs_file_with_odd_settings_still_labels_its_runs(settings):
    run = from_record({"number": 1, "name": "run 1", "settings": settings, "layers": {"a": 3}, "changes": 5})
    text = legend_text(run)
    assert text.startswith("run 1") and run.changes == "" and run.layers is None


@pytest.mark.gui
def test_the_curves_name_the_dropout_added_between_two_runs(window, trainer, run_to_end):
    doc = window.document
    assert run_to_end(trainer)["kind"] == "finished"
    doc.select(["dense_1"])
    window.explore.lab.insert_after("dropout")
    doc.set_training_value("early_stopping_patience", 3)
    doc.flush()
    assert run_to_end(trainer)["kind"] == "finished"
    first, second = trainer.curves.all_runs()[-2:]
    assert legend_text(first) == f"{first.name} · adam lr {trainer.settings()['lr']:g} · batch " \
                                 f"{trainer.settings()['batch_size']}"
    assert legend_text(second).endswith(" · early stop 3 · +dropout_1")
    assert "early stop 3 · +dropout_1" in trainer.curves.run_list.item_for(second.number).toolTip()
