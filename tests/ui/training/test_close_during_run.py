"""Closing the window while a run trains: it asks to stop the run first (Cancel: the run goes on); the run's
end then reaches the design, so saving keeps the weights learnt so far and the run with its outcome."""

import pytest

pytestmark = pytest.mark.gui


def test_closing_during_a_run_and_saving_keeps_its_weights_and_its_end(window, trainer, qtbot, tmp_path):
    """Close while training, answer Stop, then Save: the design, the weights learnt so far and the run with
    its outcome are all on disk (the weights were put off until the run's end, which never came)."""
    import json

    files = window.files
    files.ask_save_path = lambda *a: str(tmp_path / "mine.nbd")
    assert files.save_as()
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    # (a run stopped before its first step is recorded leaves nothing in the runs file: it taught nothing)
    qtbot.waitUntil(lambda: trainer.state == "training" and trainer.run.last_step is not None, timeout=60_000)
    asked = []
    files.ask_stop_training = lambda: asked.append("stop") or True
    files.ask_unsaved = lambda: asked.append("save") or "save"
    window.close()
    assert asked == ["stop", "save"]
    assert (tmp_path / "mine.safetensors").exists()
    runs = json.loads((tmp_path / "mine.runs.json").read_text())
    assert runs["runs"][-1]["outcome"]["reason"] == "stopped"
    from netbuilder.io import load_design

    assert load_design(tmp_path / "mine.nbd").weights == "mine.safetensors"


def test_closing_during_a_run_can_be_cancelled_and_the_run_goes_on(window, trainer, qtbot):
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=60_000)
    window.files.ask_stop_training = lambda: False
    assert not window.close()
    assert trainer.state == "training"
    window.files.ask_stop_training = lambda: True
