"""The design's dataset as the Train workspace shows it: loading, loaded (with the files it skipped), or
failed; choosing one (the box's entries, "Image folder or CSV file…" with its chooser, a folder or a .csv
dropped on the window); what Train says while there is none; and the "Skip the unreadable files" answer to a folder
with bad files (it sets the dataset's ``skip_bad`` through the Document, which reloads it). Also what
Train says when the design does not fit its dataset and Fit has already failed on it.

Writes the design only through the Document. Qt-free itself (it drives the controller's widgets).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController

LOADING_TORCH = "Loading PyTorch and the dataset… press Train again in a moment."
LOADING_DATA = "Loading the dataset… press Train again in a moment."
SKIP_KEY, SKIP_TEXT = "skip_bad", "Skip the unreadable files"
RELOAD_KEY, RELOAD_TEXT = "reload_dataset", "Load it again"
LISTED = 3  # skipped files named in the message (the rest counted)


def failure_text(message: str, skippable: bool = False) -> str:
    """The message for a dataset that could not be loaded; ``skippable``: skipping its bad files would help
    (the failure's remedy is ``skip_bad``; its message then leaves out the command line's advice)."""
    inner = message.rstrip(" ;.")
    if skippable:
        return (f"The dataset could not be loaded ({inner}): pick another dataset, remove or replace the "
                f"unreadable files (then “{RELOAD_TEXT}”), or press “{SKIP_TEXT}” to train without them")
    return f"The dataset could not be loaded ({inner}): pick another dataset, or fix the files and press “{RELOAD_TEXT}”"


def skipped_text(skipped: list[str]) -> str:
    """``Skipped 3 unreadable files: a.png, b.txt, c.jpg`` (the files by name; "path: reason" lines given)."""
    names = [Path(_path_of(line)).name for line in skipped]
    shown = ", ".join(names[:LISTED]) + (f", … ({len(names) - LISTED} more)" if len(names) > LISTED else "")
    return f"Skipped {len(names)} unreadable file{'s' * (len(names) != 1)}: {shown}"


def _path_of(line: str) -> str:
    """The path of a "path: reason" line, where the path itself may hold ": " (a folder named "Pets: 2024")."""
    i = line.find(": ")
    while i >= 0:
        if os.path.exists(line[:i]):
            return line[:i]
        i = line.find(": ", i + 2)
    return line.split(": ", 1)[0]


def _name(spec: dict[str, Any]) -> str:
    """The dataset's name as the panel says it (a folder or file by its own name)."""
    name = str(spec.get("name") or "digits")
    return Path(name).name if ("/" in name or "\\" in name) else name


