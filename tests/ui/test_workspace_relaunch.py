"""A saved workspace layout restored at start-up must not crash the next switch.

The tester's crash: fresh settings, Ctrl+2, Ctrl+3, Ctrl+1, Ctrl+3, Ctrl+Q; launch again and press Ctrl+2
(or F5): SIGSEGV, every time, on a 1280×720 screen. There the window is maximised while it is built, and
``MainWindow.__init__`` restored the saved Explore layout into the hidden, maximised window. Qt 6 then
keeps a shallow copy of that layout (``QMainWindowLayout::restoredState``) and applies it again at every
relayout; the next ``restoreState`` (the switch) deleted the layout items the copy still pointed to, and
showing the tab bars laid out the freed items (QMainWindow::restoreState → QWidget::setVisible →
QLayout::activate → crash). ``Workspaces._restore_state`` now restores such a window in its normal state.

The launches run in subprocesses (a segfault fails the test instead of ending pytest) on an Xvfb screen
of 1280×720, where the window opens maximised as a student's does: offscreen Qt lets go of the copy in
time and did not crash.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QApplication
from xvfb import app_env, xvfb_display  # tests/ui/xvfb.py

from netbuilder.ui.workspaces import STATE_VERSION, WORKSPACE_OF, valid_state

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]

# One launch: the window as run_app builds it (settings in an ini file), shown; after a second each
# workspace in SWITCHES is chosen as its Ctrl+N shortcut does, 300 ms apart; then closed (which saves the
# layouts). Prints each step, so a crash says where.
LAUNCH = """
import sys
from PySide6.QtCore import QSettings, Qt, QTimer
from netbuilder.ui.app import default_example, make_application
from netbuilder.ui.main_window import MainWindow

app = make_application()
window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat), probe_device=False)
window.set_design(default_example())
window.show()
print("shown", window.workspaces.current, bool(window.windowState() & Qt.WindowState.WindowMaximized), flush=True)
steps = sys.argv[2].split(",") if sys.argv[2] else []

def step(i=0):
    if i == 0 and window.workspaces.current == "Explore":  # a layout held by Qt springs back after a resize
        dock = window.docks["Feature maps"]
        before = dock.height()
        target = before - 120 if before > 250 else before + 120
        window.resizeDocks([dock], [target], Qt.Orientation.Vertical)
        app.processEvents()
        print("resized", before, target, dock.height(), flush=True)
    if i < len(steps):
        window.workspaces.actions[steps[i]].trigger()
        print("switched", window.workspaces.current, flush=True)
        QTimer.singleShot(300, lambda: step(i + 1))
    else:
        window.files.ask_unsaved = lambda: "discard"
        window.close()
        print("closed", flush=True)
        app.quit()

QTimer.singleShot(1000, step)
sys.exit(app.exec())
"""


def launch(display: str, home: Path, settings: Path, switches: str) -> subprocess.CompletedProcess:
    env = app_env(display, home, home / "data", ROOT)
    return subprocess.run([sys.executable, "-c", LAUNCH, str(settings), switches], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_a_relaunch_restores_the_saved_workspace_and_switches_without_crashing(tmp_path):
    settings = tmp_path / "netbuilder.ini"
    with xvfb_display("1280x720x24") as display:
        first = launch(display, tmp_path, settings, "Train,Explore,Build,Explore")
        assert first.returncode == 0 and "closed" in first.stdout, (first.returncode, first.stderr[-3000:])
        saved = settings.read_text()
        assert "current=Explore" in saved and "Train\\state" in saved and "Build\\state" in saved
        for attempt in range(3):  # it crashed every time; three tries leave no luck to it
            again = launch(display, tmp_path, settings, "Train,Build,Explore")  # (ends where it started)
            assert again.returncode == 0, (
                f"relaunch {attempt + 1} ended with {again.returncode} (-11/139: a segmentation fault) after:\n"
                f"{again.stdout}\n{again.stderr[-3000:]}")
            assert "shown Explore True" in again.stdout and again.stdout.count("switched") == 3, again.stdout
            assert "closed" in again.stdout
            before, target, after = (int(n) for n in again.stdout.split("resized ")[1].split()[:3])
            assert abs(after - target) <= 40, f"the restored layout was held by Qt: {before} resized to {target}: {after}"


def test_only_a_layout_of_this_version_counts_as_saved():
    header = (0xFF).to_bytes(4, "big") + STATE_VERSION.to_bytes(4, "big")
    assert valid_state(QByteArray(header + b"\x00" * 16))
    assert not valid_state(QByteArray(header))  # nothing after the header
    assert not valid_state(QByteArray((0xFF).to_bytes(4, "big") + (1).to_bytes(4, "big") + b"\x00" * 16))
    assert not valid_state(QByteArray(b"garbage that is no layout"))
    assert not valid_state("a string in the settings file") and not valid_state(None)


@pytest.mark.parametrize("junk", [b"\x00\x00\x00\xff\x00\x00\x00\x02" + b"\xfd\x00\x00\x00\x03" + b"\xff" * 40,
                                  b"\x00\x00\x00\xff\x00\x00\x00\x02" + b"\x00" * 3])
def test_a_damaged_saved_layout_is_arranged_afresh(qtbot, tmp_path, data_dir, junk):
    """A saved layout Qt cannot read (cut short, overwritten) opens the workspace's default arrangement."""
    from netbuilder.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("workspaces/Train/state", QByteArray(junk))
    settings.setValue("workspaces/current", "Train")
    w = MainWindow(settings=settings, probe_device=False)
    qtbot.addWidget(w)
    try:
        assert w.workspaces.current == "Train"
        assert {t for t, d in w.docks.items() if not d.isHidden()} == {
            t for t in w.docks if WORKSPACE_OF.get(t, "Explore") == "Train"}
    finally:
        w.files.ask_unsaved = lambda: "discard"
        w.close()


def test_a_window_restored_before_it_is_shown_opens_maximised_with_its_layout(qtbot, tmp_path, data_dir):
    """The saved layout is restored into the hidden window in its normal state, and the window is maximised
    again at once: it opens maximised, with the saved layout, which it then owns (a resize holds), and
    switches on. (Offscreen Qt did not crash before the fix either: the relaunch test above is the
    regression test.)"""
    from netbuilder.ui.main_window import MainWindow

    path = str(tmp_path / "s.ini")
    first = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat), probe_device=False)
    qtbot.addWidget(first)
    first.showMaximized()  # closed maximised: the next window is maximised before it is shown
    qtbot.waitExposed(first)
    first.workspaces.switch("Explore")
    first.docks["Filters"].close()
    first.files.ask_unsaved = lambda: "discard"
    first.close()

    w = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat), probe_device=False)
    qtbot.addWidget(w)
    try:
        assert w.workspaces.current == "Explore" and w.windowState() & Qt.WindowState.WindowMaximized
        assert w.docks["Filters"].isHidden() and not w.docks["Feature maps"].isHidden()
        w.show()
        qtbot.waitExposed(w)
        assert w.windowState() & Qt.WindowState.WindowMaximized
        assert w.size().toTuple() == first.size().toTuple()
        dock = w.docks["Feature maps"]
        before = dock.height()
        w.resizeDocks([dock], [before - 120], Qt.Orientation.Vertical)
        QApplication.processEvents()
        assert dock.height() <= before - 100
        for name in ("Train", "Build", "Explore"):
            w.workspaces.switch(name)
        assert w.docks["Filters"].isHidden() and not w.docks["Feature maps"].isHidden()
    finally:
        w.files.ask_unsaved = lambda: "discard"
        w.close()
