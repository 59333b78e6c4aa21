"""The workbench's one executor (no Qt): tasks in order, a newer task of a key replaces a queued one,
cancel and progress, and unexpected errors logged with one line naming the log."""

from __future__ import annotations

import threading
import time

from netbuilder import log
from netbuilder.workbench.events import Progress, TaskDone, TaskFailed
from netbuilder.workbench.executor import Executor


class Inbox(list):
    def wait_for(self, test, timeout: float = 10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = [e for e in list(self) if test(e)]
            if found:
                return found[-1]
            time.sleep(0.005)
        raise AssertionError(f"no such event in {self}")


def gate():
    started, release = threading.Event(), threading.Event()

    def blocker(ctx):
        started.set()
        release.wait(10)
        return "blocked"
    return started, release, blocker


def test_a_queued_task_is_replaced_by_a_newer_one_of_its_key():
    inbox = Inbox()
    ex = Executor(inbox.append)
    started, release, blocker = gate()
    ex.submit("block", blocker)
    assert started.wait(5)
    ex.submit("view", lambda ctx: "old")
    ex.submit("view", lambda ctx: "new")
    release.set()
    assert ex.wait_idle(10)
    done = [e.value for e in inbox if isinstance(e, TaskDone) and e.key == "view"]
    assert done == ["new"]
    assert ex.shutdown(5)


def test_cancel_drops_a_queued_task_and_tells_a_running_one():
    inbox = Inbox()
    ex = Executor(inbox.append)
    seen = threading.Event()

    def long(ctx):
        ctx.progress(0.5, "half way")
        while not ctx.cancelled:
            seen.set()
            time.sleep(0.005)
        ctx.check()
    running = ex.submit("long", long)
    queued = ex.submit("later", lambda ctx: 1)
    assert seen.wait(5)
    assert ex.cancel(queued) and ex.cancel(running)
    failed = inbox.wait_for(lambda e: isinstance(e, TaskFailed) and e.ticket == running)
    assert failed.cancelled and not failed.unexpected
    assert inbox.wait_for(lambda e: isinstance(e, TaskFailed) and e.ticket == queued).cancelled
    assert any(isinstance(e, Progress) and e.fraction == 0.5 and e.text == "half way" for e in inbox)
    assert not any(isinstance(e, TaskDone) for e in inbox)
    assert ex.shutdown(5)


def test_user_errors_are_one_line_and_bugs_are_logged_with_their_traceback(tmp_path):
    log.use_log_file(tmp_path / "errors.log")
    try:
        inbox = Inbox()
        ex = Executor(inbox.append)
        ex.submit("user", lambda ctx: (_ for _ in ()).throw(ValueError("no such layer\nsecond line")))
        ex.submit("bug", lambda ctx: {}["missing"])
        assert ex.wait_idle(10)
        user = inbox.wait_for(lambda e: isinstance(e, TaskFailed) and e.key == "user")
        bug = inbox.wait_for(lambda e: isinstance(e, TaskFailed) and e.key == "bug")
        assert user.message == "no such layer" and not user.unexpected
        assert bug.unexpected and bug.message.startswith("KeyError") and str(tmp_path / "errors.log") in bug.message
        text = (tmp_path / "errors.log").read_text()
        assert "Traceback" in text and "KeyError" in text and "no such layer" not in text
        assert ex.shutdown(5)
    finally:
        log.use_log_file(None)


def test_shutdown_cancels_the_running_task_and_ends_the_thread():
    inbox = Inbox()
    ex = Executor(inbox.append)

    def forever(ctx):
        while True:
            ctx.check()
            time.sleep(0.005)
    ex.submit("forever", forever)
    time.sleep(0.05)
    assert ex.shutdown(5)
    assert not ex._thread.is_alive()


def test_an_error_with_a_remedy_says_it_briefly_and_names_the_remedy():
    from netbuilder.data.images import BadFilesError

    inbox = Inbox()
    ex = Executor(inbox.append)

    def bad(ctx):
        raise BadFilesError("pets/dog/broken.png: not an image", 1)
    ex.submit("dataset", bad)
    failed = inbox.wait_for(lambda e: isinstance(e, TaskFailed))
    assert failed.remedy == "skip_bad" and not failed.unexpected
    assert failed.message == "pets/dog/broken.png: not an image"  # the command line's advice left out
    assert "--skip-bad" in str(BadFilesError("x", 2)) and "skip it" in str(BadFilesError("x", 1))
    ex.submit("other", lambda ctx: (_ for _ in ()).throw(ValueError("plain")))
    plain = inbox.wait_for(lambda e: isinstance(e, TaskFailed) and e.key == "other")
    assert plain.remedy == "" and plain.message == "plain"
    ex.shutdown()
