"""Issue 11's journey, as a student makes it, in the real window on a 1280×720 screen (Xvfb), driven
from outside with xdotool: a fresh start (the example on digits) → File ▸ New → Train → open ResNet-18,
which does not fit the 1×8×8 digits → Train → Train ▸ Fit Design to Dataset → Train a few seconds →
Stop → Save (the weights beside the file) → Quit → reopen the saved file → Quit.

It asserts: no error dialog at any step, no traceback on the app's output, no error log, the process
exits with status 0, and that each step really happened (the window title follows New, Open and Fit;
with tesseract, the screen's text: "does not fit" before Fit, epochs running after it).

Every step leaves a screenshot (and, with tesseract, the text read from it) in /tmp/journey_shots/ and,
when NETBUILDER_SHOTS names a folder, there too, with journey.json (each step's windows, title, new
output and screen text) and app-output.txt. The app is started from the checkout this file is in
(cwd and PYTHONPATH), with a fresh HOME, XDG_CONFIG_HOME and NETBUILDER_DATA_DIR.

Run:  .venv/bin/python -m pytest tests/ui/test_journey_xvfb.py -m slow -p no:cacheprovider
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from xvfb import Screen, app_env, tesseract, xvfb_display  # tests/ui/xvfb.py

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/journey_shots")
SCREEN = (1280, 720)
PRESET = "resnet18"

# A dialog whose title says something went wrong. (Menus and tooltips are windows named just "netbuilder".)
ERROR_TITLE = re.compile(r"went wrong|error|exception|traceback|bug|cannot|can't|could not|failed|problem|crash",
                         re.IGNORECASE)
# Text on the screen that tells of an error rather than a plain message (tesseract reads "ValueError" as
# "Value€rror" at times, hence "rror").
ERROR_TEXT = re.compile(r"rror\b|went wrong|traceback|looks like a bug|training stopped\s*:|expected input"
                        r"|cannot be multiplied|\bexception\b", re.IGNORECASE)
TRAINING = re.compile(r"epoch\s*\d+\s*/\s*\d+", re.IGNORECASE)
DOES_NOT_FIT = re.compile(r"does\s*not\s*fit", re.IGNORECASE)
STOPPED_WITH_RESULTS = re.compile(r"stopped after|accuracy", re.IGNORECASE)
ERROR_LINE = re.compile(r"^\s*(\w+\.)*\w*(Error|Exception|Warning)\b.*$", re.MULTILINE)


class JourneyStopped(Exception):
    """The journey cannot go on (the app exited, a dialog never came)."""


class Journey:
    def __init__(self, screen: Screen, app: subprocess.Popen, output: Path, shots: Path) -> None:
        self.screen, self.app, self.output, self.shots = screen, app, output, shots
        self.main: int | None = None
        self.records: list[dict] = []
        self.problems: list[str] = []
        self.notes: list[str] = []
        self._seen_output = 0
        self._shot_count = 0
        self._ocr = ThreadPoolExecutor(1)
        self._texts: list[tuple[str, str, Future]] = []  # (step, shot name, future text)
        self.t0 = time.monotonic()

    # ----- what can be seen ------------------------------------------------------------------
    def title(self) -> str:
        return self.screen.windows().get(self.main, "") if self.main else ""

    def dialogs(self) -> dict[int, str]:
        """Visible named windows other than the main one, menus and tooltips (named just "netbuilder")."""
        return {w: n for w, n in self.screen.windows().items() if w != self.main and n.strip() != "netbuilder"}

    def shot(self, step: str, what: str = "") -> tuple[Path | None, Future | None]:
        self._shot_count += 1
        name = f"{self._shot_count:02d}-{step}{'-' + what if what else ''}.png"
        path = self.screen.screenshot(self.shots / name)
        future = None
        if path is not None and self.screen.ocr_program:
            future = self._ocr.submit(self.screen.read_text, path)
            self._texts.append((step, name, future))
        return path, future

    def read_now(self, step: str, what: str) -> str | None:
        """A screenshot and, with tesseract, its text now (None without tesseract)."""
        _, future = self.shot(step, what)
        return future.result() if future is not None else None

    def new_output(self) -> str:
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        new, self._seen_output = text[self._seen_output:], len(text)
        return new

    def alive(self) -> bool:
        return self.app.poll() is None

    # ----- doing ---------------------------------------------------------------------------
    def focus_main(self) -> None:
        self.screen.focus(self.main)
        time.sleep(0.2)

    def press(self, *keys: str) -> None:
        self.focus_main()
        self.screen.key(*keys)

    def enter_path(self, step: str, dialog: int, path: Path, replace: bool = False) -> None:
        """Type ``path`` into a file dialog's name field (over the suggested name with ``replace``) and
        press Return until the dialog closes."""
        self.screen.focus(dialog)
        time.sleep(0.3)
        if replace:
            self.screen.key("ctrl+a")
        self.screen.type(str(path))
        time.sleep(0.5)
        self.shot(step, "typed")
        for _ in range(3):  # the first Return may only accept the completer's suggestion
            if dialog not in self.screen.windows():
                break
            self.screen.focus(dialog)
            self.screen.key("Return")
            time.sleep(1.5)
        self.check(dialog not in self.screen.windows(), f"{step}: the file dialog did not close after Return")

    def settle(self, step: str, seconds: float, expect: str | None = None) -> dict[int, str]:
        """Wait ``seconds`` watching for dialogs. One whose title matches ``expect`` is returned at once and
        left open; any other is recorded (an error if its title says so), photographed and dismissed."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                return {}
            found = self.dialogs()
            expected = {w: n for w, n in found.items() if expect and re.search(expect, n)}
            if expected:
                return expected
            for wid, name in found.items():
                self.dismiss(step, wid, name)
                deadline = max(deadline, time.monotonic() + 1.5)  # the next one may follow
            time.sleep(0.25)
        return {}

    def dismiss(self, step: str, wid: int, name: str) -> None:
        time.sleep(0.3)  # let it paint for the screenshot
        path, _ = self.shot(step, "dialog")
        if ERROR_TITLE.search(name):
            self.problems.append(f"{step}: an error dialog appeared: {name!r} (screenshot {path})")
        else:
            self.notes.append(f"{step}: a dialog appeared and was dismissed with Escape: {name!r} ({path})")
        for keys in (("Escape",), ("Return",)):
            if wid not in self.screen.windows():
                return
            self.screen.focus(wid)
            self.screen.key(*keys)
            time.sleep(0.5)

    def end_step(self, step: str, **facts) -> dict:
        """Record the step: windows, title, new output (tracebacks), a screenshot and its text."""
        new = self.new_output()
        path, future = self.shot(step)
        tracebacks = new.count("Traceback (most recent call last)")
        record = {"step": step, "t": round(time.monotonic() - self.t0, 1), "alive": self.alive(),
                  "title": self.title(), "windows": sorted(self.screen.windows().values()),
                  "tracebacks": tracebacks, "error_lines": [m.group(0).strip() for m in ERROR_LINE.finditer(new)],
                  "screenshot": str(path), **facts}
        record["_text"] = future
        if self.main and record["alive"]:
            x, y, w, h = self.screen.geometry(self.main)
            record["geometry"] = [x, y, w, h]
            if x < 0 or y < 0 or x + w > SCREEN[0] or y + h > SCREEN[1]:
                self.problems.append(f"{step}: the window ({w}×{h} at {x},{y}) is larger than the "
                                     f"{SCREEN[0]}×{SCREEN[1]} screen; part of it cannot be seen")
        self.records.append(record)
        if tracebacks:
            lines = sorted(set(record["error_lines"]))
            self.problems.append(f"{step}: {tracebacks} traceback(s) on the app's output: {lines[:6]}")
        if not record["alive"]:
            self.problems.append(f"{step}: the app exited (status {self.app.returncode})")
            raise JourneyStopped(step)
        return record

    @staticmethod
    def text_of(record: dict) -> str | None:
        """The text tesseract read in a step's screenshot (None without tesseract)."""
        return record["_text"].result() if record.get("_text") is not None else None

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)

    # ----- the end ---------------------------------------------------------------------------
    def finish(self) -> None:
        """Read every screenshot's text, flag error text (each line once, at the step it first showed)."""
        self._ocr.shutdown(wait=True)
        texts = {name: f.result() for _, name, f in self._texts}
        flagged: set[str] = set()
        for step, name, _ in self._texts:
            for line in (texts[name] or "").splitlines():
                key = re.sub(r"\W+", "", line.lower())[:30]  # a banner half hidden by a dialog is the same
                if ERROR_TEXT.search(line) and key not in flagged:
                    flagged.add(key)
                    self.problems.append(f"{step}: the screen shows an error ({name}): {line.strip()!r}")
        for record in self.records:
            record["screen_text"] = self.text_of(record)
            del record["_text"]
        (self.shots / "journey.json").write_text(json.dumps(
            {"problems": self.problems, "notes": self.notes, "ocr": bool(self.screen.ocr_program),
             "steps": self.records, "texts": texts}, indent=1, ensure_ascii=False))


