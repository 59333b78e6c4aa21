"""The trained weights and the runs of the window's autosave (ui/autosave.py): written beside the autosaved
design while no saved file holds them, and brought back with the design after a crash. Without them a
student whose window died after an hour of training got the design back and lost what it had learnt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from netbuilder.io import weights_path_for
from netbuilder.ui.training.run_history import RunsFileError, load_runs, runs_path_for, save_runs
from netbuilder.workbench import events as ev

if TYPE_CHECKING:
    from netbuilder.ui.training.design_link import DesignLink


class AutosavedWork:
    def __init__(self, link: DesignLink) -> None:
        from netbuilder.ui.autosave import own_autosave

        self.link = link
        link.wb.autosave_to = weights_path_for(own_autosave())  # (a run writes there now and then: run_loop.py)
        self.version = 0  # bumped whenever the session's weights become ones no saved file holds
        self._written = -1  # the version last written beside the autosave (-1: none there)
        self._tickets: set[int] = set()  # the workbench's writes of the autosave's weights
        self._recovering: Path | None = None  # the autosaved weights file being loaded back

    def write(self, target: Path) -> None:
        """Beside the autosaved design ``target``: the runs, and the trained weights that no saved file holds
        (written in the background, once per change; while a run trains, the run writes them now and then).
        Recovery takes the weights file being there as the sign (``autosave.autosaved_weights``). Raises
        OSError."""
        runs, runs_file = self.link.runs(), runs_path_for(target)
        if runs:
            save_runs(runs_file, runs)
        else:
            runs_file.unlink(missing_ok=True)
        if self.link.c.running:  # (what the run wrote last is what a crash keeps)
            return
        weights = weights_path_for(target)
        if not (self.link.wb.has_weights and self.link.weights_dirty):
            weights.unlink(missing_ok=True)
            self._written = -1
        elif self._written != self.version:
            self._tickets.add(self.link.wb.save_weights(weights))
            self._written = self.version

    def written(self, event: ev.TaskDone | ev.TaskFailed) -> bool:
        """A weights write ended: True when it was the autosave's (it fails in the status bar, quietly)."""
        if event.ticket not in self._tickets:
            return False
        self._tickets.discard(event.ticket)
        if isinstance(event, ev.TaskFailed):
            self._written = -1  # (tried again at the next autosave)
            if not event.cancelled:
                self.link.c.status(f"Autosave could not write the trained weights: {event.message}", 8000)
        return True

    def recover(self, target: Path, weights: Path | None) -> None:
        """The design of the autosave ``target`` was recovered: its runs on the curves, and its trained
        weights loaded back (``weights``: their file, if any), still to be saved."""
        runs_file = runs_path_for(target)
        if runs_file.is_file():
            try:
                self.link.c.curves.set_design_runs(load_runs(runs_file))
            except RunsFileError as e:
                self.link.c.show_message(f"The autosaved runs could not be read ({e}); the design was recovered "
                                         "without them.", "warning")
        if weights is not None:
            self._recovering = weights.resolve()
            self.link.wb.load_weights(weights)

    def is_recovery(self, loaded: str) -> bool:
        """The weights just loaded from ``loaded`` are the recovered autosave's (no saved file holds them)."""
        if self._recovering is None or Path(loaded).resolve() != self._recovering:
            return False
        self._recovering = None
        return True
