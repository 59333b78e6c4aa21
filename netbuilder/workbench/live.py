"""The views' questions during a training run: answered by the training loop itself between two steps,
on the model being trained, within a budget of the run's time (``LiveQuestions``, owned by the Workbench).

No copy of the model is made: ``grads_kept`` puts the training's gradients back and the introspection
restores every layer's mode. One question per view is in flight; a newer one waits for it, and a
*periodic* one (a live view refreshing itself) also waits while the run's ``ViewBudget`` is spent. What a
student asks for is never held back. The Evaluation view may instead take each epoch's own validation
pass (``Control.keep_predictions``). Qt-free; torch only through the run's ``Control``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from netbuilder.workbench import events as ev
from netbuilder.workbench.executor import message_for
from netbuilder.workbench.host import grads_kept

Job = Callable[[Any, Any], dict]
VIEW_SHARE = 0.03  # the views' questions may take at most this share of a run's time (answered between steps)
VIEW_BURST = 0.1  # seconds of answering saved up, so the first answers of a run come at once
LIVE_SOURCE = "the model being trained (live)"


class ViewBudget:
    """How much of a training run the views' questions may take: a token bucket that fills at ``share``
    seconds per second of the run (up to ``burst``) and is charged what each answer cost on the training
    thread. A view that asks while the bucket is empty waits (its latest question is kept), so a costly
    view on a big model is answered less often, a cheap one on a small model often, and training keeps
    ``1 - share`` of its speed whatever is shown."""

    def __init__(self, share: float = VIEW_SHARE, burst: float = VIEW_BURST,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.share, self.burst, self.clock = share, burst, clock
        self.balance, self.at = burst, clock()
        self.spent = 0.0

    def _fill(self) -> None:
        now = self.clock()
        self.balance = min(self.burst, self.balance + (now - self.at) * self.share)
        self.at = now

    def allows(self) -> bool:
        self._fill()
        return self.balance > 0

    def charge(self, seconds: float) -> None:
        self._fill()
        self.balance -= seconds
        self.spent += seconds


class LiveQuestions:
    """The questions of one window's views while a run trains. ``ask`` and ``watch_evaluation`` are called
    on the GUI thread; ``ask_waiting`` and ``answer`` on the training (executor) thread, between events."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.control = None  # the running Control, or None
        self.requests: dict[int, tuple[str, int, int]] = {}  # control request id -> view, ticket, revision
        self.waiting: dict[str, tuple[Job, int, int, bool]] = {}  # questions not yet asked, by view
        self.budget = ViewBudget()
        self.keep_predictions = 0  # > 0: each epoch's own validation pass answers the Evaluation view

    @property
    def pending(self) -> bool:
        """A question waits to be asked or for its answer."""
        return bool(self.requests) or bool(self.waiting)

    def start(self, control) -> None:
        """A run begins with ``control``: a fresh budget, no questions."""
        with self.lock:
            self.control, self.budget, self.requests, self.waiting = control, ViewBudget(), {}, {}
        control.keep_predictions = self.keep_predictions

    def end(self) -> None:
        with self.lock:
            self.control = None
            self.requests.clear()
            self.waiting.clear()

    def ask(self, view: str, job: Job, ticket: int, revision: int, periodic: bool) -> None:
        """A view's question during the run (``periodic``: the view refreshing itself)."""
        with self.lock:
            if self.control is not None:
                self.waiting[view] = (job, ticket, revision, periodic)
                self._ask_ready(self.control)

    def ask_waiting(self, control) -> None:
        """The questions that waited (for their view's answer or for the budget), asked once they may go."""
        if not self.waiting:
            return
        with self.lock:
            if self.control is control:
                self._ask_ready(control)

    def _ask_ready(self, control) -> None:
        """Ask the waiting questions that may go now (``lock`` held)."""
        busy = {v for v, _, _ in self.requests.values()}
        for view in [v for v in self.waiting if v not in busy]:
            job, ticket, revision, periodic = self.waiting[view]
            if periodic and not self.budget.allows():
                continue
            del self.waiting[view]
            self._hand_over(control, view, job, ticket, revision)

    def _hand_over(self, control, view: str, job: Job, ticket: int, revision: int) -> None:
        """Give one question to the run's ``control`` (``lock`` held); its cost is charged to the budget."""
        budget = self.budget

        def call(model, data):
            start = time.perf_counter()
            try:
                with grads_kept(model):
                    return job(model, data)
            except Exception as e:  # noqa: BLE001  (answered as the view's message; the run goes on)
                return {"error": message_for(e, f"the {view} view during training")[0]}
            finally:
                with self.lock:
                    budget.charge(time.perf_counter() - start)
        self.requests[control.request("call", call)] = (view, ticket, revision)

    def answer(self, response) -> ev.ViewResult | None:
        """A run's Response event, as the ViewResult of the view that asked."""
        with self.lock:
            asked = self.requests.pop(response.request_id, None)
        if asked is None:
            return None
        view, ticket, revision = asked
        if response.error is not None or not isinstance(response.data, dict):
            return ev.ViewResult(view, ticket, revision, message=response.error or "no answer")
        if "error" in response.data:
            return ev.ViewResult(view, ticket, revision, message=str(response.data["error"]))
        return ev.ViewResult(view, ticket, revision, value=response.data, trained=True, source=LIVE_SOURCE)

    def watch_evaluation(self, on: bool) -> None:
        """While runs train, give the Evaluation view (validation split) the probabilities each epoch's own
        evaluation computes anyway: no second pass over the data, and no question to wait for the budget."""
        from netbuilder.workbench.views import MAX_EVAL_IMAGES

        self.keep_predictions = MAX_EVAL_IMAGES if on else 0
        control = self.control
        if control is not None:
            control.keep_predictions = self.keep_predictions

    def predictions(self, data, event, revision: int) -> ev.ViewResult:
        """The epoch's own validation pass (a ``Predictions`` event) as the Evaluation view's result."""
        from netbuilder.workbench.executor import next_ticket
        from netbuilder.workbench.views import evaluation_value

        value = evaluation_value(data, event.split, event.probs, event.labels)
        return ev.ViewResult("evaluation", next_ticket(), revision, value=value, trained=True, source=LIVE_SOURCE)
