"""The window closed, the app quitting, or the design replaced (a lesson, a recovery: clicks are excluded) while
the GUI thread waits in a nested event loop for the workbench: Save waiting for the trained weights to be
written (``DesignLink.write_weights``), Fit and Train waiting to learn which layers hold random weights
(``LockedRandom.ask``). The close waits for the end of the wait and then happens; nothing of the old design is
written into the one that replaced it, and what was being saved is saved whole."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import QTimer

pytestmark = pytest.mark.gui


@pytest.fixture
def tc(window, qtbot):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    controller = window.training
    qtbot.waitUntil(lambda: controller.wb.ready is not None, timeout=30_000)
    qtbot.waitUntil(lambda: controller.panel.dataset_info.text() != "", timeout=30_000)
    yield controller
    window.explore.shutdown()
    controller.shutdown()
    torch.set_num_threads(threads)


@pytest.fixture
def app_loop(qapp):
    """Run ``start`` inside ``app.exec()`` (``quit`` does nothing outside it) and return its exit code; a
    safety timer ends a hang. Afterwards the application's loops run again (for the next tests)."""
    def run(start) -> int:
        QTimer.singleShot(0, start)
        safety = QTimer()
        safety.setSingleShot(True)
        safety.timeout.connect(lambda: qapp.exit(99))
        safety.start(60_000)
        try:
            return qapp.exec()
        finally:
            safety.stop()
            QTimer.singleShot(0, lambda: qapp.exit(0))  # (an exec that ends at once clears a quit left pending)
            qapp.exec()
    return run


def _trained(window, tc, qtbot, tmp_path) -> None:
    """Weights for every layer, loaded from a file of the same network: the design has weights to save."""
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    ex = window.explore
    save_weights(compile_design(window.document.snapshot()), tmp_path / "a.safetensors")
    ex.results.pop("load", None)
    ex.load_weights(str(tmp_path / "a.safetensors"))
    qtbot.waitUntil(lambda: "load" in ex.results and not tc.wb.busy, timeout=30_000)
    assert tc.wb.has_weights and window.document.is_modified


def _slow(monkeypatch, name: str, seconds: float) -> None:
    """The workbench's ``ModelHost.<name>`` (run on its executor thread) takes ``seconds`` longer."""
    from netbuilder.workbench.host import ModelHost

    original = getattr(ModelHost, name)

    def slow(self, *a, **k):
        time.sleep(seconds)
        return original(self, *a, **k)

    monkeypatch.setattr(ModelHost, name, slow)


def _locked_misfit(window, tc, qtbot, tmp_path, monkeypatch) -> None:
    """Weights loaded, all but the head locked, a dataset the design does not fit (Fit would leave dense_1,
    locked, with random weights: it unlocks it once the workbench says so), and that answer slow."""
    _trained(window, tc, qtbot, tmp_path)
    window.explore.transfer.freeze_all_but_head()
    assert window.document.frozen == ["conv2d_1", "dense_1"]
    tc._dataset_chosen("shapes")  # 1×28×28 images, 6 classes: dense_1's input grows, the head shrinks
    qtbot.waitUntil(lambda: tc.wb.dataset is not None and tc.wb.dataset["name"] == "shapes", timeout=30_000)
    qtbot.waitUntil(lambda: not tc.wb.busy, timeout=30_000)
    _slow(monkeypatch, "fresh_layers", 1.5)


def _saved(path) -> dict:
    return json.loads(path.read_text())


# ----- Save waits for the weights ----------------------------------------------------------------------
def _closer(window, qapp, how: str):
    """File ▸ Quit (``window.close``), the window manager's close (the platform's close event, as the title
    bar's button sends it) or the app quitting (``QApplication.quit``: Ctrl+C in the terminal)."""
    return {"close": window.close, "manager": lambda: window.windowHandle().close(), "quit": qapp.quit}[how]


@pytest.mark.parametrize("how", ["close", "manager", "quit"])
def test_a_close_or_quit_while_save_waits_for_slow_weights_waits_then_closes(window, tc, qtbot, tmp_path,
                                                                             monkeypatch, app_loop, qapp, how):
    _trained(window, tc, qtbot, tmp_path)
    _slow(monkeypatch, "save_weights", 1.5)
    errors, result = [], []
    window.files.show_error = lambda *a: errors.append(a)
    path = tmp_path / "c.nbd"

    def save():
        QTimer.singleShot(200, _closer(window, qapp, how))  # during the wait
        result.append(window.files.save_to(path))
        result.append(window.isVisible())

    if how != "quit":
        save()
    else:
        assert app_loop(save) == 0  # the app quits once the save has ended
    assert result == [True, True] and errors == []  # saved whole, and only then closed
    assert _saved(path)["weights"] == "c.safetensors" and (tmp_path / "c.safetensors").is_file()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=15_000)
    assert not window.document.is_modified