def _wait_for_main_window(screen: Screen, app: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise JourneyStopped("the app exited before its window showed")
        for wid, name in screen.windows().items():
            if name.endswith("netbuilder") and name.strip() != "netbuilder" and screen.geometry(wid)[2] > 400:
                return wid
        time.sleep(0.2)
    raise JourneyStopped(f"no netbuilder window within {timeout:.0f} s")


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)], ids=["1280x720", "1024x640"])
def test_journey_new_train_unfitting_preset_fit_train_close(tmp_path, size, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "SCREEN", size)  # the screen every step is checked against
    home = tmp_path / "home"
    data = home / "data"
    data.mkdir(parents=True)
    design_file = tmp_path / "designs" / f"{PRESET}.nbd"
    design_file.parent.mkdir()
    subprocess.run([sys.executable, "-c", "import sys; from netbuilder import api; "
                    "api.save(api.load(sys.argv[1]), sys.argv[2])", PRESET, str(design_file)],
                   cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True, timeout=120)
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    output = SHOTS / "app-output.txt"
    width, height = SCREEN
    with xvfb_display(f"{width}x{height}x24") as display:
        screen = Screen(display)
        screen.ocr_program = tesseract()
        env = app_env(display, home, data, ROOT)
        with output.open("w") as sink:
            app = subprocess.Popen([sys.executable, "-m", "netbuilder"], cwd=ROOT, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT)
        j = Journey(screen, app, output, SHOTS)
        j.env = env
        try:
            _journey(j, design_file)
        except JourneyStopped as e:
            j.problems.append(f"the journey stopped: {e}")
            j.shot("stopped")
        finally:
            app = j.app  # the reopened one, once the journey got there
            if app.poll() is None:
                app.kill()
                j.problems.append("the app had to be killed at the end")
            app.wait(10)
            if (late := j.new_output().count("Traceback (most recent call last)")):
                j.problems.append(f"close: {late} traceback(s) on the app's output while closing")
            j.finish()
            if extra := os.environ.get("NETBUILDER_SHOTS"):
                shutil.copytree(SHOTS, extra, dirs_exist_ok=True)
    out = output.read_text(errors="replace")
    logs = sorted(str(p.relative_to(data)) for p in data.rglob("*.log*"))
    problems = list(j.problems)
    if "Traceback" in out and not any("traceback" in p for p in problems):
        problems.append("a traceback on the app's output")
    if logs:
        problems.append(f"error log(s) written in the data folder: {logs}")
    if app.returncode != 0:
        problems.append(f"the app exited with status {app.returncode}")
    notes = "".join(f"\n  note: {n}" for n in j.notes)
    print(f"journey: {len(j.records)} steps, screenshots in {SHOTS}{notes}")
    assert not problems, ("the journey went wrong:\n  " + "\n  ".join(problems) + notes
                          + f"\n(screenshots, journey.json and app-output.txt in {SHOTS})")


