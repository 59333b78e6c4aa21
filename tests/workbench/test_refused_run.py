"""A run refused before its first step (its batch does not fit the free memory) trains nothing: the model's
weights are still called what they were (fresh), not "trained weights"."""

from netbuilder.workbench import events as ev


def test_a_run_refused_for_memory_leaves_fresh_weights_fresh(session, monkeypatch):
    from netbuilder.training import memory

    monkeypatch.setattr(memory, "REFUSE_ABOVE", 1e-9)  # as a batch far too large for the free memory
    started, message, _ = session.wb.train({"epochs": 1, "batch_size": 16})
    assert started, message
    end = session.pump(lambda e: isinstance(e, ev.RunEnded))
    assert end.outcome.kind == "fault" and "memory" in end.outcome.message
    ticket = session.wb.compute("probe", lambda model, data: {"x": 1})
    answer = session.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == ticket)
    assert not answer.trained and answer.source == "untrained weights"
    assert not session.wb.has_weights


def test_a_run_stopped_before_its_first_step_leaves_the_weights_as_they_were(session, monkeypatch):
    """Stop pressed before the first batch: the engine finishes with no step; the weights are not "trained
    weights" (nothing to save, no trained model for the lessons), and the Finished event says 0 steps."""
    import threading

    from netbuilder.workbench.host import ModelHost

    stopped = threading.Event()
    training_on = ModelHost.training_on

    def held(self, data):  # the run waits here, before its first batch, until Stop was pressed
        training_on(self, data)
        assert stopped.wait(30)
    monkeypatch.setattr(ModelHost, "training_on", held)
    started, message, _ = session.wb.train({"epochs": 2, "batch_size": 16})
    assert started, message
    session.wb.stop()
    stopped.set()
    end = session.pump(lambda e: isinstance(e, ev.RunEnded))
    assert end.outcome.kind == "finished" and end.outcome.reason == "stopped" and end.outcome.steps == 0
    assert not session.wb.has_weights
    ticket = session.wb.compute("probe", lambda model, data: {"x": 1})
    answer = session.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == ticket)
    assert not answer.trained and answer.source == "untrained weights"

    monkeypatch.setattr(ModelHost, "training_on", training_on)  # a whole run: its steps are counted
    started, message, _ = session.wb.train({"epochs": 1, "batch_size": 64})
    assert started, message
    end = session.pump(lambda e: isinstance(e, ev.RunEnded) and e.run == 2)
    assert end.outcome.kind == "finished" and end.outcome.epochs == 1 and end.outcome.steps == -(-1257 // 64)
    assert session.wb.has_weights
