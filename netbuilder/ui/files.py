"""Files for the window: new, open, save, save as, recent files, unsaved-changes prompts,
autosave with recovery after a crash, exports (Python, .pt2, ONNX) and the diagram (PNG, SVG).

Every question to the user goes through one of the ``ask_*`` / ``show_error`` methods, so tests
replace them instead of clicking dialogs. Loading errors never touch the open design.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Edge
from netbuilder.ui.autosave import (
    AUTOSAVE_MS,
    autosave_dir,
    autosave_text,
    autosaved_weights,
    move_autosave,
    own_autosave,
    owner_alive,
    read_autosave,
    remove_autosave,
)
from netbuilder.ui.document import Document
from netbuilder.ui.intents import new_node

MAX_RECENT = 8
EXPORT_FILTERS = {"python": "Python (*.py)", "pt2": "torch.export program (*.pt2)", "onnx": "ONNX (*.onnx)"}


def blank_design(dataset: dict | None = None, input_shape: list[int] | None = None) -> Design:
    """A new design: an Input feeding the Output, so that appended layers go in between; on ``dataset`` (a
    dataset spec; None: the default) with the Input of ``input_shape`` (None: the Input's default)."""
    design = Design(name="untitled", dataset=dict(dataset or {}))
    inp = new_node(design.graph, "input", (0.0, 0.0))
    if input_shape:
        inp.params["shape"] = [int(d) for d in input_shape]
    design.graph.insert_node(inp)
    out = new_node(design.graph, "output", (0.0, 240.0))
    design.graph.insert_node(out)
    design.graph.insert_edge(Edge(inp.id, out.id, 0))
    return design


def with_suffix(path: str, suffix: str) -> str:
    """``path``, ending in ``suffix`` (``.nbd``, ``.onnx``...): added when the name does not end so already
    (any case), as in "lab.week3" or "resnet v1.5", whose dot is part of the name."""
    return path if path.lower().endswith(suffix.lower()) else path + suffix


def file_name(name: str) -> str:
    """A design's name as a file name: no folder separators or characters some systems refuse
    ("week 3/cnn" would suggest a folder "week 3" that does not exist)."""
    cleaned = "".join("-" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip(" .")
    return cleaned or "untitled"


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def is_bundled(path: str | os.PathLike) -> bool:
    """Whether ``path`` is one of netbuilder's own files (an example in resources/): saving over it would
    change the installation (or fail, read-only), for every user."""
    from netbuilder.paths import resources_dir

    try:
        return Path(path).resolve().is_relative_to(resources_dir().resolve())
    except OSError:  # (resources missing: FileNotFoundError)
        return False


class FileController(QObject):
    recent_changed = Signal(list)
    message_reported = Signal(str)

    def __init__(self, document: Document, window: QWidget, settings: QSettings) -> None:
        super().__init__(window)
        self.document, self.window, self.settings = document, window, settings
        self.saving = False  # a save is under way (it may wait for the weights: a second one is refused)
        self.waits = 0  # nested waits for the workbench under way (a save's weights, Fit's question: ``waiting``)
        self.close_when_saved = False  # the window was asked to close meanwhile: it closes once they have ended
        self._exports: dict[int, str] = {}  # export ticket -> path
        self._export_dialogs: dict[int, QProgressDialog] = {}
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        document.design_replaced.connect(self.clear_autosave)  # (the design before was saved, or let go)

    # ----- questions (replaced in tests) --------------------------------------------------
    def ask_open_path(self) -> str | None:
        from netbuilder.io import DESIGN_EXTENSION

        path, _ = QFileDialog.getOpenFileName(self.window, "Open design", self.last_dir(),
                                              f"Designs (*{DESIGN_EXTENSION});;All files (*)")
        return path or None

    def ask_save_path(self, title: str, suggested: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, suggested, filters)
        return path or None

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel'."""
        weights = " and its weights" if self.document.weights_unsaved else ""
        answer = QMessageBox.question(
            self.window, "Unsaved changes", f"Save the changes to {self.document.title}{weights}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            answer, "cancel")

    def ask_stop_training(self) -> bool:
        """The window is closing while a run trains: stop it (its weights so far kept, to save) or not close."""
        answer = QMessageBox.question(
            self.window, "A run is training", "Stop the run and close? The weights it has learnt so far are "
            "kept, so that you can save them with the design.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def ask_recover(self, what: str) -> str:
        """'recover', 'discard' or 'later' (kept, and asked again at the next start) for the autosave of
        ``what`` (``autosave_text``), left by a window that did not close properly."""
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work?",
                          f"netbuilder did not close properly while editing {what}. Recover it?",
                          parent=self.window)
        box.setInformativeText("Later keeps it: netbuilder offers it again the next time it starts.")
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(recover)
        box.exec()
        return {recover: "recover", discard: "discard"}.get(box.clickedButton(), "later")

    def ask_changed_on_disk(self, path: str) -> str:
        """'overwrite', 'save_as' or 'cancel': the file changed on disk since it was opened here."""
        box = QMessageBox(QMessageBox.Icon.Warning, "The file changed on disk",
                          f"{path} was changed by someone else since you opened it (another window or "
                          "program). Saving over it would lose their changes.", parent=self.window)
        overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
        save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save_as)
        box.exec()
        return {overwrite: "overwrite", save_as: "save_as"}.get(box.clickedButton(), "cancel")

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    # ----- a close waits for the save or wait under way -------------------------------------
    @property
    def busy(self) -> bool:
        """A save or a wait for the workbench is under way: a close asked for meanwhile (a window manager's
        close, Quit, the app quitting) is put off (``close_when_saved``) and happens once it has ended."""
        return self.saving or self.waits > 0

    @contextmanager
    def waiting(self):
        """Around a nested event loop that waits for the workbench (design_link, locks): it lets no click
        through, but a close and timers still run; the close then waits for the code waiting here."""
        self.waits += 1
        try:
            yield
        finally:
            self.waits -= 1
            self._close_if_asked()

    def _close_if_asked(self) -> None:
        if self.close_when_saved and not self.busy:
            QTimer.singleShot(0, self._close_now)

    def _close_now(self) -> None:
        if self.close_when_saved and not self.busy:  # (else a later end closes it)
            self.close_when_saved = False
            self.window.close()

    # ----- new / open / save --------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current design (saved, discarded, or unchanged)."""
        if not self.document.is_modified:
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_design(self, design: Design | None = None) -> bool:
        if not self.maybe_save():
            return False
        self.document.set_design(design or blank_design())
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: str | os.PathLike, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        from netbuilder.io import load_design

        try:
            design = load_design(path)
        except (NetbuilderError, OSError) as e:
            text = str(e) if isinstance(e, NetbuilderError) else f"{path}: {e.strerror or e}"
            if not os.path.lexists(path) and self.remove_recent(path):
                text += " (taken off the recent designs)"
            self.show_error("Cannot open the design", text)
            return False
        bundled = is_bundled(path)  # a file of the installation: a template, never written to (Save asks where)
        self.document.set_design(design, None if bundled else path)
        self.add_recent(path)
        self.message_reported.emit(f"Opened the bundled {Path(path).name} as a new design: Save asks where to keep "
                                   "your copy" if bundled else f"Opened {path}")
        return True

    def save(self) -> bool:
        return self.save_to(self.document.path) if self.document.path else self.save_as()

    def save_as(self) -> bool:
        from netbuilder.io import DESIGN_EXTENSION

        suggested = str(self.document.path or Path(self.last_dir()) / f"{file_name(self.document.design.name)}{DESIGN_EXTENSION}")
        path = self.ask_save_path("Save design as", suggested, f"Designs (*{DESIGN_EXTENSION})")
        if not path:
            return False
        return self.save_to(with_suffix(path, DESIGN_EXTENSION), checked=False)

    def save_to(self, path: str | os.PathLike, checked: bool = True) -> bool:
        """Save the design to ``path``. Over its own file changed on disk since (``checked``): ask first.
        One save at a time: while one waits for its weights, another is refused, and a close asked for
        meanwhile (``close_when_saved``) happens once it has ended."""
        if self.saving:
            self.message_reported.emit("A save is under way: wait for it to end")
            return False
        same = self.document.path is not None and _same_file(path, self.document.path)
        if checked and same and self.document.changed_on_disk():
            answer = self.ask_changed_on_disk(str(path))
            if answer != "overwrite":
                return self.save_as() if answer == "save_as" else False
        self.saving = True
        try:
            return self._save_to(path)
        finally:
            self.saving = False
            self._close_if_asked()

    def _save_to(self, path: str | os.PathLike) -> bool:
        from netbuilder.io import save_design

        link = self.weights_link()
        design = self.document.design
        named = design.weights
        if link is not None:  # the trained weights first: a save without them is no save
            from netbuilder.io.atomic import resolve_target

            try:  # (but not beside a design file that cannot be replaced: a read-only handout)
                resolve_target(path)
            except NetbuilderError as e:
                self.show_error("Cannot save the design", str(e))
                return False
            # (as it is now, should another design replace it while the weights are written: a lesson, a recovery)
            before = (self.document.snapshot(), link.weights_name(Path(path)), link.runs())
            problem = link.write_weights(Path(path)) if Path(path).parent.is_dir() else None
            if problem:
                self.show_error("Cannot save the trained weights", f"{problem}. Nothing was saved: the "
                                "design keeps its unsaved changes, to save once its weights can be written.")
                return False
            if self.document.design is not design:
                return self._save_replaced(path, *before)
            self.document.name_weights_file(link.weights_name(Path(path)))  # (named after the file)
        try:
            save_design(self.document.snapshot(), path)
        except (NetbuilderError, OSError) as e:
            self.document.name_weights_file(named)  # the design still names what its own file names
            self.show_error("Cannot save the design", str(e) if isinstance(e, NetbuilderError)
                            else f"{path}: {e.strerror or e}")
            return False
        self.document.set_path(path)
        if link is not None:
            link.saved(Path(path))  # the runs beside it; the weights no longer waiting
        self.add_recent(path)
        self.clear_autosave()
        self.message_reported.emit(f"Saved {path}")
        return True

    def _save_replaced(self, path: str | os.PathLike, design: Design, weights: str | None, runs: list) -> bool:
        """Another design replaced the one being saved while its weights were written: the saved one is
        written as it was, beside its weights, with its runs; the design open now is left as it is."""
        from netbuilder.io import save_design

        design.weights = weights
        try:
            save_design(design, path)
        except (NetbuilderError, OSError) as e:
            self.show_error("Cannot save the design", str(e) if isinstance(e, NetbuilderError)
                            else f"{path}: {e.strerror or e}")
            return False
        self.weights_link().save_runs(Path(path), runs)
        self.add_recent(path)
        self.message_reported.emit(f"Saved {path} (the design open now replaced it meanwhile)")
        return True

    def weights_link(self):
        """What writes the trained weights beside the design (training/design_link.py), when the window
        trains; None otherwise."""
        return getattr(getattr(self.window, "training", None), "link", None)

    # ----- recent files -------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if p]

    def add_recent(self, path: str | os.PathLike) -> None:
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", items[:MAX_RECENT])
        if not is_bundled(path):  # (the next dialog opens in the user's folders, not in the installation)
            self.settings.setValue("last_dir", str(Path(path).parent))
        self.recent_changed.emit(items[:MAX_RECENT])

    def remove_recent(self, path: str | os.PathLike) -> bool:
        """Take ``path`` off the recent designs (it is gone); True when it was there."""
        resolved = str(Path(path).resolve())
        items = self.recent_files()
        kept = [p for p in items if p not in (resolved, str(path))]
        if len(kept) == len(items):
            return False
        self.settings.setValue("recent_files", kept)
        self.recent_changed.emit(kept)
        return True

    def last_dir(self) -> str:
        """The folder of the design last opened or saved: where the file dialogs start."""
        folder = str(self.settings.value("last_dir", str(Path.home())))
        return str(Path.home()) if is_bundled(folder) else folder

    # ----- autosave and recovery ----------------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the design beside the user's data if it has unsaved changes: edits, or trained weights that
        no saved file holds (these go beside it, with the runs: training/autosaved.py)."""
        link = self.weights_link()
        training = link is not None and link.c.running  # (its weights are written now and then, beside)
        if not (self.document.is_modified or training) or not self.autosave_timer.isActive():  # (closed)
            return None
        from netbuilder.io import save_design

        target = own_autosave()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if link is not None:
                link.autosaved.write(target)
            save_design(self.document.snapshot(), target)
            target.with_suffix(".json").write_text(json.dumps(
                {"path": str(self.document.path) if self.document.path else None}))
        except (NetbuilderError, OSError, ValueError) as e:  # (ValueError: runs that cannot be written as JSON)
            self.message_reported.emit(f"Autosave failed: {e}")
            return None
        return target

    def clear_autosave(self) -> None:
        remove_autosave(own_autosave())

    def stop_autosave(self) -> None:
        """The window closes (its design saved or let go): no autosave is left, nor written after."""
        self.autosave_timer.stop()
        self.clear_autosave()

    def leftover_autosaves(self) -> list[Path]:
        """Autosaves of sessions that did not end cleanly (not this one's, nor a running window's)."""
        folder = autosave_dir()
        if not folder.is_dir():
            return []
        own = own_autosave().name
        return sorted((p for p in folder.glob("autosave_*.nbd") if p.name != own and not owner_alive(p)),
                      key=lambda p: p.stat().st_mtime, reverse=True)

    def offer_recovery(self) -> bool:
        """After a crash: offer every leftover autosave, newest first, each named by its design, until one is
        recovered (a window shows one design: the others are kept and offered at the next start). Each is
        recovered, discarded or kept as the student answers; none goes unasked. A recovered design stays
        'modified', and its autosave becomes this window's own (until it is saved or closed)."""
        leftovers = self.leftover_autosaves()
        recovered = False
        for i, leftover in enumerate(leftovers):
            if recovered:
                left = len(leftovers) - i
                self.message_reported.emit(f"{left} more autosaved design{'s' * (left != 1)} kept: netbuilder "
                                           "offers them again the next time it starts")
                break
            design, meta, problem = read_autosave(leftover)
            of = f"{i + 1} of {len(leftovers)} unsaved designs" if len(leftovers) > 1 else ""
            answer = self.ask_recover(autosave_text(leftover, design, meta, problem, of))
            if isinstance(answer, bool):  # (a yes / no answer: recover, or keep it for later)
                answer = "recover" if answer else "later"
            if answer == "discard":
                remove_autosave(leftover)
            elif answer == "recover":
                if design is None:
                    self.show_error("Cannot recover", problem or "the autosave cannot be read")
                    continue
                if autosaved_weights(leftover) is not None:
                    design.weights = None  # (the autosaved weights are loaded, not those its file names)
                self.document.set_design(design, meta.get("path"))
                self.document.undo_stack.resetClean()
                own = own_autosave()
                try:  # (kept until the recovered design is saved: a second crash loses nothing)
                    move_autosave(leftover, own)
                except OSError:
                    own = leftover
                weights = autosaved_weights(own)
                if self.weights_link() is not None:  # its trained weights and runs, as autosaved
                    self.weights_link().autosaved.recover(own, weights)
                with_weights = " with its trained weights" if weights is not None else ""
                self.message_reported.emit(f'Recovered "{design.name or "untitled"}"{with_weights}: save it to keep it')
                recovered = True
        return recovered

    # ----- exports --------------------------------------------------------------------------
    def export_model(self, fmt: str) -> bool:
        suffix = {"python": ".py", "pt2": ".pt2", "onnx": ".onnx"}[fmt]
        base = self.document.path.with_suffix(suffix) if self.document.path else Path(self.last_dir()) / (
            file_name(self.document.design.name) + suffix)
        path = self.ask_save_path(f"Export as {EXPORT_FILTERS[fmt]}", str(base), EXPORT_FILTERS[fmt])
        return self.export_model_to(with_suffix(path, suffix), fmt) if path else False

    def export_model_to(self, path: str | os.PathLike, fmt: str) -> bool:
        """Export in the background (the workbench's executor) with the current trained weights, if any;
        a progress dialog offers Cancel. True when the export was started."""
        workbench = getattr(self.window, "workbench", None)
        if workbench is None:
            return False
        self.document.flush()
        if not self.document.analysis.valid:
            self.show_error("Cannot export", f"the design has problems to fix first: {self.document.analysis.errors[0]}")
            return False
        ticket = workbench.export(path, fmt)
        self._exports[ticket] = str(path)
        dialog = QProgressDialog(f"Exporting {Path(path).name}…", "Cancel", 0, 0, self.window)
        dialog.setWindowTitle("Export")
        dialog.setMinimumDuration(400)
        dialog.canceled.connect(lambda t=ticket: workbench.cancel(t))
        self._export_dialogs[ticket] = dialog
        return True

    def export_finished(self, event) -> None:
        """The workbench's answer to an export (connected by the window)."""
        from netbuilder.workbench import events as ev

        path = self._exports.pop(event.ticket, None)
        dialog = self._export_dialogs.pop(event.ticket, None)
        if dialog is not None:
            dialog.reset()
            dialog.deleteLater()
        if path is None:
            return
        if isinstance(event, ev.TaskFailed):
            if event.cancelled:
                self.message_reported.emit(f"Export of {path} cancelled")
            else:
                self.show_error("Cannot export", event.message)
            return
        note = (f"with the {event.value.get('weights') or 'trained weights'}" if event.value.get("trained") else
                "untrained: the network has no trained weights yet (train it, then export again)")
        self.message_reported.emit(f"Exported {path} — {note}")
