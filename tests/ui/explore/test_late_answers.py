"""An explore view shows the answer to its latest question only: an answer to an older one (another
sample, class or layer) that arrives after a newer question was asked, or while a newer one waits out
its debounce, is dropped (it showed for a moment, and a test reading it saw the wrong image)."""

from __future__ import annotations

import pytest

from netbuilder.workbench import events as ev

pytestmark = pytest.mark.gui


def _answer(view: str, ticket: int, name: str) -> ev.ViewResult:
    return ev.ViewResult(view, ticket, 0, message=f"no answer for {name}")  # (a message: shown as it is)


def test_an_answer_to_an_older_question_is_dropped(window, explore, qtbot, monkeypatch):
    tickets = iter(range(1000, 2000))
    monkeypatch.setattr(explore.wb, "compute", lambda *a, **k: next(tickets))  # (questions asked, none run)
    explore._submit("adversarial")
    explore._submit("adversarial")  # tickets 1000, then 1001
    explore.on_event(_answer("adversarial", 1000, "sample 0"))
    assert "adversarial" not in explore.results
    explore.on_event(_answer("adversarial", 1001, "test image 43"))
    assert explore.results["adversarial"]["error"] == "no answer for test image 43"


def test_an_answer_arriving_while_a_newer_question_waits_its_debounce_is_dropped(window, explore, qtbot,
                                                                                   monkeypatch):
    tickets = iter(range(3000, 4000))
    monkeypatch.setattr(explore.wb, "compute", lambda *a, **k: next(tickets))
    explore._submit("adversarial")  # 3000, being computed
    explore.request("adversarial")  # a newer question, debounced: not asked yet
    explore.on_event(_answer("adversarial", 3000, "sample 0"))
    assert "adversarial" not in explore.results
    qtbot.waitUntil(lambda: not explore._timers["adversarial"].isActive())  # now asked: 3001
    explore.on_event(_answer("adversarial", 3001, "sample 5"))
    assert explore.results["adversarial"]["error"] == "no answer for sample 5"
    explore.on_event(_answer("explain", 2, "sample 1"))  # another view's answer: its own questions
    assert explore.results["explain"]["error"] == "no answer for sample 1"
