"""The Lesson panel at work: a dock shown in every workspace with one lesson at a time, its steps, their
"Show me", checks ticked live, questions with instant feedback, Back / Next, and the next lesson once one is
finished. Progress is kept per user (progress.py). ``install_lessons(window)`` adds the dock and Help ▸
Lessons. The widget: ``panel.py``. Qt only.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from netbuilder.lessons import (
    Lesson,
    LessonFileError,
    check_answer,
    evaluate_check,
    find_lesson,
    load_lessons,
)
from netbuilder.lessons.checks import NETWORK_CHECKS, RUN_CHECKS, CheckResult
from netbuilder.lessons.state import network_id
from netbuilder.ui import theme
from netbuilder.ui.lessons.driver import LessonDriver
from netbuilder.ui.lessons.panel import (
    CHOICE_CHARS,
    OPEN,
    TICK,
    LessonPanel,
    clear_layout,
    done_text,
    questions_text,
    text_label,
)
from netbuilder.ui.lessons.progress import load_progress, save_progress

DEBOUNCE_MS = 200
EARLIER_NOTE = "that result is of an earlier version of the network: train this network to check it"
KEPT_EARLIER = "met by your run of an earlier version of the network: train this network to check it"


def _following(lesson: Lesson) -> Lesson | None:
    """The bundled lesson after ``lesson`` in the course (None: the last, or a lesson file of one's own)."""
    try:
        course = load_lessons()
    except LessonFileError:
        return None
    ids = [other.id for other in course]
    i = ids.index(lesson.id) if lesson.id in ids else -1
    return course[i + 1] if 0 <= i < len(course) - 1 else None


class LessonController(QObject):
    """One lesson at a time in the panel: its step, live checks, answers and saved progress."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.lesson: Lesson | None = None
        self._following: Lesson | None = None  # the lesson "Next lesson" opens (once this one is finished)
        self.index = 0
        self.progress: dict[str, Any] = {}
        self.results: list[Any] = []
        self.wrong: dict[str, int] = {}  # question id -> wrong tries in this visit of the step
        self.panel = LessonPanel(window)
        self.dock = QDockWidget("Lesson", window)
        self.dock.setObjectName("dock_lesson")
        self.dock.setWidget(self.panel)
        self.dock.setMinimumWidth(260)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.docks["Lesson"] = self.dock
        self.dock.hide()
        self.driver = LessonDriver(window)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.evaluate)
        self.driver.changed.connect(self.timer.start)
        self.driver.message.connect(self.panel.status.setText)
        self.panel.show_me.clicked.connect(self.show_me)
        self.panel.set_up.clicked.connect(self.set_up)
        self.panel.back.clicked.connect(lambda: self.go(self.index - 1))
        self.panel.next.clicked.connect(self.next)
        self.menu = self._menu()

    # ----- the menu ---------------------------------------------------------------------------------
    def _menu(self) -> QMenu:
        menus = self.window.menus
        help_ = menus["help"]
        menu = QMenu("&Lessons", help_)
        first = help_.actions()[0] if help_.actions() else None
        help_.insertMenu(first, menu) if first is not None else help_.addMenu(menu)
        if first is not None:
            help_.insertSeparator(first)
        menus["lessons"] = menu
        menu.aboutToShow.connect(self._fill_menu)
        menus["panels"].addAction(self.dock.toggleViewAction())
        self._fill_menu()
        return menu

    def _fill_menu(self) -> None:
        menu = self.menu if hasattr(self, "menu") else self.window.menus["lessons"]
        menu.clear()
        try:
            lessons = load_lessons()
        except LessonFileError as e:
            menu.addAction(f"The lessons cannot be read: {e}").setEnabled(False)
            lessons = []
        for i, lesson in enumerate(lessons, 1):
            p = load_progress(self.settings, lesson.id)
            done, total = len(set(p["done"])), len(lesson.steps)
            mark = "✔ " if p["finished"] else ""
            action = menu.addAction(f"{mark}{i}. {lesson.title}    {done}/{total}",
                                    lambda key=lesson.id: self.open_lesson(key))
            action.setToolTip(f"{lesson.minutes} min · {', '.join(lesson.concepts)}")
        menu.addSeparator()
        menu.addAction("Open Lesson &File…", self.open_file)
        menu.addAction(self.dock.toggleViewAction())

    def open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a lesson", "", "Lessons (*.json)")
        if path:
            self.open_lesson(path)

    # ----- opening -------------------------------------------------------------------------------------
    def open_lesson(self, key: str | os.PathLike) -> bool:
        """Open a bundled lesson (by id) or a lesson file in the panel, at the step saved for this user. A
        file that cannot be read is one message naming the file and the place."""
        try:
            lesson = find_lesson(str(key))
        except LessonFileError as e:
            QMessageBox.warning(self.window, "Cannot open the lesson", str(e))
            return False
        self.lesson = lesson
        self.progress = load_progress(self.settings, lesson.id)
        self.window.workspaces.show_dock("Lesson")
        self.panel.title.setText(lesson.title)
        self.index = -1  # go() sets the introduction: whole on the first step, its first sentence after
        self.go(min(int(self.progress["step"]), len(lesson.steps) - 1))
        set_up = lesson.set_up(self.index)
        if set_up and not self.driver.lessons_own:  # resumed: the earlier steps' network is gone
            self.panel.set_up.show()
            trains = any(a["do"] == "start_training" for a in set_up)
            self.panel.status.setText(f"Welcome back to step {self.index + 1}. It builds on the network of the "
                                      f"earlier steps: Set up this step builds it again{' (their training too)' * trains}"
                                      ", or go on with the design open now.")
        self.panel.focus_first()  # the keyboard follows the student into the lesson
        return True

    # ----- steps ---------------------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show step ``index`` (its checks and questions) and remember it."""
        lesson = self.lesson
        if lesson is None or not 0 <= index < len(lesson.steps):
            return
        if index != self.index:
            self.panel.set_intro(lesson.text, expanded=index == 0)
            self.panel.set_up.hide()
            self.driver.drop_pending()  # a Show me's run still waiting belongs to the step it was asked in
        self.index = index
        self.driver.mark_step()  # the step's run-based checks count only runs started from now on
        step = lesson.steps[index]
        p = self.panel
        p.step_title.setText(f"Step {index + 1}: {step.title}" if step.title else f"Step {index + 1}")
        p.step_text.setText(step.text)
        p.show_me.setEnabled(bool(step.show_me))
        p.status.setText("")
        p.done_label.setText("")
        clear_layout(p.checks_box)
        p.check_labels = []
        for _check in step.checks:
            label = text_label()
            p.checks_box.addWidget(label)
            p.check_labels.append(label)
        clear_layout(p.questions_box)
        p.answers, self.wrong = [], {}
        answered = set(self.progress["answers"].get(str(index), []))
        for n, question in enumerate(step.questions, 1):
            self._add_question(n, question, question["id"] in answered)
        p.set_tab_order()
        p.back.setEnabled(index > 0)
        p.position.setText(f"{index + 1} / {len(lesson.steps)}")
        last = index == len(lesson.steps) - 1
        p.next.setText("Fi&nish ✔" if last else "&Next ▸")
        p.next.setToolTip("")
        self._following = None  # (set once the lesson is finished: the lesson the button goes on to)
        self.progress["step"] = index
        self._save()
        self.evaluate()

    def _add_question(self, n: int, question: dict[str, Any], answered: bool) -> None:
        p = self.panel
        label = QLabel(f"Q&{n}. {question['text'].replace('&', '&&')}")  # Alt+n: the answer box
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("font-weight:600;")
        feedback = text_label()
        if "choices" in question:
            box = QComboBox()
            # a long choice must not widen the panel: the box keeps a small width and cuts the text, the
            # popup and the tooltip show it whole
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(CHOICE_CHARS)
            box.addItem("Choose an answer…", None)
            for i, choice in enumerate(question["choices"]):
                box.addItem(choice, i)
                box.setItemData(i + 1, choice, Qt.ItemDataRole.ToolTipRole)
            box.view().setTextElideMode(Qt.TextElideMode.ElideNone)
            box.currentTextChanged.connect(box.setToolTip)
            box.currentIndexChanged.connect(
                lambda _i, q=question, b=box, f=feedback: b.currentData() is not None and self.answer(q, b.currentData(), f))
            entry: QWidget = box
        else:
            edit = QLineEdit()
            edit.setPlaceholderText("Type your answer and press Enter")
            edit.returnPressed.connect(lambda q=question, e=edit, f=feedback: self.answer(q, e.text(), f))
            entry = edit
        label.setBuddy(entry)
        if answered:
            feedback.setText(f"{TICK} answered")
            feedback.setStyleSheet(f"color:{theme.verdict_colour(True)};")
        for widget in (label, entry, feedback):
            p.questions_box.addWidget(widget)
        p.answers.append((question, entry, feedback))

    def answer(self, question: dict[str, Any], answer: Any, feedback: QLabel) -> bool:
        """Check the student's answer at once against their current design."""
        state = self.driver.state()
        checks = self.lesson.steps[self.index].checks if self.lesson is not None else ()
        other = any(c["check"] in NETWORK_CHECKS and not evaluate_check(c, state).met for c in checks)
        result = check_answer(question, answer, state, self.wrong.get(question["id"], 0), other)
        if not result.correct and str(answer).strip():  # (an empty answer is no try)
            self.wrong[question["id"]] = self.wrong.get(question["id"], 0) + 1
        feedback.setText(f"{TICK if result.correct else '✘'} {result.feedback}")
        feedback.setStyleSheet(f"color:{theme.verdict_colour(result.correct)};")
        if result.correct:
            answers = self.progress["answers"].setdefault(str(self.index), [])
            if question["id"] not in answers:
                answers.append(question["id"])
                self._save()
                self.evaluate()  # the last answer may complete the step
        return result.correct

    def open_questions(self) -> int:
        """How many of the step's questions are not yet answered right."""
        if self.lesson is None:
            return 0
        answered = set(self.progress["answers"].get(str(self.index), []))
        return sum(q["id"] not in answered for q in self.lesson.steps[self.index].questions)

    def evaluate(self) -> list[Any]:
        """Tick each of the step's checks that is met now; record the step as done when all are."""
        self.timer.stop()
        if self.lesson is None:
            return []
        step = self.lesson.steps[self.index]
        state = self.driver.state()
        network = network_id(state.signature()) if state.design is not None else None
        results = []
        kept = set(self.progress["checks"].get(str(self.index), []))
        met_by = self.progress["networks"].get(str(self.index), {})
        run_met = {}  # run checks met by the last run now: check -> the network that met them
        for i, check in enumerate(step.checks):
            if check["check"] == "view":
                shown = self.driver.view_shown(check["view"])
                state.view = check["view"] if shown else self.window.workspaces.current
            result = evaluate_check(check, state)
            if check["check"] in RUN_CHECKS and result.met:
                run_met[str(i)] = network
            elif check["check"] in RUN_CHECKS and i in kept:
                # met by a run of this step before (only a new run in the step counts): it stays ticked while
                # the network is the one that met it (none recorded: progress from before networks were)
                if met_by.get(str(i), network) == network:
                    result = CheckResult(True, result.text, "met by your earlier run in this step")
                elif not result.earlier and not state.fresh_run():
                    result = CheckResult(False, result.text, KEPT_EARLIER, earlier=True)
            results.append(result)
        self.results = results
        met_now = [i for i, r in enumerate(results) if r.met]
        for label, check, result in zip(self.panel.check_labels, step.checks, results, strict=False):
            hint = "" if result.met or not check.get("hint") else f" — {check['hint']}"
            label.setText(f"{TICK if result.met else OPEN} {result.text}"
                          f"{f' — {EARLIER_NOTE}' if result.earlier else hint}")
            label.setToolTip(result.detail)
            label.setStyleSheet(f"color:{theme.verdict_colour(True)};" if result.met else "")
        recorded = self.progress["checks"].setdefault(str(self.index), [])
        changed = False
        for i in met_now:
            if i not in recorded:
                recorded.append(i)
                changed = True
        if run_met and {**met_by, **run_met} != met_by:
            self.progress["networks"][str(self.index)] = {**met_by, **run_met}
            changed = True
        all_met = len(met_now) == len(results)
        unanswered = self.open_questions()
        if results and all_met and not unanswered and self.index not in self.progress["done"]:
            self.progress["done"].append(self.index)
            changed = True
        if changed:
            self._save()
        self.panel.done_label.setText(done_text(bool(results), all_met, bool(step.questions), unanswered,
                                                 self.index == len(self.lesson.steps) - 1))
        return results

    def step_met(self) -> bool:
        """Every check of the step met and every question answered right."""
        return all(r.met for r in self.evaluate()) and not self.open_questions()

    def confirm_skip(self) -> bool:
        missing = []
        if not all(r.met for r in self.results):
            missing.append("not every check of this step is met yet")
        if unanswered := self.open_questions():
            missing.append(f"{questions_text(unanswered)} not answered yet")
        text = " and ".join(missing) if missing else "this step is not done yet"
        answer = QMessageBox.question(self.window, "Skip this step?", f"{text[0].upper()}{text[1:]}. Go on anyway?")
        return answer == QMessageBox.StandardButton.Yes

    def next(self) -> None:
        """The next step (asking first when a check is not met or a question is open); Finish on the last."""
        if self.lesson is None:
            return
        if not self.step_met() and not self.confirm_skip():
            return
        step = self.lesson.steps[self.index]
        if not step.checks and not self.open_questions() and self.index not in self.progress["done"]:
            self.progress["done"].append(self.index)
        if self.index + 1 < len(self.lesson.steps):
            self.go(self.index + 1)
            return
        if self._following is not None:  # finished already: the button became "Next lesson"
            self.open_lesson(self._following.id)
            return
        self.progress["finished"] = True
        self._save()
        self._following = following = _following(self.lesson)
        done = f"Lesson complete: {self.lesson.title}."
        if following is None:
            self.panel.done_label.setText(f"{done} Choose another in Help ▸ Lessons.")
            return
        self.panel.done_label.setText(f"{done} Next: {following.title} (the button below), or choose another in "
                                      "Help ▸ Lessons.")
        self.panel.next.setText("Next &lesson ▸")
        self.panel.next.setToolTip(following.title)

    def show_me(self) -> None:
        """Do the step's "Show me" actions in the window."""
        if self.lesson is None:
            return
        self.panel.status.setText("")
        base = os.path.dirname(self.lesson.path) if self.lesson.path else "."
        self.driver.perform(self.lesson.steps[self.index].show_me, base)
        self.timer.start()

    def set_up(self) -> None:
        """Build the state the step builds on (``Lesson.set_up``), for a lesson resumed where it was left."""
        if self.lesson is None:
            return
        self.panel.set_up.hide()
        base = os.path.dirname(self.lesson.path) if self.lesson.path else "."
        self.driver.set_up(self.lesson.set_up(self.index), base)
        self.timer.start()

    def _save(self) -> None:
        if self.lesson is not None:
            save_progress(self.settings, self.lesson.id, self.progress)


def install_lessons(window: QMainWindow) -> LessonController:
    """Add the Lesson dock (every workspace) and the Lessons menu to ``window``."""
    return LessonController(window)
