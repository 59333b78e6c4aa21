"""Fixtures for the window tests: offscreen Qt, a private QSettings file and data folder, a main
window with the digits example, and a check that fails any test leaving a QThread running."""

from __future__ import annotations

import pytest

from netbuilder.graph import Design


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_gui_thread(request):
    """As the app does (ui.app.collect_garbage_on_gui_thread): no automatic collection while a Qt test
    runs, so a worker thread never destroys Qt objects; collect on this (the GUI) thread after it."""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture(autouse=True)
def _fail_on_running_qthreads(request, monkeypatch):
    """As napari does: remember every QThread started during the test; fail if one still runs.
    (Pure tests, which use no Qt fixture, are left alone and import no Qt.)"""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    from PySide6.QtCore import QThread

    started: list = []
    original = QThread.start

    def start(self, *args, **kwargs):
        started.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", start)
    yield
    running = []
    for thread in started:
        try:
            if thread.isRunning():
                running.append(type(thread).__name__)
        except RuntimeError:  # the C++ object is gone: it is not running
            pass
    if running:
        pytest.fail(f"the test left QThreads running: {', '.join(running)}")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "userdata"
    monkeypatch.setenv("NETBUILDER_DATA_DIR", str(path))
    return path


@pytest.fixture
def settings(tmp_path, qapp):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def example() -> Design:
    from netbuilder.ui.app import build_digits_cnn

    return build_digits_cnn()


@pytest.fixture
def window(qtbot, settings, data_dir, example):
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(settings=settings, probe_device=False)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.set_design(example)
    w.show()
    qtbot.waitExposed(w)
    w.view.fit()
    w.files.ask_unsaved = lambda: "discard"
    w.files.ask_stop_training = lambda: True
    yield w
    w.files.ask_unsaved = lambda: "discard"
    w.files.ask_stop_training = lambda: True
    w.close()
    import threading

    left = [t.name for t in threading.enumerate() if t.name == "netbuilder-torch" and t.is_alive()
            and t is w.workbench.executor._thread]
    assert not left, "closing the window must end the workbench's executor thread"


@pytest.fixture
def doc(window):
    return window.document
