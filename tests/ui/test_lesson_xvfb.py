"""One lesson end to end in the real window (issue 15): ``netbuilder --lesson pooling`` on a 1280×720 Xvfb
screen, driven from outside with xdotool as a student at the keyboard would: each step's Show me (Alt+M),
its questions (Alt+1, Alt+2: type the answer and Enter, or pick the choice), Next (Alt+N), the last step's
training, Finish, then Quit discarding the changes.

It asserts: every check of every step was ticked and every question answered right (the progress the app
saves in its QSettings file, as it saves it), the lesson finished, no error dialog at any step, no traceback
on the app's output, no error log, exit status 0. Screenshots in /tmp/lesson_shots/ (and NETBUILDER_SHOTS).

Run:  .venv/bin/python -m pytest tests/ui/test_lesson_xvfb.py -m slow -p no:cacheprovider
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xvfb import Screen, app_env, xvfb_display  # tests/ui/xvfb.py

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.timeout(400)]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/lesson_shots")
SCREEN = (1280, 720)
ERROR_TITLE = re.compile(r"went wrong|error|exception|traceback|cannot|can't|could not|failed|problem|skip",
                         re.IGNORECASE)


def _answers() -> tuple[str, str]:
    """The right typed answers of the pooling lesson's shape questions, from the analysis (not typed in)."""
    from netbuilder.lessons import LessonState, apply_action, expected_answer, find_lesson

    lesson = find_lesson("pooling")
    state = LessonState()
    for action in lesson.steps[0].show_me:
        apply_action(action, state, engine=_NoTorch())
    first = expected_answer(lesson.steps[0].questions[0], state)
    apply_action(lesson.steps[1].show_me[0], state, engine=_NoTorch())
    second = expected_answer(lesson.steps[1].questions[0], state)
    return "x".join(map(str, first)), "x".join(map(str, second))


class _NoTorch:
    def reset(self) -> None:
        pass


