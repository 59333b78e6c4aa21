"""The student's own data from the window: the dataset box's last entry "Image folder or CSV file…" asks
for a path (the chooser is replaced here) and makes it the design's dataset in one undo step, which then
loads; a folder chosen once stays in the box; Cancel leaves the box as it was; a folder or a .csv dropped
on the window becomes the dataset. Also: every training setting has a teaching tooltip, and a fault of
the engine says "training stopped" once."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from netbuilder.ui.training import panel as panel_module

pytestmark = pytest.mark.gui


def _image_folder(root, size: int = 10):
    from PIL import Image

    rng = np.random.default_rng(1)
    for cls, base in (("light", 210), ("dark", 40)):
        (root / cls).mkdir(parents=True)
        for i in range(10):
            pixels = np.clip(base + rng.normal(0, 15, (size, size, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / cls / f"{cls}{i}.png")
    return root


def _browse(trainer, monkeypatch, answer) -> list:
    asked = []

    def chooser(parent, start=""):
        asked.append(start)
        return answer

    monkeypatch.setattr(panel_module, "ask_dataset_path", chooser)
    box = trainer.panel.dataset_box
    i = box.findData(panel_module.BROWSE)
    assert i == box.count() - 1 and box.itemText(i) == "Image folder or CSV file…"
    box.setCurrentIndex(i)
    box.activated.emit(i)  # what choosing the entry does
    return asked


def _loaded(trainer, name: str) -> bool:
    return trainer.wb.dataset is not None and trainer.wb.dataset["name"] == name and trainer.panel._dataset is not None


def test_choosing_an_image_folder_makes_it_the_dataset_and_undo_takes_it_back(window, trainer, qtbot, tmp_path,
                                                                               monkeypatch):
    folder = _image_folder(tmp_path / "pets")
    before = window.document.design.dataset
    steps = window.document.undo_stack.count()
    asked = _browse(trainer, monkeypatch, str(folder))
    assert asked, "the chooser was not opened"
    assert window.document.design.dataset == {"name": str(folder)}
    assert window.document.undo_stack.count() == steps + 1  # one undo step
    qtbot.waitUntil(lambda: _loaded(trainer, "pets"), timeout=30_000)
    assert trainer.panel.dataset_info.text().startswith("pets:")
    box = trainer.panel.dataset_box
    assert box.currentData() == str(folder) and "pets" in box.currentText() and str(tmp_path) not in box.currentText()
    assert box.itemData(box.currentIndex(), 3) == str(folder)  # the whole path in the tooltip
    window.document.undo_stack.undo()
    assert window.document.design.dataset == before
    qtbot.waitUntil(lambda: _loaded(trainer, "digits"), timeout=30_000)
    assert box.currentData() == "digits"
    i = box.findData(str(folder))  # chosen once: offered again, by its name
    assert 0 <= i < box.count() - 1 and box.itemText(i).startswith("pets")
    box.setCurrentIndex(i)
    box.activated.emit(i)
    assert window.document.design.dataset == {"name": str(folder)}


def test_cancel_leaves_the_box_on_the_dataset(window, trainer, monkeypatch):
    before, steps = window.document.design.dataset, window.document.undo_stack.count()
    _browse(trainer, monkeypatch, None)
    assert window.document.design.dataset == before and window.document.undo_stack.count() == steps
    assert trainer.panel.dataset_box.currentData() == (before or {"name": "digits"})["name"]


def test_dropping_a_folder_on_the_window_makes_it_the_dataset(window, trainer, qtbot, tmp_path):
    folder = _image_folder(tmp_path / "shades")
    graph = window.document.graph.to_dict()
    window.view.files_dropped.emit([str(folder)])
    assert window.document.design.dataset == {"name": str(folder)}
    assert window.document.graph.to_dict() == graph  # no design opened
    assert "shades" in window.statusBar().currentMessage() and "not a design" not in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: _loaded(trainer, "shades"), timeout=30_000)
    table = tmp_path / "points.csv"
    rows = [f"{x:.2f},{(x * 7) % 1:.2f},{int(x > 0.5)}" for x in np.linspace(0, 1, 40)]
    table.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    window.view.files_dropped.emit([str(table)])
    assert window.document.design.dataset == {"name": str(table)}
    window.document.undo_stack.undo()
    assert window.document.design.dataset == {"name": str(folder)}


def test_every_training_setting_has_a_teaching_tooltip(trainer):
    from netbuilder.ui.training.tips import TIPS

    for key, widget in trainer.panel.fields.items():
        tip = widget.toolTip()
        assert tip and tip == TIPS[key], key
        assert "Typical" in tip or key == "flip", key
    for key in ("weight_decay", "momentum", "schedule", "batch_mode", "epochs", "lr", "optimizer", "device",
                "early_stopping_patience", "seed"):
        assert TIPS[key].strip(), key


def test_a_fault_of_the_engine_says_training_stopped_once(trainer):
    from netbuilder.ui.training.run_events import fault_line

    assert fault_line("training stopped at epoch 3, step 40: boom") == "Training stopped at epoch 3, step 40: boom"
    assert fault_line("out of memory") == "Training stopped: out of memory"
    trainer.run.started = {"epochs": 3}  # (a fault of a run under way; one before it began: test_refused_run_panel)
    trainer.run._on_fault(SimpleNamespace(fault="error", message="training stopped at epoch 2, step 5: boom",
                                          advice="lower the learning rate"))
    text = trainer.panel.messages.text()
    assert text.lower().count("training stopped") == 1
    assert text.startswith("Training stopped at epoch 2, step 5: boom")
