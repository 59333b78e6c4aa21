"""The views' questions during a training run: answered by the training loop itself between two steps,
on the model being trained, within a budget of the run's time (``LiveQuestions``, owned by the Workbench).

No copy of the model is made: ``grads_kept`` puts the training's gradients back and the introspection
restores every layer's mode. One question per view is in flight; a newer one waits for it, and a
*periodic* one (a live view refreshing itself) also waits while the run's ``ViewBudget`` is spent. What a
student asks for is never held back. The Evaluation view may instead take each epoch's own validation
pass (``Control.keep_predictions``).

The questions are asked of the running model only while it is the design's network: once the design's
structure moves away from the network being trained (an edit or an Undo during the run), a question is answered
at once with ``OUTDATED`` (for the design's revision) and the views that show an answer computed on a network
of another structure are told so too (``outdate``): nothing of the old network is shown as the design's.
Answers carry the revision they were asked at, which is then the running model's own (rule 10: the workbench
marks them stale when the design has moved on when they arrive). Qt-free; torch only through the run's
``Control``.
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
OUTDATED = ("The design has changed since this run started, and the network being trained keeps the structure it "
            "started with: this view shows the design as it is now when the run ends (Undo the change to watch "
            "the run again).")


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
        self.requests: dict[int, tuple[str, int, int, bool]] = {}  # request id -> view, ticket, revision, model
        self.waiting: dict[str, tuple[Job, int, int, bool, bool]] = {}  # questions not yet asked, by view
        self.budget = ViewBudget()
        self.keep_predictions = 0  # > 0: each epoch's own validation pass answers the Evaluation view
        self.run_signature: tuple | None = None  # the structure of the network being trained
        self.revision, self.signature = 0, None  # the design's (``follow``)
        self.shown: dict[str, int] = {}  # view -> the revision of the model's answer it shows (``showing``)
        self.foreign = False  # the run trains a design replaced since (``design_replaced``): it answers no one

    @property
    def pending(self) -> bool:
        """A question waits to be asked or for its answer."""
        return bool(self.requests) or bool(self.waiting)

    def start(self, control, revision: int = 0, signature: tuple | None = None) -> None:
        """A run begins with ``control``, training the design of ``revision`` (its structure: ``signature``):
        a fresh budget, no questions."""
        with self.lock:
            self.control, self.budget, self.requests, self.waiting = control, ViewBudget(), {}, {}
            self.run_signature, self.revision, self.signature = signature, revision, signature
            self.foreign = False
        control.keep_predictions = self.keep_predictions

    @property
    def outdated(self) -> bool:
        """A run trains a network whose structure is no longer the design's (edited since it started)."""
        return self.control is not None and self.signature != self.run_signature

    def follow(self, revision: int, signature: tuple | None) -> None:
        """The design is at ``revision`` now (GUI thread)."""
        with self.lock:
            self.revision, self.signature = revision, signature

    def showing(self, event: ev.ViewResult) -> None:
        """``event`` reaches its view as current (GUI thread): a model's answer is kept in mind (``outdate``)."""
        if event.value is not None and event.source:
            self.shown[event.view] = event.revision
        else:
            self.shown.pop(event.view, None)

    def design_replaced(self) -> None:
        """Another design was opened: no view shows an answer of the previous one's networks, and a run of it
        still stopping answers no one (not even with the evaluation of its epochs)."""
        self.shown.clear()
        with self.lock:
            self.foreign = True

    def outdate(self) -> list[ev.ViewResult]:
        """The design's structure moved away from the running network's: ``OUTDATED`` for each view that
        shows a model's answer of another revision or waits for one (the questions waiting are not asked:
        the network would answer for a structure the design no longer has)."""
        with self.lock:
            revision = self.revision
            views = {v for v, r in self.shown.items() if r != revision}
            views |= {v for v, q in self.waiting.items() if q[4]} | {a[0] for a in self.requests.values() if a[3]}
            self.waiting = {v: q for v, q in self.waiting.items() if not q[4]}
        for view in views:
            self.shown.pop(view, None)
        from netbuilder.workbench.executor import next_ticket

        return [ev.ViewResult(view, next_ticket(), revision, message=OUTDATED) for view in sorted(views)]

    def end(self) -> None:
        with self.lock:
            self.control = None
            self.requests.clear()
            self.waiting.clear()

    def ask(self, view: str, job: Job, ticket: int, revision: int, periodic: bool, needs_model: bool = True) -> None:
        """A view's question during the run (``periodic``: the view refreshing itself; ``needs_model``: it
        asks the network, else only the data)."""
        with self.lock:
            if self.control is not None:
                self.waiting[view] = (job, ticket, revision, periodic, needs_model)
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
        busy = {asked[0] for asked in self.requests.values()}
        for view in [v for v in self.waiting if v not in busy]:
            job, ticket, revision, periodic, needs_model = self.waiting[view]
            if periodic and not self.budget.allows():
                continue
            del self.waiting[view]
            self._hand_over(control, view, job, ticket, revision, needs_model)

    def _hand_over(self, control, view: str, job: Job, ticket: int, revision: int, needs_model: bool) -> None:
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
        self.requests[control.request("call", call)] = (view, ticket, revision, needs_model)

    def answer(self, response) -> ev.ViewResult | None:
        """A run's Response event, as the ViewResult of the view that asked."""
        with self.lock:
            asked = self.requests.pop(response.request_id, None)
        if asked is None:
            return None
        view, ticket, revision, needs_model = asked
        if response.error is not None or not isinstance(response.data, dict):
            return ev.ViewResult(view, ticket, revision, message=response.error or "no answer")
        if "error" in response.data:
            return ev.ViewResult(view, ticket, revision, message=str(response.data["error"]))
        if not needs_model:  # (the data's answer: no network's, as when no run trains)
            return ev.ViewResult(view, ticket, revision, value=response.data)
        return ev.ViewResult(view, ticket, revision, value=response.data, trained=True, source=LIVE_SOURCE)

    def watch_evaluation(self, on: bool) -> None:
        """While runs train, give the Evaluation view (validation split) the probabilities each epoch's own
        evaluation computes anyway: no second pass over the data, and no question to wait for the budget."""
        from netbuilder.workbench.views import MAX_EVAL_IMAGES

        self.keep_predictions = MAX_EVAL_IMAGES if on else 0
        control = self.control
        if control is not None:
            control.keep_predictions = self.keep_predictions

    def predictions(self, data, event) -> ev.ViewResult | None:
        """The epoch's own validation pass (a ``Predictions`` event) as the Evaluation view's result, for the
        design's revision while the network being trained is the design's (else ``OUTDATED``); None for a run
        of a design replaced since."""
        from netbuilder.workbench.executor import next_ticket
        from netbuilder.workbench.views import evaluation_value

        with self.lock:
            revision, outdated, foreign = self.revision, self.signature != self.run_signature, self.foreign
        if foreign:
            return None
        if outdated:
            return ev.ViewResult("evaluation", next_ticket(), revision, message=OUTDATED)
        value = evaluation_value(data, event.split, event.probs, event.labels)
        return ev.ViewResult("evaluation", next_ticket(), revision, value=value, trained=True, source=LIVE_SOURCE)
