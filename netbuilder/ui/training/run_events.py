"""One run as the window sees it: the engine's events (typed dataclasses of plain values, from the
workbench) turned into view data, progress (epoch, ETA, samples/s), setting changes marked on the
curves, faults shown as messages, and what happens when the run ends. GUI thread only; cheap per event
(views redraw on the timer).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from netbuilder.ui.training.settings import (
    describe_change,
    format_duration,
    format_eta,
    format_rate,
    live_changes,
)
from netbuilder.workbench import events as wev

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController

STOPPED = "Training stopped"


def fault_line(message: str) -> str:
    """``Training stopped: …`` once: a message that already starts with "training stopped" (the engine's
    "training stopped at epoch 3, step 40: …") is not given the prefix again."""
    text = str(message).strip()
    if text.lower().startswith(STOPPED.lower()):
        return STOPPED + text[len(STOPPED):]
    return f"{STOPPED}: {text}"


class RunEvents:
    def __init__(self, controller: TrainingController) -> None:
        self.c = controller
        self.count = 0
        self.settings: dict[str, Any] = {}
        self.started: dict[str, Any] | None = None
        self.last_step: dict[str, Any] | None = None
        self.finished: dict[str, Any] | None = None
        self.fault: dict[str, Any] | None = None
        self.t0 = 0.0
        self.cut_short = False  # the run's last epoch was cut short by a stop (not a whole epoch)
        self.progress_dirty = False
        self.state_text = ""

    def begin(self, settings: dict[str, Any]) -> None:
        self.count += 1
        self.settings = dict(settings)
        self.started = self.last_step = self.finished = self.fault = None
        self.cut_short = False
        self.t0 = time.perf_counter()
        self.state_text = "Preparing: compiling the design and loading the dataset…"
        self.progress_dirty = True
        self.c.panel.progress.setValue(0)

    def live_changes(self, settings: dict[str, Any]) -> dict[str, Any]:
        return live_changes(self.settings, settings)

    # ----- events in ------------------------------------------------------------------------------
    def handle(self, events: list[Any]) -> None:
        steps: list[dict[str, Any]] = []
        for ev in events:
            kind = ev.kind
            if kind == "step":
                steps.append(ev.to_dict())
                continue
            if steps:
                self._steps(steps)
                steps = []
            handler = getattr(self, f"_on_{kind}", None)
            if handler is not None:
                handler(ev)
        if steps:
            self._steps(steps)

    def _steps(self, steps: list[dict[str, Any]]) -> None:
        epochs = self.started["epochs"] if self.started else self.settings.get("epochs", 1)
        self.c.curves.add_steps(steps, epochs)
        self.last_step = steps[-1]
        self.progress_dirty = True

    def prepared(self, ev: wev.RunPrepared) -> None:
        c = self.c
        c.panel.show_dataset(ev.data)
        c.features.set_dataset(ev.data)
        c.boundary.set_points(ev.data.get("points") if ev.data["input_shape"] == [2] else None)
        self.settings = dict(ev.settings)
        # named after the design's runs ("run N"), with the data it trains on (the legend names another one)
        c.curves.start_run(None, {**self.settings, "dataset": str(ev.data.get("name") or "")},
                           continued=not ev.fresh and bool(ev.kept))
        c.curves.training = True
        if not ev.fresh and ev.kept:
            c.status(f"Training continues from the trained weights of {len(ev.kept)} layers")

    def _on_started(self, ev: Any) -> None:
        self.started = ev.to_dict()
        self.c.curves.set_epochs(ev.epochs)
        self.t0 = time.perf_counter()
        self.c.panel.device_label.setText(f"device: {ev.device_name}")
        self.state_text = (f"Training {ev.parameters:,} parameters on {ev.train_size:,} samples, "
                           f"{ev.steps_per_epoch} steps per epoch")
        self.progress_dirty = True
        self.c._set_state("training")

    def _on_notice(self, ev: Any) -> None:
        """How the run trains: the GPU's captured steps (named beside the device), or why it cannot."""
        c = self.c
        if ev.fast_path and self.started:
            c.panel.device_label.setText(f"device: {self.started['device_name']} · CUDA graph")
        text = ev.message[:1].upper() + ev.message[1:]
        if ev.fast_path:
            c.status(text)
        else:
            c.show_message(text, "info")

    def _on_epoch(self, ev: Any) -> None:
        self.cut_short = not getattr(ev, "complete", True)
        self.c.curves.add_epoch(ev.to_dict())
        self.c.epoch_done(ev)

    def _on_state(self, ev: Any) -> None:
        c = self.c
        if ev.state == "paused" and c.state == "stopping":  # (paused just before Stop was pressed: it stops)
            pass
        elif ev.state == "paused":
            c._set_state("paused")
            self.state_text = f"Paused at epoch {ev.epoch + 1}, step {ev.step}: change the learning rate, " \
                              "batch size or optimiser, then resume"
        elif ev.state in ("resumed", "updated"):
            if c.state not in ("stopping", "pausing"):
                c._set_state("training")
            self.state_text = "Training"
        applied = ev.applied or {}
        if applied:
            x = self._x()
            c.curves.mark(x, describe_change(self.settings, applied))
            self.settings.update(applied)
        self.progress_dirty = True

    def _on_fault(self, ev: Any) -> None:
        self.fault = ev
        began = self.started is not None  # (refused before it began: its batch does not fit the free memory)
        self.state_text = "Training stopped by a problem" if began else "Training did not start"
        self.progress_dirty = True
        advice = f" — {ev.advice}" if ev.advice else ""
        if ev.fault == "nan":  # the weights blew up with the loss: the next run starts afresh
            advice += " (the next run starts from fresh weights)"
        line = fault_line(ev.message) if began else f"Cannot train: {ev.message}"
        self.c.show_message(f"{line}{advice}", "error")
        curves = self.c.curves
        if not began and curves.run is not None and not curves.run.loss.n and not curves.run.val_loss.n:
            curves.training = False  # a run that never began leaves no empty "run N" in the list
            curves.delete_run(curves.run.number)

    def _on_finished(self, ev: Any) -> None:
        c = self.c
        self.finished = ev
        why = {"completed": "finished", "stopped": "stopped", "early_stopping": "stopped early (no progress)"}
        test = f", test accuracy {ev.test_accuracy:.1%}" if math.isfinite(ev.test_accuracy) else ""
        val = f": validation accuracy {ev.val_accuracy:.1%}" if math.isfinite(ev.val_accuracy) else ""
        whole = self.whole_epochs(ev)
        if ev.reason == "stopped" and whole < ev.epochs:  # stopped in the middle of an epoch: it is not done
            when = f"during epoch {ev.epochs} (after {whole} whole epoch{'s' * (whole != 1)})"
        else:
            when = f"after {ev.epochs} epoch{'s' * (ev.epochs != 1)}"
        self.state_text = f"Training {why.get(ev.reason, ev.reason)} {when} in {format_duration(ev.seconds)}{val}{test}"
        self.progress_dirty = True
        if ev.reason == "completed":
            c.panel.progress.setValue(1000)
        c.status(self.state_text)

    def whole_epochs(self, finished: Any) -> int:
        """The epochs the run trained to their end (``Finished.epochs`` counts one cut short by a stop)."""
        return max(0, int(finished.epochs) - (1 if self.cut_short else 0))

    def detach(self) -> None:
        """Another design was opened under the run: it stops, and nothing more of it reaches the views (the
        workbench settles its events for no one); the curves are the new design's."""
        self.started = self.last_step = self.finished = self.fault = None
        self.c.curves.training = False
        self.state_text = "Stopping the run of the previous design…"
        self.progress_dirty = True
        self.c.panel.progress.setValue(0)
        self._plain_device()

    def _plain_device(self) -> None:
        """The device label without what a run added to it (its captured steps: "· CUDA graph")."""
        label = self.c.panel.device_label
        label.setText(label.text().split(" · ")[0])

    def forget(self) -> None:
        """Another design was opened while no run goes: nothing of the last run stays on the panel (its
        outcome, epoch, ETA, full bar, the device's "CUDA graph" note): "Ready" over an empty bar."""
        self.started = self.last_step = self.finished = self.fault = None
        self.cut_short = False
        self.state_text, self.progress_dirty = "Ready", True
        self.c.panel.progress.setValue(0)
        self._plain_device()
        self.update_progress()  # at once (a hidden panel shows it when shown; no redraw needed)

    def ended(self, event: wev.RunEnded) -> None:
        """The run is over (after its last events): a set-up fault is shown here; the outcome goes out."""
        if event.replaced:  # the run of a design replaced since (detach): no outcome, for no one
            self.state_text, self.progress_dirty = "Ready", True
            return
        outcome = event.outcome
        if outcome is not None and outcome.kind == "fault" and self.fault is None:
            self._on_fault(outcome)
        summary = None
        if outcome is not None and hasattr(outcome, "to_dict"):
            summary = {k: v for k, v in outcome.to_dict().items() if isinstance(v, (str, int, float))}
            if getattr(outcome, "kind", "") == "finished":
                summary["whole_epochs"] = self.whole_epochs(outcome)
        self.c.curves.finish_run(summary)  # the run joins the design's runs (saved with the design)
        if outcome is not None:
            self.c.run_finished.emit(outcome)

    def waiting_for_step(self, what: str) -> None:
        """Pause or Stop was asked: said at once, as it is done only once the step under way has ended."""
        self.state_text = f"{what}: the step under way finishes first…"
        self.progress_dirty = True

    # ----- progress text (from the redraw timer) ------------------------------------------------------
    def _x(self) -> float:
        if self.last_step is None or self.started is None:
            return 0.0
        return float(self.last_step["progress"]) * self.started["epochs"]

    def update_progress(self) -> None:
        if not self.progress_dirty:
            return
        self.progress_dirty = False
        panel, s = self.c.panel, self.last_step
        text = self.state_text
        waiting = self.c.state in ("pausing", "stopping")
        if s is not None and self.started is not None and (waiting or self.c.state == "training"):
            p = float(s["progress"])
            panel.progress.setValue(int(p * 1000))
            elapsed = time.perf_counter() - self.t0
            eta = elapsed * (1 - p) / p if p > 0 else math.nan
            text = (f"epoch {s['epoch'] + 1}/{self.started['epochs']} · step {s['step']} · ETA {format_eta(eta)} · "
                    f"{format_rate(s['samples_per_second'])} · loss {s['loss']:.4f} · lr {s['lr']:.3g}")
            if waiting:  # (Pause or Stop heard: said before the numbers, which are the last step's)
                text = f"{self.state_text} · {text}"
        panel.progress_label.setText(text)
