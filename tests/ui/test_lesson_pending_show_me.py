"""A Show me whose training waits (PyTorch or the data still loading) belongs to its step: when the student
goes on to another step before it starts, the run is not started there, where it would tick the new step's
run checks ("You trained with MSE" for the cross-entropy run the previous step asked for)."""

from __future__ import annotations


def test_a_waiting_show_me_run_does_not_start_in_the_next_step(window, qtbot, monkeypatch):
    lc = window.lessons
    assert lc.open_lesson("softmax_loss")
    lc.go(1)  # "Train with cross-entropy"
    calls = []
    monkeypatch.setattr(window.training, "train_and_show", lambda: calls.append("train") or True)
    monkeypatch.setattr(window.training, "reset_weights", lambda: calls.append("reset"))
    monkeypatch.setattr(window.workbench, "ready", None)  # PyTorch still loading
    lc.show_me()
    assert lc.driver.waiting and calls == []
    lc.go(2)  # "Now mean squared error", before PyTorch is ready
    monkeypatch.setattr(window.workbench, "ready", object())
    monkeypatch.setattr(window.workbench, "dataset", {"name": "digits"})
    lc.driver._resume()  # (what Ready does)
    assert calls == []
    assert not lc.driver.waiting
    lc.show_me()  # the new step's own Show me trains
    assert calls == ["reset", "train"]
