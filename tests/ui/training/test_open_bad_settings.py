"""Opening a design whose ``training`` or ``dataset`` section holds values no setting can be (a hand edit,
another tool): the window opens it (no exception escapes a slot), every field shows what it can, the
value the form cannot show stays the design's (marked, nothing lost), and pressing Train says which
setting is wrong, not "this looks like a bug". A dataset name that is not text is one clear line and
leaves the dataset list usable."""

from __future__ import annotations

import json

import pytest

from netbuilder import io as nio

pytestmark = pytest.mark.gui

BAD_TRAINING = [
    ({"augmentation": "yes"}, ("flip", "shift", "rotation", "noise")),
    ({"augmentation": True}, ("flip", "shift", "rotation", "noise")),
    ({"augmentation": None}, ("flip", "shift", "rotation", "noise")),
    ({"augmentation": 0}, ("flip", "shift", "rotation", "noise")),
    ({"augmentation": []}, ("flip", "shift", "rotation", "noise")),
    ({"weight_decay": None}, ("weight_decay",)),
    ({"weight_decay": "x"}, ("weight_decay",)),
    ({"weight_decay": []}, ("weight_decay",)),
    ({"early_stopping_patience": "x"}, ()),
    ({"early_stopping_patience": None}, ()),
    ({"early_stopping_patience": 1e300}, ()),
    ({"train_fraction": "x"}, ()),
    ({"train_fraction": None}, ()),
    ({"train_fraction": 1e8}, ()),
    ({"augmentation": {"shift": "x", "rotation": None, "noise": 1e300}}, ("shift", "rotation", "noise")),
    ({"augmentation": {"shift": 1e300, "rotation": "x", "noise": None}}, ("shift", "rotation", "noise")),
    ({"augmentation": {"flip": "x"}}, ("flip",)),
    ({"epochs": 1e300}, ("epochs",)),
    ({"epochs": 2**63, "step_size": "x", "gamma": None, "schedule": "step"}, ("epochs",)),
    ({"lr": None, "schedule": 5}, ("lr", "schedule")),
]


def _open(window, tmp_path, change: dict):
    from netbuilder.ui.app import build_digits_cnn

    data = json.loads(nio.dumps_design(build_digits_cnn()))
    data.update(change)
    path = tmp_path / "hand_edited.nbd"
    path.write_text(json.dumps(data), encoding="utf-8")
    refused = []
    window.files.show_error = lambda title, text: refused.append(text)
    assert window.files.open_path(path, ask=False), refused
    assert window.document.path == path
    return data


@pytest.mark.parametrize("training, marked", BAD_TRAINING)
def test_a_bad_training_value_opens_marked_and_kept(window, trainer, qtbot, tmp_path, training, marked):
    data = _open(window, tmp_path, {"training": training})
    doc, panel = window.document, trainer.panel
    qtbot.wait(50)  # the slots of design_replaced and the schedule's preview have run
    assert doc.design.training == data["training"]  # nothing lost
    for key in marked:
        assert panel.fields[key].property("unfit"), key
        assert "the design says" in panel.fields[key].toolTip(), key
    panel.fields["batch_size"].setValue(17)  # another field edited: it alone is written, the bad values stay
    qtbot.waitUntil(lambda: doc.design.training.get("batch_size") == 17, timeout=5000)
    assert doc.design.training == dict(data["training"], batch_size=17)


def test_a_non_object_augmentation_says_so_and_train_names_it(window, trainer, qtbot, tmp_path, run_to_end):
    _open(window, tmp_path, {"training": {"augmentation": "yes", "epochs": 1}})
    panel = trainer.panel
    assert "augmentation = 'yes', which is not an object like {flip, shift, rotation, noise}" in \
        panel.fields["shift"].toolTip()
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None, timeout=30_000)
    run_to_end(trainer)
    text = panel.messages.text()
    assert "augmentation='yes' must be an object like" in text
    assert "bug" not in text and "AttributeError" not in text
    assert text.startswith("Cannot train: ") and text.lower().count("cannot train") == 1  # (it never began)
    assert "training stopped" not in text.lower()
    panel.fields["shift"].setValue(2)  # a field of it edited: the augmentation is an object again
    qtbot.waitUntil(lambda: isinstance(window.document.design.training["augmentation"], dict), timeout=5000)
    assert window.document.design.training["augmentation"]["shift"] == 2
    assert not panel.fields["flip"].property("unfit")


@pytest.mark.parametrize("name", [5, True, 2.5])
def test_a_dataset_name_that_is_not_text_is_one_clear_line(window, trainer, qtbot, tmp_path, name):
    _open(window, tmp_path, {"dataset": {"name": name}})
    box = trainer.panel.dataset_box
    assert not box.signalsBlocked()
    qtbot.waitUntil(lambda: "dataset name must be text" in trainer.panel.messages.text(), timeout=30_000)
    text = trainer.panel.messages.text()
    assert "TypeError" not in text and repr(name) in text
    assert window.document.design.dataset == {"name": name}  # kept until another is chosen
    i = box.findData("circle")
    box.setCurrentIndex(i)
    box.activated.emit(i)
    qtbot.waitUntil(lambda: window.document.design.dataset.get("name") == "circle", timeout=5000)
