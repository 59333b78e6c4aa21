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