def _journey(j: Journey, design_file: Path) -> None:
    screen = j.screen
    j.main = _wait_for_main_window(screen, j.app)
    # No window manager: place the window as one would on a 1280×720 screen, and keep the pointer away
    # from widgets (no tooltips).
    screen.xdo("windowmove", j.main, 0, 0, check=False)
    screen.xdo("windowsize", j.main, *SCREEN, check=False)
    screen.xdo("mousemove", SCREEN[0] - 1, 0, check=False)
    j.focus_main()

    # 1. A fresh start: the example design on the built-in digits.
    j.settle("start", 6)
    start = j.end_step("start")
    first_title = start["title"]

    # 2. File ▸ New (Ctrl+N); a "save changes?" question is answered Discard.
    j.press("ctrl+n")
    asked = j.settle("new", 5, expect=r"^Unsaved changes|^Save")
    if asked:
        _discard(j, "new", next(iter(asked)))
        j.settle("new", 4)
    new = j.end_step("new")
    j.check(new["title"] != first_title, f"new: the title stayed {first_title!r}: File ▸ New did not happen")

    # 3. Train (F5) on the empty design: a plain message, not an error.
    j.press("F5")
    j.settle("train-empty", 5)
    j.end_step("train-empty")

    # 4. File ▸ Open (Ctrl+O) the ResNet-18 design, typing its path into the file dialog.
    j.press("ctrl+o")
    opened = j.settle("open", 10, expect=r"^Open")
    if not opened:
        raise JourneyStopped("open: Ctrl+O showed no Open dialog")
    j.enter_path("open", next(iter(opened)), design_file)
    j.settle("open", 6)
    opened_step = j.end_step("open")
    j.check(PRESET in opened_step["title"].lower(),
            f"open: the title is {opened_step['title']!r}, not the {PRESET} design: the preset did not open")

    # 5. Train (F5): the design does not fit the digits; a plain "does not fit … Fit" message, no run.
    j.press("F5")
    j.settle("train-unfitted", 6)
    text = j.text_of(j.end_step("train-unfitted"))
    if text is not None:
        j.check(bool(DOES_NOT_FIT.search(text)),
                "train-unfitted: no 'does not fit' message on the screen after Train on ResNet-18 with digits")
        j.check(not TRAINING.search(text), "train-unfitted: a run started on data the design does not fit")

    # 6. Train ▸ Fit Design to Dataset, through the menu from the keyboard (Alt+R opens T&rain, F is &Fit).
    before = j.title()
    j.press("alt+r")
    time.sleep(1.0)
    j.shot("fit", "menu")
    screen.key("f")
    j.settle("fit", 5)
    fitted = j.end_step("fit")
    text = j.text_of(fitted)
    j.check(fitted["title"] != before,
            f"fit: the title stayed {before!r}: Fit Design to Dataset changed nothing (or the menu did not open)")
    if text is not None:
        j.check(not DOES_NOT_FIT.search(text), "fit: the screen still says the design does not fit")

    # 7. Train (F5) the fitted design for a few seconds, then Stop (Shift+F5).
    j.press("F5")
    seen_training = False
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and j.alive():
        j.settle("train", 3)
        text = j.read_now("train", "progress")
        if text is None:  # no OCR: give it a fixed time
            time.sleep(12)
            break
        if TRAINING.search(text) or STOPPED_WITH_RESULTS.search(text):
            seen_training = True
            j.settle("train", 4)
            break
    j.end_step("train")
    if screen.ocr_program:
        j.check(seen_training, "train: no epoch progress on the screen within 45 s of Train on the fitted design")
    j.press("shift+F5")
    j.settle("stop", 4)
    text = j.text_of(j.end_step("stop"))
    if text is not None and seen_training:
        j.check(bool(STOPPED_WITH_RESULTS.search(text) or TRAINING.search(text)),
                "stop: no result of the run on the screen after Stop")

    # 8. Save (Ctrl+S): the fitted design into its file, the trained weights beside it.
    j.press("ctrl+s")
    j.settle("save", 5)
    saved = j.end_step("save")
    weights = design_file.with_suffix(".safetensors")
    j.check(weights.exists(), f"save: no weights file {weights.name} beside the design after Ctrl+S")
    j.check("*" not in saved["title"],
            f"save: the title {saved['title']!r} still says unsaved")

    # 9. File ▸ Export ▸ Export as .pt2 (torch.export), from the keyboard (Alt+F, E, T): the trained model
    #    as a program torch loads without netbuilder.
    _export(j, design_file.with_name(f"{PRESET}-trained.pt2"))

    # 10. Quit (Ctrl+Q): nothing unsaved is left, so no question; the process must end by itself.
    _quit(j, "close")

    # 11. Reopen the saved file (netbuilder FILE): the fitted design with its weights, then quit unchanged.
    with j.output.open("a") as sink:
        j.app = subprocess.Popen([sys.executable, "-m", "netbuilder", str(design_file)], cwd=ROOT, env=j.env,
                                 stdout=sink, stderr=subprocess.STDOUT)
    j.main = _wait_for_main_window(screen, j.app)
    screen.xdo("windowmove", j.main, 0, 0, check=False)
    screen.xdo("windowsize", j.main, *SCREEN, check=False)
    j.focus_main()
    j.settle("reopen", 8)
    reopened = j.end_step("reopen")
    j.check(PRESET in reopened["title"].lower(), f"reopen: the title is {reopened['title']!r}, not the saved design")
    text = j.text_of(reopened)
    if text is not None:
        j.check(not DOES_NOT_FIT.search(text), "reopen: the saved (fitted) design says it does not fit its data")
    _quit(j, "reopen-close", unsaved_ok=False)


