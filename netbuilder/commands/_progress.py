"""Progress on stderr for the long commands (train, evaluate): a redrawn one-line bar on a terminal;
plain lines when stderr is not a terminal (one per epoch, one per download or scan step); nothing
under ``-q``. Result lines are printed whatever the setting (``result``), on stdout."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 24
PLAIN_STEPS = 4  # a plain-text scan or download reports at 0, 25, 50, 75 and 100 %


class Progress:
    """What the long commands say while they work."""

    def __init__(self, enabled: bool, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last = 0.0
        self.reported: dict[str, int] = {}  # per download file / scan: the last quarter printed

    # ---- a terminal: a redrawn bar
    def draw(self, text: str, fraction: float, force: bool = False) -> None:
        """Redraw the bar (a terminal only, at most 5 times a second)."""
        now = time.monotonic()
        if not self.enabled or not self.tty or (not force and now - self.last < 0.2):
            return
        self.last = now
        filled = int(BAR_WIDTH * min(1.0, max(0.0, fraction)))
        print(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {100 * fraction:5.1f}% {text}"[:160].ljust(100),
              end="", file=self.stream, flush=True)

    # ---- any stream
    def line(self, text: str) -> None:
        """One line of progress (an epoch, a note); overwrites the bar on a terminal."""
        if self.enabled:
            print(("\r" + text.ljust(100)) if self.tty else text, file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """A line that matters even under -q (a warning, a skipped file): always shown."""
        print(("\r" + text.ljust(100)) if self.tty and self.enabled else text, file=self.stream, flush=True)

    @staticmethod
    def result(text: str) -> None:
        """The command's result: always printed, on stdout."""
        print(text, flush=True)

    # ---- callbacks for the data layer
    def data(self, *args) -> None:
        """The data layer's progress: ``(file, bytes_done, bytes_total|None)`` for a download, or
        ``(text, fraction|None)`` for a scan step."""
        if len(args) == 3:
            name, done, total = args
            self._download(str(name), int(done), total)
        elif len(args) == 2:
            self._step(str(args[0]), args[1])

    def _download(self, name: str, done: int, total: int | None) -> None:
        fraction = done / total if total else 0.0
        text = f"downloading {name} {done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
        if self.tty:
            self.draw(text, fraction, force=bool(total and done >= total))
            return
        self._plain(f"download {name}", text, fraction if total else None, bool(total) and done >= total)

    def _step(self, text: str, fraction: float | None) -> None:
        if self.tty:
            if fraction is None:
                self.line(text)
            else:
                self.draw(text, float(fraction), force=fraction >= 1)
            return
        key = "scan " + "".join(c for c in text if not c.isdigit())  # "checked 5 of 9" and "checked 9 of 9"
        self._plain(key, text, None if fraction is None else float(fraction), fraction is not None and fraction >= 1)

    def _plain(self, key: str, text: str, fraction: float | None, finished: bool) -> None:
        """A plain line when a new quarter is reached (or at the start, or at the end)."""
        if fraction is None:
            if key in self.reported and not finished:
                return
            self.reported[key] = 0
            self.line(text)
            return
        quarter = PLAIN_STEPS if finished else int(fraction * PLAIN_STEPS)
        if self.reported.get(key, -1) >= quarter:
            return
        self.reported[key] = quarter
        self.line(text)
