"""Threads of the training window: ``TrainWorker`` (a QThread running ``netbuilder.training.train``
and forwarding its events as lists of plain dicts, step events batched ~30 times a second) and
``BackgroundTasks`` (one short task at a time when no run is training: dataset previews, weights,
views of an idle model; a newer task of the same key replaces a queued one).

Only plain values leave these threads (rule 6). torch is imported here lazily, on the threads.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from netbuilder.graph import Design
from netbuilder.ui.training import jobs

FLUSH_SECONDS = 0.03


@dataclass
class TrainJob:
    design: Design  # a snapshot: the worker never sees the document
    dataset: dict[str, Any]
    settings: dict[str, Any]
    policy: str = "keep"  # "keep" the weights that fit, or start "fresh"


def plain_event(event: Any) -> dict[str, Any]:
    """An engine event as a flat dict (its fields are plain values already; no deep copy)."""
    out = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    out["kind"] = event.kind
    return out


def setup_fault(error: BaseException) -> dict[str, Any]:
    from netbuilder.errors import NetbuilderError

    if isinstance(error, NetbuilderError):
        message = str(error).splitlines()[0]
        advice = "fix the design or the training settings, then press Train again"
        diagnostics = getattr(error, "diagnostics", None)
        if diagnostics:
            first = diagnostics[0]
            message = f"the design cannot be compiled: {getattr(first, 'message', first)}"
            advice = getattr(first, "fix", "") or "see the Problems list, fix them, then press Train again"
    else:
        message, advice = f"{type(error).__name__}: {error}".splitlines()[0], "this looks like a bug; please report it"
    return {"kind": "fault", "fault": "setup", "message": message, "advice": advice, "epoch": 0, "step": 0}


class TrainWorker(QThread):
    """Runs one training job. ``events`` carries lists of plain dicts; ``control`` is the engine's
    thread-safe Control (stop, pause, resume, update, request)."""

    events = Signal(list)

    def __init__(self, job: TrainJob, host: jobs.ModelHost, control, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("netbuilder-training")
        self.job, self.host, self.control = job, host, control
        self._abort = threading.Event()
        self._pending: list[dict[str, Any]] = []
        self._last_flush = 0.0

    def abort(self) -> None:
        """Stop as soon as possible (the window is closing): the generator is closed at once."""
        self._abort.set()
        self.control.stop()

    def _send(self, item: dict[str, Any], force: bool = False) -> None:
        self._pending.append(item)
        now = time.perf_counter()
        if force or item["kind"] != "step" or now - self._last_flush >= FLUSH_SECONDS:
            batch, self._pending = self._pending, []
            self._last_flush = now
            self.events.emit(batch)

    def run(self) -> None:  # the worker thread
        with self.host.lock:
            try:
                self._run()
            except Exception as e:  # noqa: BLE001  (any failure becomes a message, never a crash)
                self._send(setup_fault(e) | {"fault": "error"}, force=True)
            finally:
                if self._pending:
                    self._send({"kind": "flush"}, force=True)

    def _run(self) -> None:
        from netbuilder.errors import NetbuilderError
        from netbuilder.training import TrainConfig, train

        job = self.job
        try:
            data = jobs.ensure_data(self.host, job.dataset)
            built = jobs.build_model(self.host, job.design, job.policy)
            config = TrainConfig.from_dict(job.settings)
        except (NetbuilderError, OSError, ValueError) as e:
            self._send(setup_fault(e), force=True)
            return
        if self._abort.is_set():
            return
        self._send({"kind": "prepared", "kept": built["kept"], "fresh": built["fresh"],
                    "data": jobs.describe_data(data), "settings": config.to_dict()}, force=True)
        self.host.trained = True
        events = train(self.host.model, data, config, self.control)
        try:
            for event in events:
                if self._abort.is_set():
                    break
                self._send(plain_event(event))
        finally:
            events.close()


class BackgroundTasks(QObject):
    """One worker thread for short torch tasks while no run trains; results come back as
    ``finished(key, result)`` on the GUI thread. Exceptions become ``{"error": text}``."""

    finished = Signal(str, object)

    def __init__(self, host: jobs.ModelHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netbuilder-task")
        self._queued: dict[str, Callable[[], Any]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._busy = 0

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def submit(self, key: str, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` (under the host's lock) soon; replaces a not yet started task of the same key."""
        if self._closed:
            return
        with self._lock:
            fresh = key not in self._queued
            self._queued[key] = fn
            self._busy += fresh
        if fresh:
            self._pool.submit(self._run, key)

    def _run(self, key: str) -> None:
        with self._lock:
            fn = self._queued.pop(key)
        try:
            with self.host.lock:
                result = jobs.guarded(fn)()
        finally:
            with self._lock:
                self._busy -= 1
        if not self._closed:
            self.finished.emit(key, result)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while self._busy and time.monotonic() < end:
            time.sleep(0.005)
        return not self._busy

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