def _export(j: Journey, target: Path) -> None:
    screen = j.screen
    j.press("alt+f")
    time.sleep(0.8)
    screen.key("e")
    time.sleep(0.6)
    j.shot("export", "menu")
    screen.key("t")
    asked = j.settle("export", 8, expect=r"^Export as")
    if not asked:
        raise JourneyStopped("export: File ▸ Export ▸ .pt2 showed no save dialog")
    j.enter_path("export", next(iter(asked)), target, replace=True)
    # The export runs in the background behind a progress dialog titled "Export" (left alone: Escape
    # would cancel it); any other dialog is a problem.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and j.alive():
        others = {w: n for w, n in j.dialogs().items() if n.strip() != "Export"}
        if others:
            for wid, name in others.items():
                j.dismiss("export", wid, name)
            break
        if target.exists() and not j.dialogs():
            break
        time.sleep(0.5)
    time.sleep(1.0)
    exported = j.end_step("export")
    j.check(target.exists() and target.stat().st_size > 100_000 and target.read_bytes()[:2] == b"PK",
            f"export: no .pt2 archive at {target} within 120 s")
    if target.exists():  # plain torch loads it and classifies a [0, 1] 8×8 digit into the 10 classes
        probe = subprocess.run(
            [sys.executable, "-c", "import sys, torch; p = torch.export.load(sys.argv[1]).module(); "
             "out = p(torch.rand(1, 1, 8, 8)); print(tuple(out.shape), bool(torch.isfinite(out).all()))",
             str(target)], capture_output=True, text=True, timeout=120)
        j.check(probe.stdout.strip() == "(1, 10) True",
                f"export: torch could not run the exported program: {probe.stdout.strip()} {probe.stderr[-400:]}")
    text = j.text_of(exported)
    if text is not None:
        j.check("untrained" not in text.lower(), "export: the status bar says the export has no trained weights")
    j.check("*" not in exported["title"], f"export: the title {exported['title']!r} says unsaved after an export")