class Run:
    def __init__(self, screen: Screen, app: subprocess.Popen, home: Path) -> None:
        self.screen, self.app, self.home = screen, app, home
        self.main = 0
        self.problems: list[str] = []
        self.n = 0

    def shot(self, name: str) -> Path | None:
        self.n += 1
        return self.screen.screenshot(SHOTS / f"{self.n:02d}-{name}.png")

    def dialogs(self) -> dict[int, str]:
        return {w: n for w, n in self.screen.windows().items() if w != self.main and ERROR_TITLE.search(n)}

    def check_no_dialog(self, step: str) -> None:
        if found := self.dialogs():
            self.shot(f"{step}-dialog")
            self.problems.append(f"{step}: a dialog {sorted(found.values())}")

    def press(self, *keys: str) -> None:
        self.screen.focus(self.main)
        self.screen.key(*keys)

    def progress(self) -> dict:
        from PySide6.QtCore import QSettings

        for conf in self.home.rglob("netbuilder.conf"):
            raw = QSettings(str(conf), QSettings.Format.IniFormat).value("lessons/pooling")
            if raw:
                return json.loads(raw)
        return {}

    def wait(self, what: str, ok, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.app.poll() is not None:
                self.problems.append(f"{what}: the app exited")
                return False
            try:
                if ok(self.progress()):
                    return True
            except (KeyError, TypeError, ValueError):
                pass
            time.sleep(0.3)
        self.shot(f"{what}-timeout")
        self.problems.append(f"{what}: not within {timeout:.0f} s (progress {self.progress()})")
        return False


def _wait_for_main_window(screen: Screen, app: subprocess.Popen, timeout: float = 90) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert app.poll() is None, "the app exited before its window showed"
        for wid, name in screen.windows().items():
            if name.endswith("netbuilder") and name.strip() != "netbuilder" and screen.geometry(wid)[2] > 400:
                return wid
        time.sleep(0.2)
    raise AssertionError(f"no netbuilder window within {timeout:.0f} s")


def test_pooling_lesson_end_to_end_in_the_real_window(tmp_path):
    started = time.monotonic()
    shape_1, shape_2 = _answers()
    home = tmp_path / "home"
    data = home / "data"
    data.mkdir(parents=True)
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    output = SHOTS / "app-output.txt"
    width, height = SCREEN
    with xvfb_display(f"{width}x{height}x24") as display:
        screen = Screen(display)
        env = app_env(display, home, data, ROOT)
        with output.open("w") as sink:
            app = subprocess.Popen([sys.executable, "-m", "netbuilder", "--lesson", "pooling"], cwd=ROOT, env=env,
                                   stdout=sink, stderr=subprocess.STDOUT)
        run = Run(screen, app, home)
        try:
            run.main = _wait_for_main_window(screen, app)
            run.wait("the lesson opens", lambda p: p["step"] == 0, 30)
            time.sleep(1.0)
            run.shot("opened")
            run.check_no_dialog("open")
            # Step 1: Show me opens the Digits CNN and selects maxpool2d_1; two typed answers.
            run.press("alt+m")
            run.wait("step 1's checks ticked", lambda p: p["checks"]["0"] == [0, 1] and 0 not in p["done"], 20)
            for key, text in (("alt+1", shape_1), ("alt+2", "0")):
                run.press(key)
                screen.type(text)
                screen.key("Return")
            run.wait("step 1's questions (and so the step done)",
                     lambda p: sorted(p["answers"]["0"]) == ["pool_params", "pool_shape"] and 0 in p["done"], 10)
            run.shot("step1")
            run.check_no_dialog("step 1")
            run.press("alt+n")
            run.wait("step 2 shown", lambda p: p["step"] == 1, 10)
            # Step 2: Show me deletes maxpool2d_2; a typed answer and a choice (the second: the largest value).
            run.press("alt+m")
            run.wait("step 2's checks ticked", lambda p: p["checks"]["1"] == [0, 1] and 1 not in p["done"], 20)
            run.press("alt+1")
            screen.type(shape_2)
            screen.key("Return")
            run.press("alt+2")
            screen.key("Down", "Down")
            run.wait("step 2's questions (and so the step done)",
                     lambda p: sorted(p["answers"]["1"]) == ["flat_size", "max_keeps"] and 1 in p["done"], 10)
            run.shot("step2")
            run.check_no_dialog("step 2")
            run.press("alt+n")
            run.wait("step 3 shown", lambda p: p["step"] == 2, 10)
            # Step 3: Show me adds the average pooling, sets the learning rate and trains for 3 epochs.
            run.press("alt+m")
            run.wait("step 3's checks ticked (trained)", lambda p: p["checks"]["2"] == [0, 1] and 2 in p["done"],
                     240)
            time.sleep(1.0)
            run.shot("step3-trained")
            run.check_no_dialog("step 3")
            run.press("alt+n")  # Finish (the last step's Next, Alt+N too)
            run.wait("the lesson finished", lambda p: p["finished"], 10)
            time.sleep(0.5)
            shot = run.shot("finished")
            if shot and (extra := os.environ.get("NETBUILDER_SHOTS")):
                shutil.copytree(SHOTS, extra, dirs_exist_ok=True)
            run.check_no_dialog("finish")
            # Quit, discarding the lesson's changes ("Save the changes?": Tab to Discard, Space).
            run.press("ctrl+q")
            time.sleep(1.5)
            if app.poll() is None:
                asking = {w: n for w, n in screen.windows().items() if w != run.main}
                for wid in asking:
                    screen.focus(wid)
                    screen.key("Tab")
                    time.sleep(0.2)
                    screen.key("space")
                    break
            try:
                app.wait(30)
            except subprocess.TimeoutExpired:
                run.problems.append("the app was still running 30 s after Quit")
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(10)
    progress = run.progress()
    out = output.read_text(errors="replace")
    problems = list(run.problems)
    if "Traceback" in out:
        problems.append("a traceback on the app's output")
    if logs := sorted(str(p.relative_to(data)) for p in data.rglob("*.log*")):
        problems.append(f"error log(s) written: {logs}")
    if app.returncode != 0:
        problems.append(f"the app exited with status {app.returncode}")
    if not (progress.get("finished") and sorted(progress.get("done", [])) == [0, 1, 2]):
        problems.append(f"the progress saved is not a finished lesson: {progress}")
    print(f"lesson end to end in {time.monotonic() - started:.0f} s; screenshots in {SHOTS}")
    assert not problems, "the lesson went wrong:\n  " + "\n  ".join(problems) + f"\n(see {SHOTS})"
