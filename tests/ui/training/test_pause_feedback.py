"""Pause and Stop are done between steps; a step of a big model on a CPU takes many seconds. The panel says
at once that it heard them and that the step under way finishes first."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QLabel

pytestmark = pytest.mark.gui


@pytest.fixture
def held_step(monkeypatch):
    """Each optimiser step waits until the test lets it go (``gate.set()``): a long step, simulated."""
    from netbuilder.training import engine

    gate, started = threading.Event(), threading.Event()
    real = engine.step_function

    def step_function(opt):
        step = real(opt)

        def held() -> None:
            started.set()
            gate.wait(60)
            step()
        return held
    monkeypatch.setattr(engine, "step_function", step_function)
    yield gate, started
    gate.set()


def _start(trainer, qtbot, started):
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training" and started.is_set(), timeout=60_000)


def test_pause_is_said_at_once_while_the_step_under_way_finishes(trainer, qtbot, held_step):
    gate, started = held_step
    _start(trainer, qtbot, started)
    trainer.actions["pause"].trigger()
    qtbot.wait(100)  # (no redraw: the panel says it by itself)
    pause = trainer.actions["pause"]
    assert trainer.state == "pausing"
    assert pause.text().replace("&", "") == "Pausing…" and "Pausing after this step" in pause.toolTip() and not pause.isEnabled()
    assert "step under way finishes first" in trainer.panel.progress_label.text()
    assert trainer.actions["stop"].isEnabled()
    # the long line is shortened to the panel's room (it pushed the panel past a 1280×720 window)
    label, panel = trainer.panel.progress_label, trainer.panel
    whole = label.text()
    label.setText("Ready")
    narrow = panel.minimumSizeHint().width()
    label.setText(whole + " · ETA 2:06:39 · 5.1 samples/s · loss 2.3253 · lr 0.01" * 4)
    assert panel.minimumSizeHint().width() == narrow  # (the long line made it 783 px, in a 710 px dock)
    label.setText(whole)
    label.resize(200, label.height())
    assert label.toolTip() == label.text() and QLabel.text(label).endswith("…")
    gate.set()
    qtbot.waitUntil(lambda: trainer.state == "paused", timeout=30_000)
    assert pause.isEnabled() and "Resume" in pause.text()
    trainer.stop()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)


def test_stop_says_the_step_under_way_finishes_first(trainer, qtbot, held_step):
    gate, started = held_step
    _start(trainer, qtbot, started)
    trainer.actions["stop"].trigger()
    qtbot.wait(100)  # (no redraw: the panel says it by itself)
    assert trainer.state == "stopping"
    assert "Stopping after this step" in trainer.actions["stop"].toolTip()
    assert "step under way finishes first" in trainer.panel.progress_label.text()
    gate.set()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)
    assert trainer.actions["stop"].text() == "&Stop"


def test_a_rate_below_one_sample_a_second_is_readable():
    from netbuilder.ui.training.settings import format_rate

    assert format_rate(0.43) == "0.43 samples/s"
    assert format_rate(2.345) == "2.3 samples/s"
    assert format_rate(123.4) == "123 samples/s"
    assert format_rate(12345) == "12k samples/s"


def test_a_pause_that_arrives_after_stop_does_not_undo_the_stop(trainer, qtbot, held_step):
    """Paused just before Stop was pressed: the late "paused" event leaves the panel stopping (Resume would
    have shown for a moment)."""
    from types import SimpleNamespace

    gate, started = held_step
    _start(trainer, qtbot, started)
    trainer.actions["stop"].trigger()
    assert trainer.state == "stopping"
    trainer.run._on_state(SimpleNamespace(state="paused", epoch=0, step=1, applied={}))
    assert trainer.state == "stopping" and "Resume" not in trainer.actions["pause"].text()
    gate.set()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)