def _quit(j: Journey, step: str, unsaved_ok: bool = True) -> None:
    """Ctrl+Q; a "save changes?" question is answered Discard (a problem when nothing should be unsaved);
    the process must end by itself."""
    j.press("ctrl+q")
    asked = j.settle(step, 8, expect=r"^Unsaved changes|^Save")
    if asked:
        j.check(unsaved_ok, f"{step}: Quit asked to save changes on a design that was not changed")
        _discard(j, step, next(iter(asked)))
    deadline = time.monotonic() + 30
    while j.alive() and time.monotonic() < deadline:
        j.settle(step, 1)
    if j.alive():
        j.shot(step, "still-open")
        j.problems.append(f"{step}: the app was still running 30 s after Quit")
    elif j.app.returncode != 0:
        j.problems.append(f"{step}: the app exited with status {j.app.returncode}")


def _discard(j: Journey, step: str, wid: int) -> None:
    """Answer "Save the changes?" with Discard: Save has the focus, Tab moves to Discard, Space presses it."""
    time.sleep(0.3)
    j.shot(step, "unsaved")
    j.screen.focus(wid)
    j.screen.key("Tab")
    time.sleep(0.2)
    j.shot(step, "discard-focused")
    j.screen.key("space")
    time.sleep(1.0)