class DatasetLink:
    def __init__(self, controller: TrainingController) -> None:
        self.c = controller
        self.shown_spec: dict[str, Any] | None = None  # the spec of the dataset the panel shows
        self.failure: tuple[dict[str, Any], str, str] | None = None  # (spec, message, remedy): the last failed load
        self._texts: set[str] = set()  # what this link put on the message bar (taken back once loaded)

    def _show(self, text: str, level: str, actions: tuple = ()) -> None:
        self._texts = {text}
        self.c.show_message(text, level, actions)

    # ----- the design names a dataset ------------------------------------------------------------------
    def spec_changed(self) -> None:
        """The design names another dataset (chosen, a design opened): nothing of the one before is shown."""
        spec = self.c.dataset_spec()
        if spec == self.shown_spec:
            return
        self.shown_spec = None
        if self.failure is not None and self.failure[0] != spec:
            self.failure = None
        if self.c.panel.dataset_info.text():  # (nothing shown yet, as the window opens: nothing to take back)
            self.c.panel.show_dataset_missing(_name(spec), "loading…")
        self.c.features.clear_dataset()
        self.c.boundary.set_points(None)

    def loaded(self, spec: dict[str, Any], info: dict[str, Any]) -> None:
        c = self.c
        self.shown_spec, self.failure = dict(spec), None
        if c.panel.progress_label.text().startswith("Dataset:"):
            c.panel.progress_label.setText("Ready")
        bar = c.panel.messages
        if not bar.isHidden() and bar.label.text() in self._texts:  # "Loading…", or a failure now past
            bar.dismiss()
        self._texts = set()
        c.panel.show_dataset(info)
        c.features.set_dataset(info)
        c.boundary.set_points(info.get("points") if info["input_shape"] == [2] else None)
        if info.get("skipped"):
            text = skipped_text(list(info["skipped"]))
            self._show(text, "info")
            c.status(text, 15000)
        for note in info.get("warnings", []):
            c.show_message(note, "warning")

    def failed(self, spec: dict[str, Any], message: str, remedy: str = "") -> None:
        c = self.c
        self.shown_spec, self.failure = None, (dict(spec), message, remedy)
        if c.panel.progress_label.text().startswith("Dataset:"):
            c.panel.progress_label.setText("Ready")
        c.panel.show_dataset_missing(_name(spec), "not loaded (see the message above)")
        c.features.clear_dataset()
        c.boundary.set_points(None)
        self.show_failure()

    def show_failure(self) -> None:
        if self.failure is None:
            return
        skippable = self.failure[2] == SKIP_KEY
        text = failure_text(self.failure[1], skippable)
        self._show(text, "error", ((RELOAD_KEY, RELOAD_TEXT),) + (((SKIP_KEY, SKIP_TEXT),) if skippable else ()))

    def reload(self) -> bool:
        """Load the dataset that failed again (its files fixed meanwhile): choosing it in the box again did
        nothing, and only another dataset and back would have tried."""
        if self.failure is None:
            return False
        spec = dict(self.failure[0])
        self.failure = None
        self.c.panel.show_dataset_missing(_name(spec), "loading…")
        self._show(LOADING_DATA, "info")
        self.c.wb.set_dataset(spec)
        return True

    # ----- choosing a dataset ---------------------------------------------------------------------------
    def choose(self, name: str) -> bool:
        """Train on ``name`` (a dataset's name, a folder or a file): the design's dataset, one undo step."""
        if self.c.dataset_spec().get("name") == name:  # (the one that failed: it is loaded again)
            return self.failure is not None and self.failure[0].get("name") == name and self.reload()
        return self.c.document.set_design_field("dataset", {"name": name}, f"train on {_name({'name': name})}")

    def browse(self) -> None:
        """The box's "Image folder or CSV file…": ask for the path (Cancel: the box stays on the dataset)."""
        from netbuilder.ui.training import panel  # (Qt: the chooser is the panel module's, replaced in tests)

        current = str(self.c.dataset_spec().get("name") or "")
        start = str(Path(current).parent) if ("/" in current or "\\" in current) else ""
        path = panel.ask_dataset_path(self.c.window, start)
        if not path or not self.choose(str(Path(path))):
            self.c.panel.show_current_dataset()

    def drop(self, path: str) -> bool:
        """A folder or a .csv dropped on the window becomes the dataset (nothing asked; the status bar says it)."""
        path = str(Path(path))  # (no trailing separator)
        name = _name({"name": path})
        if self.c.running:
            self.c.status(f"{name} was not set as the dataset: stop training first", 8000)
            return False
        if self.choose(path):
            self.c.status(f"Training on {name} now: it is the design's dataset (Undo takes it back)", 8000)
        else:
            self.c.status(f"{name} is already the dataset", 6000)
        return True

    # ----- Train pressed with no dataset ------------------------------------------------------------------
    def refuse_train(self) -> None:
        """Train was pressed while no dataset is loaded: say why (a failure again, or that it is loading)."""
        wb = self.c.wb
        if self.failure is not None and self.failure[0] == dict(wb.dataset_spec or {}):
            self.show_failure()
        else:
            self._show(LOADING_TORCH if wb.ready is None else LOADING_DATA, "info")

    # ----- the message bar's buttons --------------------------------------------------------------------
    def answer(self, key: str) -> None:
        if key == RELOAD_KEY:
            self.reload()
            return
        if key != SKIP_KEY:
            return
        spec = self.c.dataset_spec()
        if not spec.get("skip_bad"):
            spec["skip_bad"] = True
            self.c.document.set_design_field("dataset", spec, "skip the unreadable files")
