"""Runs the explore views' jobs off the GUI thread and brings plain results back as a signal.

Where the model comes from:
- a run is training (the training controller's worker): the job goes in as a ``Control`` "call"
  request, answered between steps on a copy of the live model; the answer is read from the worker's
  event stream;
- a training controller, idle: under its host lock the model is (re)built for the design (keeping
  trained weights) and deep-copied; the job then runs on the copy in this runner's thread;
- no training controller: the design is compiled fresh here (untrained weights) and its dataset loaded.

One thread; a newer job of the same key replaces a queued one. Qt here; torch only on the threads.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

Job = Callable[[Any, Any], dict]


def _error(e: BaseException) -> dict:
    from netbuilder.errors import NetbuilderError

    text = str(e) if isinstance(e, NetbuilderError | ValueError) else f"{type(e).__name__}: {e}"
    return {"error": (text.splitlines() or [type(e).__name__])[0]}


def _guarded(fn: Job, model: Any, data: Any) -> dict:
    try:
        return fn(model, data)
    except Exception as e:  # noqa: BLE001  (shown in the view as one line)
        return _error(e)


class ExploreRunner(QObject):
    """``submit(key, job, needs_model=True)``; results arrive as ``finished(key, result)`` where result
    is the job's dict plus ``trained`` (bool) and ``source`` (text), or ``{"error": ...}``."""

    finished = Signal(str, object)

    def __init__(self, document, training_controller=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document, self.tc = document, training_controller
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netbuilder-explore")
        self._queued: dict[str, tuple[Job, bool]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._busy = 0
        self._requests: dict[int, str] = {}
        self._hooked = None
        # own model and data (no training controller, or for loaded weights without one)
        self._model = None
        self._signature: tuple | None = None
        self._data = None
        self._data_key: tuple | None = None
        self.loaded_weights = False

    @property
    def busy(self) -> bool:
        return self._busy > 0 or bool(self._requests)

    # ----- submitting ----------------------------------------------------------------------------------
    def submit(self, key: str, job: Job, needs_model: bool = True) -> None:
        if self._closed:
            return
        tc = self.tc
        if tc is not None and getattr(tc, "running", False) and getattr(tc, "control", None) is not None:
            self._hook_worker()
            if key in self._requests.values():
                return  # one request per view in flight

            def call(model, data, job=job):
                result = _guarded(job, copy.deepcopy(model) if needs_model else None, data)
                return {**result, "trained": True, "source": "the model being trained (live)"}
            self._requests[tc.control.request("call", call)] = key
            return
        snapshot, spec = self.document.snapshot(), dict(self.document.design.dataset or {"name": "digits"})
        with self._lock:
            fresh = key not in self._queued
            self._queued[key] = (job, needs_model)
            self._busy += fresh
        if fresh:
            self._pool.submit(self._run, key, snapshot, spec)

    def _run(self, key: str, snapshot, spec: dict) -> None:
        with self._lock:
            job, needs_model = self._queued.pop(key)
        try:
            try:
                model, data, trained, source = self._model_and_data(snapshot, spec, needs_model)
            except Exception as e:  # noqa: BLE001  (a design that does not compile, a missing dataset)
                result = _error(e)
            else:
                result = _guarded(job, model, data)
                result.setdefault("trained", trained)
                result.setdefault("source", source)
        finally:
            with self._lock:
                self._busy -= 1
        if not self._closed:
            self.finished.emit(key, result)

    def _model_and_data(self, snapshot, spec: dict, needs_model: bool):
        tc = self.tc
        if tc is not None and hasattr(tc, "host"):
            from netbuilder.ui.training import jobs

            with tc.host.lock:
                data = jobs.ensure_data(tc.host, spec)
                if not needs_model:
                    return None, data, False, ""
                jobs.build_model(tc.host, snapshot, getattr(getattr(tc, "link", None), "policy", "keep"))
                trained = bool(tc.host.trained)
                return copy.deepcopy(tc.host.model), data, trained, \
                    "trained weights" if trained else "untrained weights"
        data = self.own_data(spec)
        if not needs_model:
            return None, data, False, ""
        model = self.own_model(snapshot)
        return copy.deepcopy(model), data, self.loaded_weights, \
            "loaded weights" if self.loaded_weights else "untrained weights"

    # ----- own model and data (runner thread only) -------------------------------------------------------
    def own_data(self, spec: dict):
        from netbuilder.data import load_dataset

        key = (spec.get("name"), repr(sorted((k, repr(v)) for k, v in spec.items() if k != "name")))
        if self._data is None or self._data_key != key:
            self._data = load_dataset(spec.get("name") or "digits", **{k: v for k, v in spec.items() if k != "name"})
            self._data_key = key
        return self._data

    def own_model(self, snapshot):
        from netbuilder.compiler import compile_design

        signature = _signature(snapshot.graph)
        if self._model is None or self._signature != signature:
            self._model, self._signature, self.loaded_weights = compile_design(snapshot), signature, False
        return self._model

    def run_on_model(self, key: str, fn: Callable[[Any, Any], dict]) -> None:
        """Run ``fn(model, design)`` on THE model training would use (not a copy), e.g. to load weights
        into it; under the training host's lock when there is a training controller."""
        snapshot = self.document.snapshot()

        def task():
            tc = self.tc
            if tc is not None and hasattr(tc, "host"):
                from netbuilder.ui.training import jobs

                with tc.host.lock:
                    jobs.build_model(tc.host, snapshot, getattr(getattr(tc, "link", None), "policy", "keep"))
                    result = _guarded(lambda m, d: fn(m, d), tc.host.model, snapshot)
                    if "error" not in result:
                        tc.host.trained = True
                return result
            result = _guarded(lambda m, d: fn(m, d), self.own_model(snapshot), snapshot)
            if "error" not in result:
                self.loaded_weights = True
            return result

        with self._lock:
            self._busy += 1
        self._pool.submit(self._run_task, key, task)

    def _run_task(self, key: str, task: Callable[[], dict]) -> None:
        try:
            result = task()
        finally:
            with self._lock:
                self._busy -= 1
        if not self._closed:
            self.finished.emit(key, result)

    # ----- answers from a training run -----------------------------------------------------------------
    def _hook_worker(self) -> None:
        worker = getattr(self.tc, "worker", None)
        if worker is not None and worker is not self._hooked:
            worker.events.connect(self._on_events)
            self._hooked = worker

    def _on_events(self, events: list) -> None:
        for ev in events:
            if ev.get("kind") == "response" and ev.get("request_id") in self._requests:
                key = self._requests.pop(ev["request_id"])
                data = ev.get("data")
                self.finished.emit(key, data if isinstance(data, dict) else {"error": ev.get("error") or "no answer"})
            elif ev.get("kind") in ("finished", "fault"):
                self._requests.clear()

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        import time

        end = time.monotonic() + timeout
        while self._busy and time.monotonic() < end:
            time.sleep(0.005)
        return not self._busy


def _signature(graph) -> tuple:
    nodes = tuple(sorted((n.id, n.kind, repr(sorted(n.params.items()))) for n in graph.iter_nodes()))
    return nodes, tuple(sorted((e.src, e.dst, e.port) for e in graph.edges))
