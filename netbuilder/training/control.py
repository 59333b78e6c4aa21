"""Control: the thread-safe way in to a running ``train()`` (stop, pause, resume, setting changes,
requests for filters and feature maps). The engine looks at it between steps. Stdlib only.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

# settings that may change during a run (applied at the next step boundary, e.g. on resume)
LIVE_SETTINGS = {"lr", "batch_size", "momentum", "nesterov", "weight_decay", "optimizer"}


@dataclass
class Request:
    id: int
    what: str  # "filters" | "feature_maps" | "weights" | "call"
    target: Any = None  # a node id (submodule name), or a callable for "call"
    options: dict = field(default_factory=dict)


class Control:
    """Made by the caller, passed to ``train``; every method may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._resumed = threading.Event()
        self._resumed.set()
        self._stop = False
        self._requests: list[Request] = []
        self._updates: dict[str, Any] = {}
        self._ids = itertools.count(1)
        # > 0: after each epoch, yield the validation set's probabilities (up to this many samples) as a
        # Predictions event; may be changed at any time (read at each epoch's end)
        self.keep_predictions = 0

    # ---- the caller's side
    def stop(self) -> None:
        with self._lock:
            self._stop = True
        self._resumed.set()

    def pause(self) -> None:
        self._resumed.clear()

    def resume(self) -> None:
        self._resumed.set()

    @property
    def paused(self) -> bool:
        return not self._resumed.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop

    def update(self, **settings: Any) -> None:
        """Change lr, batch_size, momentum, nesterov, weight_decay or optimizer; applied between steps
        (while paused: on resume). Changing the optimizer kind starts it afresh."""
        unknown = set(settings) - LIVE_SETTINGS
        if unknown:
            from netbuilder.training.config import ConfigError

            raise ConfigError(f"cannot change {', '.join(sorted(unknown))} during a run; "
                              f"these can change: {', '.join(sorted(LIVE_SETTINGS))}")
        with self._lock:
            self._updates.update(settings)

    def request(self, what: str, target: Any = None, **options: Any) -> int:
        """Ask for ``filters`` / ``feature_maps`` / ``weights`` of a node (by id), or ``call`` a function
        ``f(model, batch)`` between steps; the answer comes as a Response event with this id."""
        with self._lock:
            req = Request(next(self._ids), what, target, options)
            self._requests.append(req)
            return req.id

    # ---- the engine's side
    def take_requests(self) -> list[Request]:
        if not self._requests:
            return []
        with self._lock:
            taken, self._requests = self._requests, []
        return taken

    def take_updates(self) -> dict[str, Any]:
        if not self._updates:
            return {}
        with self._lock:
            taken, self._updates = self._updates, {}
        return taken

    def has_work(self) -> bool:
        """Cheap check made every step."""
        return self._stop or bool(self._requests) or bool(self._updates) or not self._resumed.is_set()

    def wait_resumed(self, timeout: float) -> bool:
        return self._resumed.wait(timeout)
