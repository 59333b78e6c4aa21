"""The Workbench: the session the window shows, owned in one place and free of Qt.

It holds the design at its current revision, the dataset bound to it (a plain description once loaded),
the model and its weights tagged with the structure they were trained for (in ``ModelHost``, touched
only on the executor's thread), the history of runs, and the one ``Executor`` that runs all torch work.

Consistency is decided here, once: a model never runs on data it does not fit (the view gets one line
and Fit is offered), results carry the design revision they were computed for and are marked stale on
arrival when the design has moved on (during a run the views are answered by the network being trained only
while it is the design's: ``LiveQuestions``), a run of a design replaced since (``generation``) reaches no one
(its weights are not the open design's), and a design with nothing to train is refused before anything
starts. Views ask with ``compute(view, job)`` and receive a ``ViewResult`` of plain values.

All public methods are called on the GUI thread; ``post`` may be called from any thread (the Qt
adapter queues the events to the GUI thread, where ``accept`` settles them before the views see them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from netbuilder.graph import Design
from netbuilder.workbench import events as ev
from netbuilder.workbench.dataset_spec import check_dataset_spec
from netbuilder.workbench.executor import Cancelled, Executor, TaskContext, message_for, next_ticket
from netbuilder.workbench.fit import mismatch, structure_signature
from netbuilder.workbench.host import ModelHost, describe_data, grads_kept, prime_training, warm_up
from netbuilder.workbench.live import OUTDATED, Job, LiveQuestions
from netbuilder.workbench.run_loop import train_run, untouched

NOTHING_TO_TRAIN = "nothing to train: add a layer with weights (Dense, Conv2d …) between the input and the output"


@dataclass
class DesignState:
    """What the workbench knows of the design without torch (from the document's analysis)."""

    design: Design | None = None
    revision: int = 0
    problems: list[str] = field(default_factory=list)
    input_shape: list[int] | None = None
    classes: int | None = None
    parameters: int = 0
    signature: tuple | None = None


@dataclass
class RunRecord:
    run: int
    revision: int
    settings: dict[str, Any]
    dataset: dict[str, Any]
    outcome: Any = None
    generation: int = 0  # which opened design it trains (Workbench.generation when it started)


def data_progress(ctx: TaskContext):
    """The data layer's progress, either form (``file, done, total`` for downloads; ``text, fraction`` for
    scans), as the task's Progress events."""
    def report(*args: Any) -> None:
        if len(args) == 3:
            name, done, total = args
            ctx.progress(done / total if total else None, f"downloading {name}")
        elif len(args) == 2:
            ctx.progress(args[1], str(args[0]))
        ctx.check()
    return report


def seed_of(design: Design) -> int:
    """The design's training seed: it seeds the initialisation wherever the model is first built (a view,
    a run or an export), so one seed always gives the same initial weights."""
    from netbuilder.choices import merged_settings

    seed = merged_settings(design.training).get("seed", 0)
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


def drop_fresh_model(host: ModelHost) -> None:
    """The design's seed changed: a model holding fresh weights goes, so the views, runs and exports that build
    it next initialise it from the new seed (executor thread). Trained weights stay as they are."""
    if host.model is not None and not host.trained:
        host.model, host.signature = None, None


class Workbench:
    def __init__(self, post: Callable[[ev.Event], None]) -> None:
        self._post = post
        self.executor = Executor(post)
        self.host = ModelHost()  # executor thread only
        self.state = DesignState()
        self.dataset_spec: dict[str, Any] = {"name": "digits"}
        self._dataset_ticket = 0  # the latest dataset load: an older one's failure is for no one
        self.dataset: dict[str, Any] | None = None  # the loaded dataset, described (GUI thread)
        self.ready: ev.Ready | None = None
        self.runs: list[RunRecord] = []
        self.weights_signature: tuple | None = None  # the structure the current weights were trained for
        self.has_weights = False
        self.autosave_to: Path | None = None  # where a run writes its weights now and then (the window's autosave)
        self.live = LiveQuestions()  # the views' questions while a run trains
        self.generation = 0  # goes up each time another design is opened (set_design(replaced=True))
        self._closed = False
        self._primed = False

    # ----- the design and the dataset --------------------------------------------------------------
    def set_design(self, design: Design, revision: int, *, problems: list[str], input_shape: list[int] | None,
                   classes: int | None, parameters: int, replaced: bool = False,
                   signature: tuple | None = None) -> None:
        """The design at ``revision`` (a snapshot the workbench keeps); ``signature``: its structure
        signature when the caller has it already. The same revision again: the design's other sections
        (training settings: locked layers, seed …) changed, not its network (no result goes stale for it)."""
        before = self.state
        self.state = DesignState(design, revision, list(problems), input_shape, classes, int(parameters),
                                 signature if signature is not None else structure_signature(design.graph))
        self.live.follow(revision, self.state.signature)
        if replaced:  # another design: a run in flight is stopped and belongs to no open design from now on
            self.generation += 1
            self.has_weights, self.weights_signature = False, None
            self.live.design_replaced()
            self.stop()
            # queued behind a run in flight (one task at a time): the model it trained goes when it ends
            self.executor.submit("reset", lambda ctx: self.host.reset(), deliver=lambda c, v: None)
        elif revision != before.revision and self.live.outdated and not self._of_replaced_design(self.runs[-1].run):
            for told in self.live.outdate():  # the views showing the trained network as the design's are told
                self._post(told)
        elif before.design is not None and seed_of(design) != seed_of(before.design):
            self.executor.submit("reseed", lambda ctx: drop_fresh_model(self.host), deliver=lambda c, v: None)
        self._bind_dataset()

    def _bind_dataset(self) -> None:
        """The design names its dataset: bind it (once no run trains on the one bound now)."""
        design = self.state.design
        spec = dict(design.dataset or {"name": "digits"}) if design is not None else self.dataset_spec
        if spec != self.dataset_spec and not self.running:
            self.dataset_spec, self.dataset = spec, None
            if self.ready is not None:
                self.set_dataset(spec)

    def _run_failed(self, event: ev.TaskFailed) -> ev.RunEnded:
        """A run whose task failed (an error the engine did not turn into a fault; the log has the details)
        still ends: the window leaves training, and the student reads what happened."""
        from netbuilder.training.events import Fault

        run = int(event.key.split(":", 1)[1])
        record = next((r for r in reversed(self.runs) if r.run == run), None)
        revision = record.revision if record is not None else self.revision
        if event.cancelled:
            return ev.RunEnded(run, revision, None, None)
        advice = ("this looks like a bug in netbuilder; the details are in the log" if event.unexpected
                  else "check the design and the training settings, then press Train again")
        # (the message alone: the window says "Training stopped: " before every fault's message)
        return ev.RunEnded(run, revision, Fault("error", event.message, advice, 0, 0), None)

    def _of_replaced_design(self, run: int) -> bool:
        """Run ``run`` trained a design that has been replaced since (New, Open, a preset, an example)."""
        record = next((r for r in reversed(self.runs) if r.run == run), None)
        return record is not None and record.generation != self.generation

    @property
    def revision(self) -> int:
        return self.state.revision

    def set_dataset(self, spec: dict[str, Any]) -> int:
        """Load (or reuse) the dataset of ``spec``; ``DatasetLoaded`` or ``DatasetFailed`` follows."""
        spec = dict(spec or {"name": "digits"})
        if spec != self.dataset_spec:
            self.dataset = None
            self.executor.cancel_key("dataset")  # a download or scan of the dataset chosen before stops now
        self.dataset_spec = spec

        def task(ctx: TaskContext) -> dict[str, Any]:
            check_dataset_spec(spec)
            return describe_data(self.host.ensure_data(spec, data_progress(ctx)))

        def deliver(ctx: TaskContext, info: dict[str, Any]) -> ev.Event:
            return ev.DatasetLoaded(spec, info)
        self._dataset_ticket = ticket = next_ticket()
        return self.executor.submit("dataset", task, deliver=deliver, ticket=ticket)

    def warm_up(self) -> None:
        self.executor.submit("ready", lambda ctx: warm_up(),
                             deliver=lambda ctx, v: ev.Ready(v["device"], v["device_type"], v["datasets"]))

    def accept(self, event: ev.Event) -> ev.Event | None:
        """On the GUI thread, before any view sees ``event``: keep what the workbench mirrors and mark results
        of an older revision stale. None: the event is for no one (a dataset that is no longer wanted)."""
        if isinstance(event, ev.DatasetLoaded):
            if event.spec != self.dataset_spec:
                return None
            self.dataset = event.info
            if not self._primed:  # after the first dataset: what the first run would import, imported now
                self._primed = True
                self.executor.submit("prime", lambda ctx: prime_training(), deliver=lambda ctx, v: None)
        elif isinstance(event, ev.TaskFailed) and event.key == "dataset":
            if event.ticket != self._dataset_ticket:  # the load of a dataset no longer wanted
                return None
            return ev.DatasetFailed(dict(self.dataset_spec), event.message, event.remedy)
        elif isinstance(event, ev.TaskFailed) and event.key.startswith("train:"):
            return self.accept(self._run_failed(event))
        elif isinstance(event, ev.Ready):
            self.ready = event
        elif isinstance(event, ev.ViewResult) and event.revision != self.revision:
            return ev.ViewResult(**{**event.__dict__, "stale": True})
        elif isinstance(event, ev.ViewResult):
            self.live.showing(event)
        elif isinstance(event, ev.RunPrepared | ev.RunEvents) and self._of_replaced_design(event.run):
            return None  # the run of a design replaced since: nothing of it reaches the open one
        elif isinstance(event, ev.RunEnded):
            self.live.end()
            outcome = event.outcome
            if self.runs and self.runs[-1].run == event.run:
                self.runs[-1].outcome = outcome
            self._bind_dataset()  # a dataset named while the run trained on the old one
            if self._of_replaced_design(event.run):  # its weights are no one's (the host drops them next)
                return replace(event, replaced=True)
            if getattr(outcome, "kind", "") == "finished" and not untouched(outcome):  # (no step: as they were)
                self.has_weights, self.weights_signature = True, event.signature
            elif outcome is not None and getattr(outcome, "fault", "") == "nan":
                self.forget_weights()
        elif isinstance(event, ev.TaskDone) and event.key in ("load_weights", "transfer") and event.value:
            if event.value.get("kept") or event.value.get("loaded"):
                self.has_weights = True
                self.weights_signature = event.value.get("signature")
        return event

    def misfit(self) -> str | None:
        """One line when the design does not take the dataset's inputs or predict its classes."""
        info, s = self.dataset, self.state
        if info is None:
            return None
        problem = mismatch(s.input_shape, s.classes, info["input_shape"], len(info["class_names"]))
        return f"the design does not fit {info['name']}: {problem}" if problem else None

    def blocker(self, loading_ok: bool = False) -> tuple[str, bool] | None:
        """Why no model can run now (``(message, offer_fit)``), or None. ``loading_ok``: a dataset still
        loading is no reason (the task waits for it on the executor and checks the fit there)."""
        s = self.state
        if s.design is None:
            return "no design is open", False
        if s.problems:
            n = len(s.problems)
            return f"the design has {n} problem{'s' * (n != 1)} to fix first: {s.problems[0]}", False
        if self.dataset is None:
            return None if loading_ok else ("the dataset is still loading", False)
        problem = self.misfit()
        if problem:
            return f"{problem}. Press Fit to give the design the dataset's shape and classes.", True
        return None

    @property
    def weights_current(self) -> bool:
        """The weights belong to the design as it is now (not to an older structure)."""
        return self.has_weights and self.weights_signature == self.state.signature

    # ----- views -------------------------------------------------------------------------------------
    def compute(self, view: str, job: Job, *, needs_model: bool = True, periodic: bool = False) -> int:
        """Ask for one view's values: ``job(model, data)`` runs on the executor (or between training steps);
        a ``ViewResult`` follows, with a plain message instead of values when the model cannot run.
        ``periodic``: a live view refreshing itself during a run (it waits while the run's view budget is
        spent), not a student's question."""
        ticket, revision = next_ticket(), self.revision
        blocked = self.blocker(loading_ok=True) if needs_model else None
        if blocked is not None:
            self._post(ev.ViewResult(view, ticket, revision, message=blocked[0], offer_fit=blocked[1]))
            return ticket
        if self.running and not self._of_replaced_design(self.runs[-1].run):
            if needs_model and self.live.outdated:  # the network being trained is not the design's any more
                self._post(ev.ViewResult(view, ticket, revision, message=OUTDATED))
            else:  # answered between training steps, by the design's network: for its revision
                self.live.ask(view, job, ticket, revision, periodic, needs_model)
            return ticket
        # (while the run of a replaced design stops, the question waits for it on the executor's queue)
        design, spec = self.state.design, dict(self.dataset_spec)
        shape, classes = self.state.input_shape, self.state.classes

        def task(ctx: TaskContext) -> ev.ViewResult:
            try:
                return answer(ctx)
            except Cancelled:
                raise
            except Exception as e:  # noqa: BLE001  (a view's failure is its message, never an exception)
                return ev.ViewResult(view, ticket, revision, message=message_for(e, f"the {view} view")[0])

        def answer(ctx: TaskContext) -> ev.ViewResult:
            data = self.host.ensure_data(spec)
            if not needs_model:
                return ev.ViewResult(view, ticket, revision, value=job(None, data))
            problem = mismatch(shape, classes, list(data.input_shape), len(data.class_names))
            if problem:  # decided again on the data itself: a model never runs on data it does not fit
                return ev.ViewResult(view, ticket, revision, offer_fit=True,
                                     message=f"the design does not fit {data.name}: {problem}. Press Fit to give "
                                             "the design the dataset's shape and classes.")
            self.host.build(design, seed=seed_of(design))
            model, data = self.host.model, self.host.seen(data)  # (normalised as the weights were trained)
            with grads_kept(model):
                value = job(model, data)
            return ev.ViewResult(view, ticket, revision, value=value, trained=self.host.trained,
                                 source=self.host.source)

        return self.executor.submit(f"view:{view}", task, deliver=lambda ctx, v: v,
                                    ticket=ticket)

    def watch_evaluation(self, on: bool) -> None:
        """During runs, the Evaluation view (validation split) takes each epoch's own validation pass."""
        self.live.watch_evaluation(on)

    # ----- training ------------------------------------------------------------------------------------
    @property
    def control(self):
        """The running training's ``Control``, or None (held by the live questions, which need it too)."""
        return self.live.control

    @property
    def running(self) -> bool:
        return self.control is not None

    def refusal(self) -> tuple[str, bool] | None:
        """Why ``train`` would not start a run now (``(message, offer_fit)``), or None: it would."""
        if self.running or self._closed:
            return "a run is already training", False
        if self.state.design is not None and not self.state.problems and self.state.parameters <= 0:
            return NOTHING_TO_TRAIN, False
        return self.blocker()

    def train(self, settings: dict[str, Any]) -> tuple[bool, str, bool]:
        """Start a run of the design on its dataset. ``(started, message, offer_fit)``: when it cannot start,
        the message says why in one line."""
        refused = self.refusal()
        if refused is not None:
            return False, refused[0], refused[1]
        from netbuilder.training.control import Control

        control = Control()
        run = len(self.runs) + 1
        design, spec, revision = self.state.design, dict(self.dataset_spec), self.revision
        signature = self.state.signature
        self.live.start(control, revision, signature)  # the running Control: ``self.control`` until RunEnded
        self.runs.append(RunRecord(run, revision, dict(settings), spec, generation=self.generation))

        shape, classes, autosave_to = self.state.input_shape, self.state.classes, self.autosave_to

        def autosave() -> None:  # (between two epochs, on the run's thread: a crash keeps what it learnt)
            try:
                self.host.save_weights(autosave_to, shape, classes)
            except Exception as e:  # noqa: BLE001  (an autosave never fails the run)
                import logging

                logging.getLogger(__name__).warning("autosave of the weights during run %d failed: %s", run, e)

        def task(ctx: TaskContext):
            return train_run(ctx, self.host, self.live, self._post, run, design, spec, dict(settings), control,
                             autosave if autosave_to is not None else None)

        def deliver(ctx: TaskContext, outcome) -> ev.Event:
            return ev.RunEnded(run, revision, outcome, signature)
        self.executor.submit(f"train:{run}", task, deliver=deliver)
        return True, "", False

    def pause(self) -> None:
        if self.control is not None:
            self.control.pause()

    def resume(self, changes: dict[str, Any] | None = None) -> None:
        if self.control is not None:
            if changes:
                self.control.update(**changes)
            self.control.resume()

    def stop(self) -> None:
        if self.control is not None:
            self.control.stop()

    def forget_weights(self) -> None:
        """Start from fresh weights: the trained ones are dropped now (views show the fresh network, built
        once), and the next run starts from them."""
        self.has_weights, self.weights_signature = False, None

        def reset(ctx: TaskContext) -> None:
            self.host.reset()
        self.executor.submit("reset", reset)  # (TaskDone("reset"): what an export would carry changed)

    # ----- weights, exports, code ----------------------------------------------------------------------
    def load_weights(self, path: str | Path) -> int:
        """Load the design's own weights file (when it opens); ``TaskDone('load_weights', {kept, dropped})``."""
        design = self.state.design

        def task(ctx: TaskContext) -> dict[str, Any]:
            out = self.host.load_design_weights(design, Path(path), seed=seed_of(design))
            return out | {"signature": structure_signature(design.graph)}
        return self.executor.submit("load_weights", task)

    def save_weights(self, path: str | Path) -> int:
        """Write the model's weights beside the design (behind a run: its weights as it ends), even when the
        window closes first, with the preprocessing and class names they were trained with (``ModelHost``)."""
        design, shape, classes = self.state.design, self.state.input_shape, self.state.classes

        def task(ctx: TaskContext) -> dict[str, Any]:
            if design is not None and self.host.model is not None:  # the model of the design as it is saved
                self.host.build(design, seed=seed_of(design))  # (a head replaced since: not the old one's)
            return {"path": self.host.save_weights(Path(path), shape, classes)}
        return self.executor.submit(f"save_weights:{path}", task, finish=True)

    def load_transfer(self, path: str | Path, partial: bool = True) -> int:
        """Load a netbuilder weights file or a torchvision checkpoint into the model training would use, with
        the one loader; ``TaskDone('transfer', report)`` in plain values. ``partial``: load what fits and say
        exactly what was and was not loaded (else a file that leaves layers uncovered is refused)."""
        design = self.state.design

        def task(ctx: TaskContext) -> dict[str, Any]:
            from netbuilder.training.transfer import load_into

            self.host.build(design, seed=seed_of(design))
            report = load_into(self.host.model, design, str(path), partial=partial)
            normalised = None
            if report.loaded:
                self.host.loaded_into(path, report)
                normalised = self.host.normalised(Path(path).name)  # (the views and the next run feed it so)
            return {"summary": report.summary(), "loaded": report.loaded, "mismatched": report.mismatched,
                    "fresh": report.fresh, "skipped": report.skipped, "unused": report.unused,
                    "matched_by": report.matched_by, "signature": structure_signature(design.graph),
                    "normalised": normalised}
        return self.executor.submit("transfer", task)

    def export(self, path: str | Path, fmt: str) -> int:
        """Export the design with its current weights (trained when there are any, normalising its input
        itself as they were trained: the preprocessing recorded with them, else the bound dataset's when it
        fits) in the background; ``TaskDone('export', {path, trained, weights})``, ``weights`` naming them as
        the views do (and any layer left fresh by an edit since). ``cancel(ticket)`` drops it while it waits
        (behind a run, say); once writing, an export (seconds) finishes, atomically."""
        design, spec = self.state.design, dict(self.dataset_spec)
        trained, fits = self.has_weights, self.dataset is not None and not self.misfit()
        shape, classes = self.state.input_shape, self.state.classes

        def task(ctx: TaskContext) -> dict[str, Any]:
            ctx.progress(None, f"exporting {Path(path).name}…")
            return self.host.export(design, path, fmt, trained=trained, spec=spec if fits else None,
                                    seed=seed_of(design), input_shape=shape, classes=classes, check=ctx.check)
        return self.executor.submit("export", task)

    def fresh_layers(self, design: Design, view: str) -> int:
        """Which layers of ``design``'s model would hold fresh (random) weights beside trained ones (a locked
        one would never learn); ``ViewResult(view)``."""
        from netbuilder.workbench.host import fresh_layers_job

        return self.compute(view, fresh_layers_job(self.host, design), needs_model=False)

    def python_code(self, design: Design) -> int:
        """The design's PyTorch code as ``export`` would write it now (its preprocessing picked the same way),
        built on the meta device (no weights are made; ``ModelHost.python_code``); ``TaskDone('code')``."""
        spec, trained = dict(self.dataset_spec), self.has_weights
        fits = self.dataset is not None and not self.misfit()
        shape, classes = self.state.input_shape, self.state.classes

        def task(ctx: TaskContext) -> str:
            return self.host.python_code(design, trained=trained, spec=spec if fits else None,
                                         input_shape=shape, classes=classes)
        return self.executor.submit("code", task)

    @property
    def busy(self) -> bool:
        """Something is queued or running, or a view's question waits for a training step."""
        return self.executor.busy or self.live.pending

    def wait_idle(self, timeout: float = 30.0) -> bool:
        return self.executor.wait_idle(timeout)

    def cancel(self, ticket: int) -> bool:
        return self.executor.cancel(ticket)

    def shutdown(self, timeout: float = 20.0) -> bool:
        """Stop a run, drop the queue and join the executor's thread (the window is closing)."""
        self._closed = True
        if self.control is not None:
            self.control.stop()
        return self.executor.shutdown(timeout)
