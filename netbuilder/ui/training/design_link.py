"""What ties trained weights and runs to the open design: the weights file beside the design, named after
the design's file (``mynet.nbd`` → ``mynet.safetensors``), and the runs file (``mynet.runs.json``, the
curves of every run: training/run_history.py), written when the design is saved and loaded when it opens
(the runs file also when a run ends or the run list is edited while the saved file is current); the
question asked when the network is edited while trained weights exist; fitting the design to its
dataset; a locked layer left with random weights (warned, unlocked by Fit in its undo step, refused by
``refuse_locked_random``). The workbench holds the weights; this only decides when to load and save them.

Saving (FileController.save_to) writes the weights first and waits for them (``write_weights``), then the
design naming them, then the runs (``saved``): a failed weights write fails the save, and the runs file never
lists a run whose weights are not on disk. Trained weights not saved yet (and weights dropped by Start fresh
while the file names them) mark the Document modified (``Document.set_weights_unsaved``). While Save or Fit
waits for the workbench, a close of the window waits for it (``FileController.waiting``); a design opened
meanwhile (a lesson, a recovery) is not written to: the saved one is written as it was, Fit does nothing.

Writes the design only through the Document. Qt only (no torch).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QTimer

from netbuilder.io import weights_path_for
from netbuilder.ui.training import run_history as history
from netbuilder.ui.training.autosaved import AutosavedWork
from netbuilder.ui.training.locks import LOCK_WAIT_S, LockedRandom, close_waits, locked_random, names, reasons
from netbuilder.ui.training.run_history import RunsFileError, load_runs, runs_path_for, save_runs
from netbuilder.workbench import events as ev
from netbuilder.workbench.run_loop import untouched

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController

CHANGED_QUESTION = "The network changed since it was trained."


class DesignLink:
    def __init__(self, controller: TrainingController) -> None:
        self.c = controller
        self.document = controller.document
        self.wb = controller.wb
        self._dirty = False  # trained weights that the saved design does not hold yet (weights_dirty)
        self.on_disk: Path | None = None  # the weights file that holds the session's weights (loaded or written)
        self.forgotten: Path | None = None  # the weights file the design named when Start fresh dropped them
        self.asked = False
        self.pending_save: Path | None = None
        self._written: dict[int, str | None] = {}  # a weights write the save waits for: ticket -> its error
        self._waiting: tuple[int, QEventLoop] | None = None
        self._loaded_text = ""  # "Loaded the trained weights…" as the bar says it (taken back with the weights)
        self._fit_text = ""  # the message about fitting on the bar (the misfit warning, or why Fit failed)
        self._fit_why = ""  # why Fit failed on the misfit ``_fit_failed`` names
        self._fit_failed: tuple | None = None  # what Fit failed on (_fit_key): its reason stays while it holds
        self._refusal = ""  # Train's "Cannot train yet" on the bar, for a reason of the design's (``refused``)
        self.locks = LockedRandom(controller)  # a locked layer left with random weights: warned, refused
        self.autosaved = AutosavedWork(self)  # the weights and runs beside the window's autosave
        self._run_signature: tuple | None = None  # the structure of the run starting (``_state_changed``)
        controller.curves.runs_edited.connect(self.save_runs_now)
        controller.state_changed.connect(self._state_changed)

    # ----- the design replaced (new, open) --------------------------------------------------------------
    def _forget_loaded_text(self) -> None:
        """The weights it told of are gone (Start fresh, another design): "Loaded the trained weights…" goes."""
        bar = self.c.panel.messages
        if self._loaded_text and not bar.isHidden() and bar.label.text() == self._loaded_text:
            bar.dismiss()
        self._loaded_text = ""

    def design_replaced(self) -> None:
        design = self.document.design
        self._forget_loaded_text()
        self.locks.weights_changed()
        if self.wb.dataset is not None:  # the dataset is loaded already: say at once when the design misfits
            self.check_fit()
        self.asked = False
        self.pending_save = self.on_disk = self.forgotten = None
        self.weights_dirty = False
        self.load_runs()
        if design.weights and self.document.path is not None:
            path = Path(self.document.path).parent / design.weights
            if path.exists():
                self.wb.load_weights(path)
            else:
                self.c.show_message(f"The design names the weights file {design.weights}, which is not beside it: "
                                    "the network starts from fresh (untrained) weights.", "warning")

    # ----- the runs beside the design ------------------------------------------------------------------
    def load_runs(self) -> None:
        """Show the runs saved beside the opened design; a broken runs file is one line (the design opens)."""
        path = self.document.path
        runs = []
        target = runs_path_for(path) if path is not None else None
        if target is not None and target.exists():
            try:
                runs = load_runs(target)
            except RunsFileError as e:
                self.c.show_message(f"The earlier runs could not be read ({e}); the design opened without them.",
                                    "warning")
        self.c.curves.set_design_runs(runs)

    def runs(self) -> list:
        """The runs of the design on screen, as ``save_runs`` writes them."""
        return self.c.curves.all_runs()

    def save_runs(self, path: Path, runs: list | None = None) -> None:
        """Write the runs (``runs``, else the design's own) beside the design file ``path`` (also an empty
        list, once a runs file exists)."""
        target = runs_path_for(path)
        runs = self.runs() if runs is None else runs
        if not runs and not target.exists():
            return
        try:
            save_runs(target, runs)
        except (OSError, ValueError) as e:
            self.c.show_message(f"The runs could not be saved to {target.name}: {e}", "error")

    def save_runs_now(self) -> None:
        """A run ended or the run list was edited: write the runs at once when the saved file is the design
        on screen, its weights included (otherwise the next save writes them, after the weights)."""
        path = self.document.path
        if path is not None and not self.document.is_modified and Path(path).exists():
            self.save_runs(Path(path))

    def task_result(self, event: ev.TaskDone | ev.TaskFailed) -> None:
        key = event.key.split(":", 1)[0]
        if key == "save_weights":
            self._weights_written(event)
            return
        if isinstance(event, ev.TaskFailed):
            if event.cancelled:
                return
            what = {"load_weights": "The trained weights could not be loaded", "export": "The export failed",
                    "transfer": "The weights could not be loaded"}.get(key)
            if what:
                level = "warning" if key == "load_weights" else "error"
                self.c.show_message(f"{what}: {event.message}", level)
            return
        value = event.value or {}
        if key in ("load_weights", "transfer", "reset"):
            self.locks.weights_changed()
        if key == "load_weights":
            recovered = self.autosaved.is_recovery(value["path"])  # (then no saved file holds them)
            self.on_disk = None if recovered else Path(value["path"]).resolve()
            self.weights_dirty = recovered
            n = len(value["dropped"])
            dropped = f"; {n} layer{'s' * (n != 1)} did not fit and start{'s' * (n == 1)} fresh" if n else ""
            untrained = value.get("untrained") or {}  # recorded untrained in the file: they start fresh too
            if untrained:  # (by node, as many as the note on the weights names)
                why = {}
                for layer, reason in untrained.items():
                    why.setdefault(layer.split(".", 1)[0], reason)
                listed = [f"{node} ({reason})" for node, reason in list(why.items())[:3]]
                listed += [f"{len(why) - 3} more layers"] if len(why) > 3 else []
                what = (f"{next(iter(why))} as untrained ({next(iter(why.values()))}), so it starts" if len(why) == 1
                        else f"{names(listed)} as untrained, so they start")
                dropped += f"; {Path(value['path']).name} records {what} fresh"
            k = len(value["kept"])
            normalised = value.get("normalised")  # (weights trained on other data: the images are fed their way)
            source = "the autosave" if recovered else Path(value["path"]).name
            self._loaded_text = (f"{'Recovered' if recovered else 'Loaded'} the trained weights of {k} "
                                 f"layer{'s' * (k != 1)} from {source}{dropped}."
                                 + (f" {normalised[0].upper()}{normalised[1:]}." if normalised else "")
                                 + (" Save the design to keep them." if recovered else ""))
            self.c.show_message(self._loaded_text, "info")
            self.c.refresh_idle_views()
        elif key == "transfer" and self.wb.has_weights and (value.get("kept") or value.get("loaded")):
            self.on_disk, self.weights_dirty = None, True  # weights the design's own file does not hold yet

    # ----- what is saved: the weights beside the design -------------------------------------------------
    @property
    def weights_dirty(self) -> bool:
        """The session has trained weights that the saved design (its file and the weights named by it)
        does not hold yet; the Document then counts as modified (``*``, and closing asks to save)."""
        return self._dirty

    @weights_dirty.setter
    def weights_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.autosaved.version += dirty  # (weights that the next autosave writes)
        self.document.set_weights_unsaved(dirty or self.forgotten is not None)

    def weights_name(self, path: Path) -> str | None:
        """The weights file the design saved as ``path`` names: the one beside it, named after it, when the
        session has trained weights; else what the design names now (none once Start fresh dropped them)."""
        return weights_path_for(path).name if self.wb.has_weights else self.document.design.weights

    def write_weights(self, path: Path, timeout_s: float = 120.0) -> str | None:
        """Before the design is saved as ``path`` (FileController.save_to): write the trained weights beside
        it unless that file holds them already, and wait for the write. Returns why it failed (then nothing
        else is written: the save fails), or None. While a run trains they are written at its end."""
        target = weights_path_for(path)
        if self.c.running:  # (the weights it ends with are the ones to save)
            self.pending_save = target
            return None
        self.pending_save = None
        if not self.wb.has_weights or self.on_disk == target.resolve():
            return None
        self.document.flush()  # (the workbench has the design as it is saved)
        ticket = self.wb.save_weights(target)
        loop = QEventLoop()
        timer = QTimer(loop)
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(int(timeout_s * 1000))
        self._waiting = (ticket, loop)
        try:
            if ticket not in self._written:  # (the clicks wait: nothing changes the design meanwhile; a close
                with close_waits(self.c.window):  # waits for the save: FileController.waiting)
                    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            self._waiting = None
            timer.stop()
        if ticket not in self._written:
            return f"writing {target.name} takes too long (it goes on; save again once it is written)"
        return self._written.pop(ticket)

    def _weights_written(self, event: ev.TaskDone | ev.TaskFailed) -> None:
        """A weights write ended: the save waiting for it learns how; one put off to a run's end says so."""
        if self.autosaved.written(event):  # (the autosave's copy: nothing waits for it)
            return
        failed = isinstance(event, ev.TaskFailed)
        if failed and event.cancelled:
            message: str | None = "the write was cancelled"
        else:
            message = event.message if failed else None
        if self._waiting is not None and self._waiting[0] == event.ticket:
            self._written[event.ticket] = message
            self._waiting[1].quit()
        if failed:
            if not event.cancelled:
                self.c.show_message(f"The trained weights could not be saved: {event.message}", "error")
            return
        written = Path(event.value["path"]).resolve()
        path = self.document.path
        if path is None or written != weights_path_for(path).resolve():
            return  # (beside a file the design is no longer saved as)
        self.on_disk = written
        if self.document.design.weights == written.name:  # the saved design names them: nothing waits
            self.weights_dirty = False
            self.save_runs_now()
        self.c.status(f"Saved the trained weights to {event.value['path']}")

    def saved(self, path: Path) -> None:
        """The design was written to ``path`` (after ``write_weights``): the runs go beside it, or after the
        weights when these wait for a run's end. A weights file that Start fresh dropped stays on disk (the
        design names none now, so nothing loads it: the window, ``netbuilder evaluate`` and the api follow the
        design's own ``weights`` entry), until a trained run is saved over it."""
        if self.pending_save is None:
            self.save_runs(path)
        self.forgotten = None
        self.weights_dirty = self._dirty and self.pending_save is not None  # (else written, or none to write)

    # ----- trained ----------------------------------------------------------------------------------
    def run_ended(self, event: ev.RunEnded) -> None:
        if event.replaced:  # the run of a design replaced since: its weights and runs are not this design's
            return
        self.locks.weights_changed()
        if getattr(event.outcome, "kind", "") == "finished" and self.wb.has_weights and not untouched(event.outcome):
            self.asked = False
            self.on_disk, self.weights_dirty = None, True  # (so the runs file waits for them: saved together)
            self.network_changed()  # the design was edited (Undo) during the run: not the network it trained
        elif not self.wb.has_weights:  # (a run that went to NaN: its weights are gone, nothing to save)
            self.on_disk, self.weights_dirty = None, False
        self.save_runs_now()
        if self.pending_save is not None and self.wb.has_weights and getattr(event.outcome, "kind", "") == "finished":
            self.save_weights(self.pending_save)

    def save_weights(self, target: Path) -> None:
        if self.c.running:
            self.pending_save = target
            return
        self.pending_save = None
        self.wb.save_weights(target)

    # ----- the network edited while trained weights exist -----------------------------------------------
    def network_changed(self) -> None:
        """Ask keep-or-fresh once the network differs from the one its weights were trained for; when an
        edit (or Undo) brings it back, the question goes away unanswered: there is nothing to decide."""
        if not self.wb.has_weights or self.wb.weights_signature is None:
            return
        from netbuilder.workbench.fit import structure_signature

        if structure_signature(self.document.graph) == self.wb.weights_signature:
            bar = self.c.panel.messages
            if self.asked and bar.label.text().startswith(CHANGED_QUESTION):
                bar.dismiss()
            self.asked = False
            return
        if self.asked:
            return
        self.asked = True
        self.c.show_message(f"{CHANGED_QUESTION} Keep the trained weights of the layers that did not change, "
                            "or start fresh?", "info",
                            (("keep_weights", "Keep unchanged layers"), ("fresh_weights", "Start fresh")))

    def start_fresh(self) -> None:
        """Drop the trained weights: the next run starts from fresh ones. The design stops naming its weights
        file (that file holds the dropped weights): saving then writes a design without them."""
        self.wb.forget_weights()
        self._forget_loaded_text()
        self.pending_save = self.on_disk = None
        path, named = self.document.path, self.document.design.weights
        if named:
            if path is not None:
                self.forgotten = (Path(path).parent / named).resolve()
            self.document.name_weights_file(None)
        self.weights_dirty = False
        self.c.status("The next run starts from fresh weights")

    def answer(self, key: str) -> None:
        if key == "fresh_weights":
            self.start_fresh()
        elif key == "keep_weights":  # the workbench keeps the layers that still fit unless told otherwise
            self.c.status("The next run keeps the weights of the layers that did not change")
        elif key == "fit_design":
            self.fit_design()
        elif key == "unlock_fresh":
            self.unlock_fresh()

    # ----- the design against the dataset -------------------------------------------------------------
    def check_fit(self) -> str | None:
        """Say when the design does not fit its dataset (the warning with its Fit button), and take back
        what was said about it once it fits. Called after every edit, dataset and view result: the
        warning on screen, or the reason Fit failed on this very misfit, stays as it is until the design
        fits or the student changes what it is about (the design's structure, the dataset)."""
        problem = self.wb.misfit()
        text = f"{problem[0].upper()}{problem[1:]}." if problem else ""
        bar = self.c.panel.messages
        if problem:
            if self._fit_message_shown() and (bar.label.text() == text or self._fit_failed == self._fit_key(text)):
                return problem
            self._fit_failed = None
            self._fit_text = text
            self.c.show_message(text, "warning", (("fit_design", "Fit the design to the dataset"),))
        else:
            self._dismiss_fit_message()
        return problem

    def _fit_key(self, text: str) -> tuple:
        """What a message about fitting is about: the misfit it names and the design's structure."""
        return text, self.wb.state.signature

    def _fit_message_shown(self) -> bool:
        """The bar shows a message about fitting: the warning (or "Cannot train yet", both with the Fit
        button) or why Fit failed."""
        bar = self.c.panel.messages
        if bar.isHidden():
            return False
        button = bar.buttons[0]
        return ((not button.isHidden() and button.property("key") == "fit_design")
                or (bool(self._fit_text) and bar.label.text() == self._fit_text))

    def _dismiss_fit_message(self) -> None:
        if self._fit_message_shown():
            self.c.panel.messages.dismiss()
        bar = getattr(self.c.window, "statusBar", lambda: None)()  # said there too, outside the Train workspace:
        if bar is not None and self._fit_text and getattr(bar, "full_message", bar.currentMessage()) == self._fit_text:
            bar.clearMessage()  # taken back there as well (a later message stays)
        self._fit_text, self._fit_failed, self._fit_why = "", None, ""

    def fit_design(self) -> bool:
        """Give the design the dataset's input shape and class count, as one undo step of set_param edits."""
        from netbuilder.errors import NetbuilderError
        from netbuilder.presets import fit_design

        info: dict[str, Any] | None = self.wb.dataset
        if info is None:
            self.c.show_message("The dataset is still loading; press Fit again in a moment.", "info")
            return False
        current = self.document.snapshot()
        try:
            fitted = fit_design(current, list(info["input_shape"]), len(info["class_names"]))
        except NetbuilderError as e:  # why, until the design fits or changes (check_fit keeps it)
            problem = self.wb.misfit()
            self._fit_text = self._fit_why = str(e)
            self._fit_failed = self._fit_key(f"{problem[0].upper()}{problem[1:]}." if problem else "")
            self.c.show_message(str(e), "error")
            return False
        changes = [(n.id, k, v) for n in fitted.graph.iter_nodes() for k, v in n.params.items()
                   if current.graph.node(n.id).params.get(k) != v]
        # a locked layer whose weights no longer fit would stay random: unlocked in the same undo step
        asks = changes and self.document.frozen and self.wb.has_weights
        design = self.document.design
        unlock = locked_random(self.document.frozen, self.locks.ask(fitted, LOCK_WAIT_S)) if asks else {}
        if self.document.design is not design:  # replaced while it waited (a lesson, a recovery): not that one's
            self.c.status("Fit did nothing: another design was opened meanwhile")
            return False
        if not changes:  # (no empty step for Undo to take back)
            self.c.status(f"The design already fits {info['name']}: nothing to change")
            self._dismiss_fit_message()
            return True
        stack = self.document.undo_stack
        stack.beginMacro(f"fit the design to {info['name']}")
        try:
            for node_id, name, value in changes:
                self.document.set_param(node_id, name, value)
            if unlock:
                self.document.set_frozen(list(unlock), False)
        finally:
            stack.endMacro()
        self.document.flush()
        n = len(changes)
        self.c.status(f"Fitted the design to {info['name']}: {n} setting{'' if n == 1 else 's'} changed (undo "
                      "reverts it)")
        self._dismiss_fit_message()
        if unlock:
            self.c.show_message(f"Fitted the design to {info['name']} and unlocked {names(list(unlock))} "
                                f"({reasons(unlock)}): its weights are random now and must learn (locked, a run "
                                "would leave them random). Undo locks again.", "info")
        return True

    # ----- Train refused: the reason follows the design -------------------------------------------------
    def refused(self, text: str) -> None:
        """Train was refused with ``text`` on the bar (a problem of the design, nothing to train)."""
        self._refusal = text

    def retract_refusal(self) -> None:
        """After an edit: a "Cannot train yet" on the bar goes once a run could start (or once the design's
        misfit is all that is left: ``check_fit``'s warning says that), and names the design's present
        problem while there is one (an undo that fixed it left the old refusal standing)."""
        bar = self.c.panel.messages
        if not self._refusal or bar.isHidden() or bar.label.text() != self._refusal:
            self._refusal = ""
            return
        now = self.wb.refusal()
        if now is None or now[1]:
            bar.dismiss()
            self._refusal = ""
        elif f"Cannot train yet: {now[0]}" != self._refusal:
            self._refusal = f"Cannot train yet: {now[0]}"
            bar.show_message(self._refusal, bar.level)

    # ----- Fit failed on this very misfit ---------------------------------------------------------------
    def fit_failed_text(self, message: str) -> str | None:
        """When Fit already failed on the misfit Train refuses for: the refusal without the advice to press
        Fit, with why Fit cannot help (None: Fit has not failed on it, so it is worth offering)."""
        problem = self.wb.misfit()
        if not problem or not self._fit_why or self._fit_failed != self._fit_key(f"{problem[0].upper()}{problem[1:]}."):
            return None
        reason = message.split(" Press Fit", 1)[0].rstrip(".")
        text = f"Cannot train yet: {reason}. Fit cannot change this design to fit: {self._fit_why}"
        self._fit_text = text  # (the message about fitting, kept while the misfit holds: check_fit)
        return text

    def _state_changed(self, state: str) -> None:
        """A run starts: its curves are tagged with the network it trains (the legend names what changed)."""
        if state == "preparing":
            self._run_signature = self.wb.state.signature
        elif state == "training" and self._run_signature is not None:
            history.tag_structure(self.c.curves.run, self._run_signature, self.c.curves.all_runs())
            self._run_signature = None

    # ----- locked layers left with random weights (locks.py) -------------------------------------------
    def locked_left_random(self) -> dict[str, str]:
        return self.locks.left()

    def unlock_fresh(self) -> bool:
        return self.locks.unlock()

    def refuse_locked_random(self) -> bool:
        return self.locks.refuse()