@pytest.mark.parametrize("how", ["new", "lesson"])
def test_a_design_replaced_while_save_waits_is_left_alone_and_the_saved_one_is_whole(window, tc, qtbot, tmp_path,
                                                                                     monkeypatch, how):
    from netbuilder.ui.files import blank_design

    doc = window.document
    _trained(window, tc, qtbot, tmp_path)
    _slow(monkeypatch, "save_weights", 1.5)
    errors = []
    window.files.show_error = lambda *a: errors.append(a)
    replace = window.files.new_design if how == "new" else lambda: window.set_design(blank_design())
    QTimer.singleShot(200, replace)  # (File ▸ New answered "discard"; a lesson's step)
    path = tmp_path / "c.nbd"
    assert window.files.save_to(path) and errors == []
    saved = _saved(path)  # the design being saved, with its weights: not the one opened meanwhile
    assert {n["id"] for n in saved["nodes"]} >= {"conv2d_1", "dense_1", "dense_2"}
    assert saved["weights"] == "c.safetensors" and (tmp_path / "c.safetensors").is_file()
    assert sorted(doc.graph.nodes) == ["input_1", "output_1"]  # the new design: untouched, not saved as c.nbd
    assert doc.path is None and doc.design.weights is None


# ----- Fit (and Train) wait to learn which layers hold random weights ----------------------------------------
@pytest.mark.parametrize("how", ["close", "manager"])
def test_a_close_while_fit_waits_waits_for_the_fit_then_closes(window, tc, qtbot, qapp, tmp_path, monkeypatch, how):
    doc = window.document
    _locked_misfit(window, tc, qtbot, tmp_path, monkeypatch)
    asked = []
    window.files.ask_unsaved = lambda: asked.append(1) or "discard"
    QTimer.singleShot(200, _closer(window, qapp, how))
    start = time.monotonic()
    assert tc.link.fit_design()
    assert time.monotonic() - start < 4.5  # answered, not given up on (LOCK_WAIT_S)
    assert window.isVisible() and doc.frozen == ["conv2d_1"]  # fitted whole: dense_1 unlocked
    assert doc.graph.node("dense_2").params["units"] == 6
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=15_000)
    assert asked == [1]  # then the close, asking about the fitted design


def test_the_app_quitting_while_fit_waits_waits_for_the_fit(window, tc, qtbot, tmp_path, monkeypatch, app_loop,
                                                            qapp):
    doc = window.document
    _locked_misfit(window, tc, qtbot, tmp_path, monkeypatch)
    result = []

    def fit():
        QTimer.singleShot(200, qapp.quit)
        result.append(tc.link.fit_design())
        result.append(window.isVisible())

    assert app_loop(fit) == 0
    assert result == [True, True] and doc.frozen == ["conv2d_1"]
    assert not window.isVisible()


@pytest.mark.parametrize("how", ["new", "lesson"])
def test_a_design_replaced_while_fit_waits_is_not_fitted(window, tc, qtbot, tmp_path, monkeypatch, example, how):
    doc = window.document
    _locked_misfit(window, tc, qtbot, tmp_path, monkeypatch)
    replace = (lambda: window.files.new_design(example)) if how == "new" else lambda: window.set_design(example)
    QTimer.singleShot(200, replace)  # the same network again: the same node ids
    assert not tc.link.fit_design()
    assert doc.graph.node("dense_2").params["units"] == 10 and doc.undo_stack.count() == 0
    assert doc.frozen == [] and not doc.is_modified
    assert "another design was opened" in window.statusBar().currentMessage()


def test_a_design_replaced_while_train_waits_does_not_start_a_run(window, tc, qtbot, tmp_path, monkeypatch,
                                                                 example):
    _trained(window, tc, qtbot, tmp_path)
    window.explore.transfer.freeze_all_but_head()
    qtbot.waitUntil(lambda: not tc.wb.busy, timeout=30_000)
    _slow(monkeypatch, "fresh_layers", 1.5)
    window.document.set_param("dense_1", "units", 16)  # dense_1, locked, would hold random weights
    QTimer.singleShot(200, lambda: window.set_design(example))
    assert not tc.train()
    assert not tc.running and window.document.undo_stack.count() == 0
