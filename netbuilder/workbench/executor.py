"""The one background thread that runs everything torch does for the window: training, each view's
computation, exports, dataset loading and downloads, weights.

Tasks run one at a time, in order. A task not yet started is replaced by a newer one of the same key
(a view asks again: only the latest question counts). ``cancel(ticket)`` drops a queued task and tells
a running one through its ``TaskContext`` (``ctx.cancelled`` / ``ctx.check()``); ``ctx.progress`` posts
progress. A task's result, failure or cancellation is posted as a typed event. An unexpected exception is
logged with its traceback (``netbuilder.log``) and becomes one line naming the log file.

Imports the standard library and netbuilder.log only; never Qt.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netbuilder import log
from netbuilder.workbench.events import Event, Progress, TaskDone, TaskFailed

_tickets = itertools.count(1)


def next_ticket() -> int:
    return next(_tickets)


class Cancelled(Exception):
    """Raised by ``TaskContext.check()`` in a task that was cancelled."""


def expected_message(error: BaseException) -> str | None:
    """One plain line for the errors a user can cause (a design that does not compile, a missing file, a
    dataset that does not fit); None for a bug."""
    from netbuilder.errors import NetbuilderError

    if isinstance(error, NetbuilderError | ValueError):
        return (str(error).splitlines() or [type(error).__name__])[0]
    if isinstance(error, OSError):
        where = f"{error.filename}: " if getattr(error, "filename", None) else ""
        return f"{where}{error.strerror or error}"
    if isinstance(error, MemoryError):
        return "not enough memory for this (try a smaller batch or a smaller network)"
    if type(error).__name__ == "OutOfMemoryError":  # torch.cuda.OutOfMemoryError
        return "the GPU's memory is full (try a smaller batch or a smaller network)"
    return None


def message_for(error: BaseException, where: str) -> tuple[str, bool]:
    """``(one line, unexpected)``: unexpected errors are logged with their traceback first."""
    text = expected_message(error)
    if text is not None:
        return text, False
    return log.report_unexpected(error, where), True


@dataclass
class TaskContext:
    """What a running task may use: its ticket, whether it was cancelled, and progress reports."""

    key: str
    ticket: int
    post: Callable[[Event], None]
    _cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled(self.key)

    def progress(self, fraction: float | None, text: str = "") -> None:
        self.post(Progress(self.key, self.ticket, fraction, text))


@dataclass
class _Task:
    key: str
    fn: Callable[[TaskContext], Any]
    ctx: TaskContext
    deliver: Callable[[TaskContext, Any], Event | None] | None = None
    finish: bool = False  # run even when the window closes before it started (a file being saved)


class Executor:
    """``submit(key, fn)`` runs ``fn(ctx)`` on the executor thread and posts ``TaskDone(key, ticket, value)``
    (or what ``deliver(ctx, value)`` makes of the value), or ``TaskFailed``."""

    def __init__(self, post: Callable[[Event], None], name: str = "netbuilder-torch") -> None:
        self.post = post
        self._queue: OrderedDict[str, _Task] = OrderedDict()
        self._cond = threading.Condition()
        self._current: _Task | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    # ----- the GUI side --------------------------------------------------------------------------------
    def submit(self, key: str, fn: Callable[[TaskContext], Any], *,
               deliver: Callable[[TaskContext, Any], Event | None] | None = None, ticket: int | None = None,
               finish: bool = False) -> int:
        """Queue ``fn``; a queued (not started) task of the same key is replaced. Returns the ticket.
        ``finish``: the task runs even when ``shutdown`` comes before it started (the weights of a design
        saved as the window closes, behind the run that is stopping)."""
        ticket = next_ticket() if ticket is None else ticket
        task = _Task(key, fn, TaskContext(key, ticket, self.post), deliver, finish)
        with self._cond:
            if self._closed:
                return ticket
            old = self._queue.pop(key, None)
            if old is not None:
                old.ctx._cancel.set()
            self._queue[key] = task
            self._cond.notify()
        return ticket

    def cancel(self, ticket: int) -> bool:
        """Cancel the task with ``ticket``: dropped when queued, told when running. True when found."""
        with self._cond:
            for key, task in list(self._queue.items()):
                if task.ctx.ticket == ticket:
                    del self._queue[key]
                    self.post(TaskFailed(key, ticket, "cancelled", cancelled=True))
                    return True
            if self._current is not None and self._current.ctx.ticket == ticket:
                self._current.ctx._cancel.set()
                return True
        return False

    def cancel_key(self, key: str) -> None:
        with self._cond:
            task = self._queue.pop(key, None)
            if task is not None:
                task.ctx._cancel.set()
            if self._current is not None and self._current.key == key:
                self._current.ctx._cancel.set()

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._current is not None or bool(self._queue)

    def running_key(self) -> str | None:
        with self._cond:
            return self._current.key if self._current is not None else None

    def wait_idle(self, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while self.busy and time.monotonic() < end:
            time.sleep(0.005)
        return not self.busy

    @property
    def alive(self) -> bool:
        """The thread still runs (a task under way: a long training step is not cut short)."""
        return self._thread.is_alive()

    def shutdown(self, timeout: float = 20.0) -> bool:
        """Drop the queue (but the tasks that must finish), cancel the running task and join the thread for
        at most ``timeout`` s. True when it ended; else the (daemon) thread is left to the process's exit."""
        with self._cond:
            self._closed = True
            for key, task in list(self._queue.items()):
                if not task.finish:
                    task.ctx._cancel.set()
                    del self._queue[key]
            if self._current is not None:
                self._current.ctx._cancel.set()
            self._cond.notify_all()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # ----- the executor thread ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:  # closed, and nothing left that must finish
                    return
                _, task = self._queue.popitem(last=False)
                self._current = task
            try:
                self._run(task)
            finally:
                with self._cond:
                    self._current = None

    def _run(self, task: _Task) -> None:
        ctx = task.ctx
        try:
            ctx.check()
            value = task.fn(ctx)
            ctx.check()
            event = task.deliver(ctx, value) if task.deliver is not None else TaskDone(task.key, ctx.ticket, value)
        except Cancelled:
            event = TaskFailed(task.key, ctx.ticket, "cancelled", cancelled=True)
        except BaseException as e:  # noqa: BLE001  (the thread boundary: every failure becomes a message)
            try:
                text, unexpected = message_for(e, f"the background task {task.key!r}")
            except BaseException:  # noqa: BLE001  (--debug: show it here, keep the thread alive)
                traceback.print_exc()
                text, unexpected = f"{type(e).__name__}: {e}", True
            remedy = getattr(e, "remedy", "") if not unexpected else ""
            if remedy:
                text = (str(e.brief).splitlines() or [text])[0]  # type: ignore[attr-defined]
            event = TaskFailed(task.key, ctx.ticket, text, unexpected=unexpected, remedy=remedy)
        if event is not None and not self._closed:
            self.post(event)
