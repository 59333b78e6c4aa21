"""Trained weights not yet saved are unsaved changes: after a run the title shows ``*`` and closing asks to
save; saving writes the weights first (a failed write fails the save, with its own error, and nothing else
is written), so the runs file never lists a run whose weights are not on disk. Start fresh drops the
weights from the saved design too: it no longer names them, and the stale file beside it is gone."""

from __future__ import annotations

import hashlib
import json

import pytest

pytestmark = pytest.mark.gui


def digest(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def runs_on_disk(path) -> list[str]:
    return [r["name"] for r in json.loads(path.read_text())["runs"]]


def test_a_second_run_is_unsaved_until_closing_saves_its_weights(window, trainer, run_to_end, qtbot, tmp_path):
    doc, files = window.document, window.files
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    assert doc.is_modified and window.isWindowModified()  # untitled, trained: its weights are unsaved
    path, weights, runs = tmp_path / "net.nbd", tmp_path / "net.safetensors", tmp_path / "net.runs.json"
    assert files.save_to(path)
    qtbot.waitUntil(weights.exists, timeout=15_000)  # (written before save_to returns)
    assert not doc.is_modified and not window.isWindowModified()
    first = digest(weights)
    assert run_to_end(trainer)["kind"] == "finished"
    assert doc.is_modified and window.isWindowModified()
    assert runs_on_disk(runs) == ["run 1"]  # not ahead of the weights on disk (run 1's)
    assert digest(weights) == first
    asked = []
    files.ask_unsaved = lambda: asked.append(1) or "save"
    assert window.close()
    assert asked == [1]
    assert digest(weights) != first and runs_on_disk(runs) == ["run 1", "run 2"]
    assert json.loads(path.read_text())["weights"] == "net.safetensors"


def test_a_failed_weights_write_fails_the_save_and_writes_nothing(window, trainer, run_to_end, tmp_path):
    doc, files = window.document, window.files
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    path, weights = tmp_path / "net.nbd", tmp_path / "net.safetensors"
    weights.mkdir()  # the weights cannot be written there (as on a full disk)
    errors = []
    files.show_error = lambda title, text: errors.append((title, text))
    assert not files.save_to(path)
    assert [title for title, _ in errors] == ["Cannot save the trained weights"]
    assert "net.safetensors" in errors[0][1] and "Nothing was saved" in errors[0][1]
    assert not path.exists() and not (tmp_path / "net.runs.json").exists()
    assert doc.is_modified and window.isWindowModified() and doc.path is None
    weights.rmdir()
    assert files.save_to(path)
    assert weights.is_file() and not doc.is_modified
    assert json.loads(path.read_text())["weights"] == "net.safetensors"
    # a design file that cannot be replaced (a read-only handout): its weights file is left alone too
    assert run_to_end(trainer)["kind"] == "finished"
    before = digest(weights)
    path.chmod(0o444)
    errors.clear()
    assert not files.save_to(path)
    assert errors == [("Cannot save the design", f"{path}: the file is read-only; it is left as it is: save under "
                       "another name")]
    assert digest(weights) == before and doc.is_modified


@pytest.mark.parametrize("how", ["question", "menu"])
def test_start_fresh_is_saved_the_old_weights_are_not_reloaded(window, trainer, run_to_end, qtbot, tmp_path, how):
    doc, files = window.document, window.files
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    path, weights = tmp_path / "net.nbd", tmp_path / "net.safetensors"
    assert files.save_to(path)
    qtbot.waitUntil(weights.exists, timeout=15_000)
    if how == "question":
        doc.set_param("dense_1", "units", 16)
        bar = trainer.panel.messages
        assert bar.buttons[1].text() == "Start fresh"
        bar.buttons[1].click()
    else:
        trainer.actions["reset"].trigger()  # Train ▸ Reset Weights
    assert not trainer.wb.has_weights
    assert doc.is_modified and window.isWindowModified()  # the file still names the dropped weights
    assert files.save()
    assert not doc.is_modified
    assert json.loads(path.read_text())["weights"] is None  # (the old file stays: nothing names it)
    shown = []
    trainer.panel.messages.show_message = lambda text, *a, **k: shown.append(text)
    assert files.open_path(path, ask=False)
    qtbot.wait(500)
    assert trainer.wb.wait_idle(30)
    qtbot.wait(200)
    assert not trainer.wb.has_weights and not any("Loaded the trained weights" in t for t in shown)


def test_loaded_weights_are_no_longer_announced_once_they_are_gone(window, trainer, run_to_end, qtbot, tmp_path):
    files, bar = window.files, trainer.panel.messages
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    path = tmp_path / "c.nbd"
    assert files.save_to(path)
    assert files.open_path(path, ask=False)
    qtbot.waitUntil(lambda: bar.text().startswith("Loaded the trained weights"), timeout=30_000)
    trainer.actions["reset"].trigger()  # Start fresh: the weights it told of are gone
    assert not bar.text().startswith("Loaded the trained weights")
    assert files.save()
    assert files.open_path(path, ask=False)  # names no weights now
    assert trainer.wb.wait_idle(30)
    qtbot.wait(200)
    assert not bar.text().startswith("Loaded the trained weights")


def test_closing_while_a_save_waits_for_its_weights_closes_once_it_is_saved(window, trainer, run_to_end, qtbot,
                                                                           tmp_path):
    import time

    from PySide6.QtCore import QTimer

    files = window.files
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    window.show()
    asked = []
    files.ask_unsaved = lambda *a, **k: asked.append(a) or "save"
    QTimer.singleShot(0, window.close)  # arrives while the save waits for the weights
    start = time.monotonic()
    assert files.save_to(tmp_path / "c.nbd")
    assert time.monotonic() - start < 60 and (tmp_path / "c.safetensors").is_file()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=15_000)
    assert asked == []  # saved: nothing left to ask about
