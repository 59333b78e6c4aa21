"""A dataset that cannot be loaded: the panel says so (nothing of the dataset before stays), Train says
the failure again (never "Loading…"), a folder with unreadable images offers to skip them (through the
design's dataset spec) and says what it skipped, and a dataset that loads takes back what was said."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _bad_folder(root):
    from PIL import Image

    rng = np.random.default_rng(0)
    for cls, base in (("cat", 40), ("dog", 200)):
        (root / cls).mkdir(parents=True)
        for i in range(8):
            pixels = np.clip(base + rng.normal(0, 20, (12, 12, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / cls / f"{cls}{i}.png")
    (root / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    (root / "cat" / "photo.jpg").write_text("text, not a jpeg")
    return root


def _choose(trainer, qtbot, name: str) -> None:
    trainer._dataset_chosen(name)  # what the dataset box does
    qtbot.waitUntil(lambda: trainer.panel.messages.level == "error"
                    or (trainer.wb.dataset is not None and trainer.wb.dataset_spec == trainer.dataset_spec()),
                    timeout=30_000)


def test_a_failed_load_is_said_again_by_train_and_taken_back_by_the_next_dataset(window, trainer, qtbot, tmp_path):
    window.workspaces.switch("Train")
    bar, panel = trainer.panel.messages, trainer.panel
    panel.show()
    folder = _bad_folder(tmp_path / "pets")
    _choose(trainer, qtbot, str(folder))
    assert bar.level == "error" and "could not be loaded" in bar.text()
    assert "--skip-bad" not in bar.text() and "skip_bad option" not in bar.text()
    # the panel shows no dataset: not the digits' info, not their samples
    assert "not loaded" in panel.dataset_info.text() and "digits" not in panel.dataset_info.text()
    assert panel._dataset is None and trainer.features.current_input() is None
    for _ in range(2):  # each press says the failure again
        assert not trainer.train()
        assert bar.level == "error" and "Loading" not in bar.text()
        assert bar.text().startswith("The dataset could not be loaded (") and "pick another dataset" in bar.text()
    _choose(trainer, qtbot, "digits")
    qtbot.waitUntil(lambda: trainer.panel._dataset is not None, timeout=30_000)
    assert bar.isHidden() and panel.dataset_info.text().startswith("digits: 1×8×8")


def test_loading_line_goes_once_the_dataset_loads(window, trainer, qtbot):
    bar = trainer.panel.messages
    trainer.data_link.refuse_train()  # (Train pressed while loading)
    assert "press Train again in a moment" in bar.text()
    trainer._dataset_chosen("circle")
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None and trainer.wb.dataset["name"] == "circle", timeout=30_000)
    qtbot.waitUntil(lambda: "Loading" not in bar.text(), timeout=5000)


def test_skip_the_unreadable_files_button_sets_skip_bad_and_says_what_was_skipped(window, trainer, qtbot, tmp_path):
    window.workspaces.switch("Train")
    bar = trainer.panel.messages
    folder = _bad_folder(tmp_path / "pets")
    _choose(trainer, qtbot, str(folder))
    button = bar.buttons[0]
    assert button.isVisibleTo(bar) and button.text() == "Skip the unreadable files"
    said = []
    trainer.message_shown.connect(lambda text, level: said.append(text))
    button.click()
    assert window.document.design.dataset == {"name": str(folder), "skip_bad": True}
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None and trainer.wb.dataset["name"] == "pets", timeout=30_000)
    qtbot.waitUntil(lambda: any(t.startswith("Skipped 2 unreadable files") for t in said), timeout=5000)
    text = next(t for t in said if t.startswith("Skipped"))
    assert "broken.png" in text and "photo.jpg" in text
    assert "Skipped 2 unreadable files" in trainer.panel.dataset_info.text()
    window.document.undo_stack.undo()  # undo takes the skipping back: the failure again
    qtbot.waitUntil(lambda: bar.level == "error" and "could not be loaded" in bar.text(), timeout=30_000)
