"""A run refused before it began (its batch does not fit the free memory) reads as such on the panel, not as
a run stopped by a problem, and leaves no empty "run 1" in the run list: the next run is run 1."""

import pytest

pytestmark = pytest.mark.gui


def test_a_refused_run_says_it_did_not_start_and_leaves_no_run(trainer, run_to_end, monkeypatch):
    from netbuilder.training import memory

    monkeypatch.setattr(memory, "REFUSE_ABOVE", 1e-9)  # as a batch far too large for the free memory
    outcome = run_to_end(trainer)
    assert outcome["kind"] == "fault"
    bar = trainer.panel.messages
    assert bar.label.text().startswith("Cannot train: training at a batch of") and "stopped" not in bar.label.text()
    assert trainer.panel.progress_label.text().startswith("Training did not start")
    assert trainer.curves.all_runs() == [] and trainer.curves.run is None
    monkeypatch.setattr(memory, "REFUSE_ABOVE", float("inf"))
    assert run_to_end(trainer)["kind"] == "finished"
    assert trainer.curves.run.name == "run 1"
