"""Another design opened while a run trains (File ▸ Open, New, a preset, a lesson's example): the run is
stopped and nothing of it reaches the design now open: no "trained weights" step, no weights, no run in
its curves or its runs file, no question about changed weights. The events are delivered in the order
that broke it: the run is over on the executor (or still stopping) when the design is replaced, and its
last events reach the window only afterwards."""

from __future__ import annotations

import pytest

from netbuilder.io import save_design

pytestmark = pytest.mark.gui


def replace_design(window, how: str, tmp_path):
    """Replace the open design the way a student would; returns the new file's path (or None)."""
    from netbuilder.presets import build_preset
    from netbuilder.ui.app import build_digits_cnn
    from netbuilder.ui.main_window import with_layout

    if how == "open":  # the same network, saved: weights of the old run would even fit it
        path = tmp_path / "other.nbd"
        save_design(with_layout(build_digits_cnn()), path)
        assert window.files.open_path(path)
        return path
    if how == "new":
        assert window.files.new_design()
    elif how == "preset":
        window.set_design(build_preset("lenet5"))
    elif how == "lesson":  # Show me opening the lesson's example (the same network again)
        assert window.lessons.driver.perform([{"do": "open_design", "example": "digits_cnn"}])
    return None


def assert_untouched(window, trainer, path) -> None:
    doc, wb = window.document, trainer.wb
    assert not doc.is_modified, doc.undo_stack.undoText()
    assert doc.design.weights is None
    assert not wb.has_weights and wb.weights_signature is None and not wb.weights_current
    assert trainer.run.finished is None and trainer.curves.all_runs() == []
    assert "changed since it was trained" not in trainer.panel.messages.label.text()
    assert wb.wait_idle(30)
    assert not wb.host.trained  # (the executor is idle: the host may be read here) the old model is gone
    if path is not None:
        assert not path.with_suffix(".runs.json").exists()
        assert not path.with_suffix(".safetensors").exists()


@pytest.mark.parametrize("how", ["open", "new", "preset", "lesson"])
def test_a_run_over_before_its_end_arrives_leaves_the_new_design_untrained(window, trainer, qtbot, tmp_path,
                                                                             how):
    finished = []
    trainer.run_finished.connect(finished.append)
    assert trainer.train()
    # The GUI thread does not turn: the run trains to its end on the executor and every event it posted
    # (RunPrepared, the steps, Finished, RunEnded) waits in the queue while the design is replaced.
    assert trainer.wb.wait_idle(60)
    assert trainer.running  # the window has not heard the run end
    path = replace_design(window, how, tmp_path)
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)
    assert_untouched(window, trainer, path)
    assert finished == []  # no lesson or view takes the old run's outcome for the new design's


def test_a_run_stopped_by_opening_a_design_leaves_it_untrained(window, trainer, qtbot, tmp_path):
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    path = replace_design(window, "open", tmp_path)
    assert trainer.state == "stopping"
    assert "the run of the previous one was stopped" in trainer.panel.messages.label.text()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)
    assert_untouched(window, trainer, path)


def test_show_me_training_the_example_it_opened_under_a_run_trains_once_that_run_stopped(window, trainer, qtbot):
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    driver = window.lessons.driver
    assert driver.perform([{"do": "open_design", "example": "digits_cnn"}, {"do": "start_training", "epochs": 1}])
    assert trainer.state == "stopping" and driver.waiting  # the old run first stops
    qtbot.waitUntil(lambda: not driver.waiting and trainer.state == "idle" and trainer.run.finished is not None,
                    timeout=60_000)
    assert trainer.curves.all_runs() and window.workbench.weights_current  # the example's own run
