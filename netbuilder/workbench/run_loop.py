"""One training run on the executor's thread (``Workbench.train`` starts it): the model of the design built
(keeping the trained weights that fit), the engine's events batched to the window, the views' questions
answered between two steps (``LiveQuestions``), and the run's outcome.

Step events reach the window in batches about 10 times a second (what the eye follows; the plots redraw no
faster within the window's drawing budget); every other event (an epoch, a pause, the end) at once.

Qt-free; imports torch (through training) only inside ``train_run``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from netbuilder.graph import Design
from netbuilder.workbench import events as ev
from netbuilder.workbench.executor import TaskContext, message_for
from netbuilder.workbench.host import ModelHost, describe_data
from netbuilder.workbench.live import LiveQuestions

FLUSH_SECONDS = 0.1
AUTOSAVE_SECONDS = 30.0  # a run writes its weights for the window's autosave at most this often (at an epoch's end)


def untouched(outcome: Any) -> bool:
    """A run that finished without a single step (stopped before its first batch): its weights are as
    they were before it."""
    return getattr(outcome, "kind", "") == "finished" and getattr(outcome, "steps", 1) == 0


def train_run(ctx: TaskContext, host: ModelHost, live: LiveQuestions, post: Callable[[ev.Event], None], run: int,
              design: Design, spec: dict, settings: dict, control, autosave: Callable[[], None] | None = None) -> Any:
    """Train run ``run`` of ``design`` on the dataset of ``spec``; its outcome (the engine's Finished or Fault
    event, a set-up Fault, or None when cancelled before it started). ``autosave``: writes the weights as
    they are, called at the end of an epoch once ``AUTOSAVE_SECONDS`` have passed since the run started or
    it last wrote them (a long run that crashes keeps what it learnt up to then)."""
    from netbuilder.training import TrainConfig, train
    from netbuilder.training.events import Fault, Predictions, Response

    try:
        data = host.ensure_data(spec)
        config = TrainConfig.from_dict(settings)
        built = host.build(design, seed=config.seed)
        data = host.seen(data)  # trained weights go on learning with the normalisation they learnt with
    except Exception as e:  # noqa: BLE001  (a set-up failure is the run's outcome, in one line)
        text, unexpected = message_for(e, "preparing a training run")
        advice = ("this looks like a bug; the details are in the log" if unexpected
                  else "fix the design or the training settings, then press Train again")
        return Fault("setup", text, advice, 0, 0)
    if ctx.cancelled:
        return None
    post(ev.RunPrepared(run, built["kept"], built["fresh"], describe_data(data), config.to_dict()))
    before = host.weights_state()  # (given back should the run fail before its first step: nothing trained)
    host.training_on(data)  # from now on the weights go with this data's preprocessing
    stepped = False
    pending: list[Any] = []
    last = saved = time.perf_counter()
    outcome = None
    events = train(host.model, data, config, control)
    try:
        for event in events:
            if ctx.cancelled:
                break
            if isinstance(event, Response):
                answer = live.answer(event)
                if answer is not None:
                    post(answer)
                live.ask_waiting(control)  # the next question of that view may go now
                continue
            if isinstance(event, Predictions):  # the epoch's own evaluation, for the Evaluation view
                answer = live.predictions(data, event)
                if answer is not None:
                    post(answer)
                continue
            live.ask_waiting(control)
            stepped = stepped or event.kind == "step"
            if autosave is not None and event.kind == "epoch" and time.perf_counter() - saved >= AUTOSAVE_SECONDS:
                autosave()
                saved = time.perf_counter()
            if event.kind in ("finished", "fault"):
                outcome = event
            pending.append(event)
            now = time.perf_counter()
            if event.kind != "step" or now - last >= FLUSH_SECONDS:
                post(ev.RunEvents(run, pending))
                pending, last = [], now
    finally:
        events.close()
        if pending:
            post(ev.RunEvents(run, pending))
    if getattr(outcome, "fault", "") == "data":  # a file gone or broken: the next run reads the folder again
        host.data = None
    if outcome is not None and getattr(outcome, "fault", "") == "nan":
        host.trained, host.source = False, "untrained weights"
    elif not stepped and getattr(outcome, "kind", "") == "fault" or untouched(outcome):
        host.give_back(before)  # refused before its first step (memory), or stopped before it: nothing trained
    else:
        host.source = "trained weights"
    return outcome
