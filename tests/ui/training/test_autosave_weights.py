"""A crash after training loses neither what the network learnt nor its curves: the window's autosave holds
the trained weights that no saved file holds yet, and the runs, written as soon as a run ends; recovering
it brings both back, still to be saved. Closing the window leaves no autosave behind."""

from __future__ import annotations

import json
import os

import pytest
import torch

pytestmark = pytest.mark.gui


def test_a_crash_after_training_keeps_its_weights_and_runs(window, trainer, run_to_end, qtbot, example, tmp_path):
    from netbuilder.io import weights_path_for
    from netbuilder.training.weights import load_weights
    from netbuilder.ui.autosave import autosave_dir, move_autosave
    from netbuilder.ui.training.run_history import load_runs, runs_path_for

    doc, files = window.document, window.files
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    own = autosave_dir() / f"autosave_{os.getpid()}.nbd"
    # autosaved as the run ended (not a minute later), the weights written in the background
    qtbot.waitUntil(lambda: weights_path_for(own).is_file() and own.is_file(), timeout=15_000)
    assert json.loads(own.with_suffix(".json").read_text()) == {"path": None}  # (an unsaved design)
    assert [r.name for r in load_runs(runs_path_for(own))] == ["run 1"]
    learnt = load_weights(weights_path_for(own))
    crashed = autosave_dir() / "autosave_999999.nbd"  # as if left by a window that died
    move_autosave(own, crashed)

    doc.set_design(example)  # the next start: untrained, no runs
    qtbot.waitUntil(lambda: not trainer.wb.has_weights, timeout=10_000)
    assert trainer.curves.all_runs() == []
    asked, said = [], []
    files.message_reported.connect(said.append)
    files.ask_recover = lambda what: asked.append(what) or "recover"
    assert files.offer_recovery()
    assert "with its trained weights and its training curves" in asked[0]
    assert said == [f'Recovered "{doc.design.name}" with its trained weights: save it to keep it']
    assert [r.name for r in trainer.curves.all_runs()] == ["run 1"]
    messages = trainer.panel.messages
    qtbot.waitUntil(lambda: "Recovered the trained weights" in messages.label.text(), timeout=15_000)
    assert "from the autosave" in messages.label.text() and "Save the design to keep them" in messages.label.text()
    assert trainer.wb.has_weights and doc.is_modified  # still to be saved
    assert files.leftover_autosaves() == [] and not weights_path_for(crashed).exists()

    path = tmp_path / "recovered.nbd"
    assert files.save_to(path)
    saved = load_weights(weights_path_for(path))
    assert saved.keys() == learnt.keys() and all(torch.equal(saved[k], learnt[k]) for k in learnt)
    assert json.loads(path.read_text())["weights"] == "recovered.safetensors"
    assert not doc.is_modified and not own.exists() and not weights_path_for(own).exists()
    assert not runs_path_for(own).exists()


def test_closing_the_window_leaves_no_autosave(window, trainer, run_to_end, qtbot):
    from netbuilder.io import weights_path_for
    from netbuilder.ui.autosave import autosave_dir

    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    own = autosave_dir() / f"autosave_{os.getpid()}.nbd"
    qtbot.waitUntil(lambda: weights_path_for(own).is_file(), timeout=15_000)
    window.files.ask_unsaved = lambda: "discard"
    assert window.close()
    assert list(autosave_dir().iterdir()) == []
    assert window.files.autosave() is None  # (nothing written after the window closed)


def test_a_design_let_go_leaves_no_autosave_to_recover(window, trainer, run_to_end, qtbot, example):
    from netbuilder.io import weights_path_for
    from netbuilder.ui.autosave import autosave_dir

    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    own = autosave_dir() / f"autosave_{os.getpid()}.nbd"
    qtbot.waitUntil(lambda: weights_path_for(own).is_file() and own.is_file(), timeout=15_000)
    window.files.ask_unsaved = lambda: "discard"  # New, and the trained design is let go
    assert window.files.new_design()
    qtbot.wait(100)
    assert list(autosave_dir().iterdir()) == []  # (a crash now would offer back what the student discarded)


def test_a_crash_during_a_long_run_keeps_what_it_learnt_by_its_last_epoch(window, trainer, qtbot, example,
                                                                           monkeypatch):
    import shutil

    from netbuilder.io import weights_path_for
    from netbuilder.ui.autosave import autosave_dir, autosave_files, own_autosave
    from netbuilder.workbench import run_loop

    monkeypatch.setattr(run_loop, "AUTOSAVE_SECONDS", 0.0)  # (every epoch: 30 s in the window)
    files, own = window.files, own_autosave()
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    # the design autosaved as the run started, and the run writes its weights as it goes
    qtbot.waitUntil(lambda: own.is_file() and weights_path_for(own).is_file(), timeout=30_000)
    assert trainer.state in ("training", "pausing", "paused") and files.autosave() == own
    crashed = autosave_dir() / "autosave_999999.nbd"  # the window dies here, mid-run
    for a, b in zip(autosave_files(own), autosave_files(crashed), strict=True):
        if a.exists():
            shutil.copy(a, b)
    trainer.stop()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)
    window.files.ask_unsaved = lambda: "discard"
    window.document.set_design(example)  # the next start
    qtbot.waitUntil(lambda: not trainer.wb.has_weights, timeout=10_000)
    asked = []
    files.ask_recover = lambda what: asked.append(what) or "recover"
    assert files.offer_recovery()
    assert "with its trained weights" in asked[0]
    qtbot.waitUntil(lambda: "Recovered the trained weights" in trainer.panel.messages.label.text(), timeout=15_000)
    assert trainer.wb.has_weights and window.document.is_modified


def test_an_autosave_that_cannot_be_written_says_so_and_stops_nothing(window, trainer, run_to_end, qtbot):
    from netbuilder.ui.autosave import autosave_dir

    autosave_dir().parent.mkdir(parents=True, exist_ok=True)
    autosave_dir().write_text("not a folder")  # (as a full or read-only disk would refuse it)
    said = []
    window.files.message_reported.connect(said.append)
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"  # autosaved as it started and as it ended: refused
    qtbot.waitUntil(lambda: any(s.startswith("Autosave failed:") for s in said), timeout=10_000)
    assert window.files.autosave() is None and trainer.wb.has_weights
