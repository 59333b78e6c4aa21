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
    assert [b.text() for b in bar.buttons if b.isVisibleTo(bar)] == ["Load it again", "Skip the unreadable files"]
    button = bar.buttons[1]
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


def test_a_table_fixed_after_its_failure_loads_again_from_the_bar_or_the_box(window, trainer, qtbot, tmp_path):
    """A missing value in a CSV: the student fixes the file. Choosing it again in the box did nothing (the
    same entry), and only another dataset and back tried again. "Load it again" on the message does, and
    so does choosing it again."""
    window.workspaces.switch("Train")
    bar = trainer.panel.messages
    table = tmp_path / "pets.csv"
    rows = ["height,weight,species"] + [f"{20 + i % 7},{3 + i % 5},{'cat' if i % 2 else 'dog'}" for i in range(40)]
    rows[5] = "25,?,cat"  # (the file's line 6: the header is line 1)
    table.write_text("\n".join(rows) + "\n")
    _choose(trainer, qtbot, str(table))
    assert bar.level == "error" and "row 6" in bar.text() and "press “Load it again”" in bar.text()
    reload = bar.buttons[0]
    assert reload.isVisibleTo(bar) and reload.text() == "Load it again" and not bar.buttons[1].isVisibleTo(bar)
    reload.click()  # not fixed yet: the same failure, said again
    qtbot.waitUntil(lambda: bar.level == "error" and "row 6" in bar.text(), timeout=30_000)
    table.write_text(table.read_text().replace("25,?,cat", "25,4,cat"))
    trainer._dataset_chosen(str(table))  # the same entry of the box again: loaded again
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None and trainer.wb.dataset["name"] == "pets", timeout=30_000)
    qtbot.waitUntil(lambda: "could not be loaded" not in bar.text(), timeout=5000)  # (now: "does not fit pets")
    assert trainer.panel.dataset_info.text().startswith("pets: 2 inputs")
