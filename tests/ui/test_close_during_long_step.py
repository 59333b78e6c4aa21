"""Closing the window while a training step of many seconds is under way (a big model on a CPU): the
window goes at once (after the questions), the step is not waited for past a few seconds, and the process
then ends (app.run_app) without waiting for the torch thread either."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

pytestmark = pytest.mark.gui

LONG_STEP_S = 60.0


def slow_steps(monkeypatch, gate: threading.Event, started: threading.Event) -> None:
    """Each optimiser step of the engine waits for ``gate`` (at most LONG_STEP_S): a step of a minute."""
    from netbuilder.training import engine

    real = engine.step_function

    def step_function(opt):
        step = real(opt)

        def slow() -> None:
            started.set()
            gate.wait(LONG_STEP_S)
            step()
        return slow
    monkeypatch.setattr(engine, "step_function", step_function)


def test_closing_during_a_long_step_hides_the_window_at_once_and_does_not_wait_for_the_step(
        window, qtbot, monkeypatch):
    gate, started = threading.Event(), threading.Event()
    slow_steps(monkeypatch, gate, started)
    c = window.training
    qtbot.waitUntil(lambda: c.wb.ready is not None, timeout=30_000)
    qtbot.waitUntil(lambda: c.wb.dataset is not None, timeout=30_000)
    assert c.train()
    qtbot.waitUntil(started.is_set, timeout=60_000)  # the first (long) step is under way
    asked = []
    window.files.ask_stop_training = lambda: asked.append(("stop", window.isVisible())) or True
    window.files.ask_unsaved = lambda: asked.append(("save", window.isVisible())) or "discard"
    t = time.perf_counter()
    try:
        window.close()
        took = time.perf_counter() - t
        assert not window.isVisible()
        assert took < 6.0, f"the close took {took:.1f} s"
        assert [q for q, _ in asked] == ["stop", "save"] or [q for q, _ in asked] == ["stop"]
        assert all(visible for _, visible in asked), "the questions come while the window is shown"
    finally:
        gate.set()  # the step ends (the executor's thread then sees the stop)
        window.workbench.executor._thread.join(30)


SCRIPT = textwrap.dedent("""
    import os, sys, threading, time
    from netbuilder.training import engine
    real = engine.step_function
    started = threading.Event()
    def step_function(opt):
        step = real(opt)
        def slow():
            started.set(); time.sleep(%(step)s); step()
        return slow
    engine.step_function = step_function
    from PySide6.QtCore import QTimer
    from netbuilder.ui import app as app_module
    from netbuilder.ui.main_window import MainWindow
    made = []
    real_init = MainWindow.__init__
    def init(self, *a, **k):
        k["probe_device"] = False
        real_init(self, *a, **k)
        self.files.ask_unsaved = lambda: "discard"
        self.files.ask_stop_training = lambda: True
        self.files.offer_recovery = lambda: None
        made.append(self)
        QTimer.singleShot(500, drive)  # (the application exists now)
    MainWindow.__init__ = init
    def drive():
        w = made[0]
        c = w.training
        if c.wb.ready is None or c.wb.dataset is None:
            return QTimer.singleShot(100, drive)
        if c.state == "idle":
            c.train()
        if not started.is_set():
            return QTimer.singleShot(100, drive)
        print("closing", flush=True)
        w.close()
    sys.exit(app_module.run_app(os.environ["DESIGN"]))
""")


def test_the_process_ends_soon_after_a_close_during_a_long_step(tmp_path):
    from netbuilder.io import save_design
    from netbuilder.ui.app import build_digits_cnn

    design = tmp_path / "d.nbd"
    save_design(build_digits_cnn(), design)
    script = tmp_path / "run.py"
    script.write_text(SCRIPT % {"step": LONG_STEP_S})
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NETBUILDER_DATA_DIR=str(tmp_path / "data"),
               DESIGN=str(design), OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(180)
    try:
        if not lines or lines[0].strip() != "closing":
            proc.kill()
            pytest.fail(f"the window did not train: {proc.communicate()[1][-2000:]}")
        closed_at = time.perf_counter()
        code = proc.wait(timeout=LONG_STEP_S - 15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the process kept running with the step")
    took = time.perf_counter() - closed_at
    err = proc.stderr.read()
    assert code == 0, err
    assert took < 10.0, f"the process ended {took:.1f} s after the close"
    assert "Traceback" not in err, err
