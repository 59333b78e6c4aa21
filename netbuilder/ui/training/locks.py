"""A locked (frozen) layer left with random weights beside trained ones: a run never trains it, so the network
never learns. After every edit, Undo, loaded or trained weights the workbench is asked which layers hold fresh
weights (once per structure and weights: ``Workbench.fresh_layers``); a locked one among them is warned on the
Train bar with an "Unlock" button, Train refuses (``refuse``), and Fit unlocks it in its own undo step
(``DesignLink.fit_design`` asks here and waits). Writes the design only through the Document. Qt only.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QTimer

from netbuilder.workbench import events as ev

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController

FRESH_VIEW = "fresh_layers"  # the workbench question: which layers hold fresh (random) weights beside trained ones
LOCK_WAIT_S = 5.0  # Fit and Train wait this long at most for that answer


class LockedRandom:
    def __init__(self, controller: TrainingController) -> None:
        self.c = controller
        self.document = controller.document
        self.wb = controller.wb
        # which layers hold random weights: the latest answer (for ``_fresh_key``), the questions in flight
        self.fresh: dict[str, Any] | None = None
        self._fresh_key: tuple | None = None
        self._asked, self._answers = {}, {}  # ticket -> the key it answers (None: Fit's) / its answer (waited)
        self._weights_epoch = 0  # goes up whenever the weights change (loaded, trained, dropped)
        self._waiting_fresh: tuple[int, QEventLoop] | None = None
        controller.bridge.received.connect(self._received)
        self.document.analysis_updated.connect(lambda _a: self.check())
        self.document.design_field_changed.connect(lambda name: self.show() if name == "training" else None)

    def weights_changed(self) -> None:
        self._weights_epoch += 1
        self.check()

    def key(self) -> tuple:
        return self.wb.state.signature, self._weights_epoch

    def ask(self, design, wait_s: float = 0.0, key: tuple | None = None) -> dict[str, Any] | None:
        """Ask which layers of ``design``'s model would hold fresh (random) weights beside trained ones (the answer
        for ``key``, the design now, is kept); ``wait_s``: wait that long and return it (None: not in time)."""
        if self.c.running or design is None:
            return None
        view = FRESH_VIEW if key is not None else f"{FRESH_VIEW}_fit"  # (Fit's: of a design not shown yet)
        ticket = self.wb.fresh_layers(design, view)
        self._asked[ticket] = key
        if wait_s <= 0:
            return None
        self._waiting_fresh = (ticket, QEventLoop())
        QTimer.singleShot(int(wait_s * 1000), self._waiting_fresh[1], self._waiting_fresh[1].quit)
        try:  # (the clicks wait: nothing changes the design meanwhile; a close waits for the answer)
            with close_waits(self.c.window):
                self._waiting_fresh[1].exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            self._waiting_fresh = None
        return self._answers.pop(ticket, None)

    def _received(self, event: ev.Event) -> None:
        if not isinstance(event, ev.ViewResult) or not event.view.startswith(FRESH_VIEW) or event.ticket not in self._asked:
            return
        key = self._asked.pop(event.ticket)
        value = None if event.message is not None else dict(event.value or {})
        if key is not None and key == self.key() and value is not None:
            self.fresh, self._fresh_key = value, key
        if self._waiting_fresh is not None and self._waiting_fresh[0] == event.ticket:
            self._answers[event.ticket] = value
            self._waiting_fresh[1].quit()
        elif key is not None:
            self.show()

    def check(self) -> None:
        """After an edit, an Undo, loaded or trained weights: ask again which layers hold fresh weights (once
        for each structure and weights), then say whether a locked one is among them (``show_locks``)."""
        if self.c.running or self.wb.state.design is None:
            return
        key = self.key()
        if not self.wb.has_weights:
            self.fresh, self._fresh_key = None, key
            self.show()
        elif key != self._fresh_key and key not in self._asked.values():
            self.ask(self.wb.state.design, key=key)

    def left(self) -> dict[str, str]:
        """The locked layers holding fresh (random) weights while others are trained or loaded, which a run
        would never train (node id -> why), as the latest answer for this design and weights says."""
        if self._fresh_key != self.key():
            return {}
        return locked_random(self.document.frozen, self.fresh)

    def text(self, left: dict[str, str]) -> str:
        it, one = ("it" if len(left) == 1 else "them"), len(left) == 1
        return (f"Locked layer{'' if one else 's'} {names(list(left))} {'holds' if one else 'hold'}"
                f" random weights ({reasons(left)}): a run leaves a locked layer as it is, so "
                f"{'it' if one else 'they'} would never learn, nor would the network. Unlock {it} to train {it}.")

    def show(self, refusal: bool = False) -> bool:
        """The warning (with its Unlock button) while a locked layer holds random weights, gone once none does
        (a design that does not fit its data says that first). ``refusal``: Train's "Cannot train yet"."""
        left, bar = self.left(), self.c.panel.messages
        shown = not bar.isHidden() and any(not b.isHidden() and b.property("key") == "unlock_fresh" for b in bar.buttons)
        if left and not self.c.running and not self.wb.state.problems and not self.wb.misfit():
            text = ("Cannot train yet: " if refusal else "") + self.text(left)
            if not (shown and bar.label.text() == text):
                button = f"Unlock {next(iter(left))}" if len(left) == 1 else "Unlock them"
                self.c.show_message(text, "error" if refusal else "warning", (("unlock_fresh", button),))
            return True
        if shown and not self.c.running:
            bar.dismiss()
        return False

    def unlock(self) -> bool:
        """Unlock the locked layers that hold random weights (one undo step)."""
        left = self.left()
        if left:
            self.document.set_frozen(list(left), False)
            self.c.status(f"Unlocked {names(list(left))}: the next run trains {'it' if len(left) == 1 else 'them'}")
        return bool(left)

    def refuse(self) -> bool:
        """Before a run starts (Train): True, and the bar says why with the Unlock button, when a locked layer
        would hold random weights. Waits a moment for the answer about the design as it is when none is in."""
        if self.c.running or not self.wb.has_weights or not self.document.frozen:
            return False
        if self._fresh_key != self.key():
            design = self.document.design
            self.ask(self.wb.state.design, LOCK_WAIT_S, key=self.key())
            files = getattr(self.c.window, "files", None)
            replaced = self.document.design is not design
            if replaced or getattr(files, "close_when_saved", False):  # (while it waited)
                self.c.status("Train did not start: " + ("another design was opened meanwhile" if replaced
                                                          else "the window is closing"))
                return True
        return self.show(refusal=True)


def close_waits(window):
    """While the GUI thread waits in a nested event loop (``ask``, ``DesignLink.write_weights``): a close of
    ``window`` asked for meanwhile waits for the end of the wait (``FileController.waiting``)."""
    files = getattr(window, "files", None)
    return files.waiting() if files is not None else nullcontext()


def locked_random(frozen: list[str], answer: dict[str, Any] | None) -> dict[str, str]:
    """The ``frozen`` layers that ``answer`` (``host.fresh_layers_job``'s) says hold fresh weights beside
    trained ones, with why."""
    fresh = (answer.get("fresh") or {}) if answer and answer.get("trained") else {}
    return {n: str(fresh[n]) for n in frozen if n in fresh}


def names(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def reasons(left: dict[str, str]) -> str:
    """``its input shape changed`` for one layer, ``dense_1: its input shape changed; …`` for more."""
    return next(iter(left.values())) if len(left) == 1 else "; ".join(f"{n}: {why}" for n, why in left.items())
