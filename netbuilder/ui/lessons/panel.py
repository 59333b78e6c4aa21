"""The Lesson panel: a dock shown in every workspace with the lesson's text, the current step, its "Show me"
button, its checks ticked live, its questions with instant feedback, and Back / Next. Progress is kept
per user (progress.py). ``install_lessons(window)`` adds the dock and Help ▸ Lessons. Qt only.
"""

from __future__ import annotations

import os
import re
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
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
from netbuilder.ui.lessons.progress import load_progress, save_progress

DEBOUNCE_MS = 200
TICK, OPEN = "✔", "○"
EARLIER_NOTE = "that result is of an earlier version of the network: train this network to check it"
KEPT_EARLIER = "met by your run of an earlier version of the network: train this network to check it"
CHOICE_CHARS = 12  # a question's choice box is this wide at least; longer choices are cut (the popup shows them)
MORE, LESS = "More ▾", "Less ▴"


def intro_summary(text: str) -> str:
    """The first sentence of a lesson's introduction (what the panel shows after the first step)."""
    first = text.strip().split("\n\n", 1)[0].strip()
    match = re.search(r"^(.+?[.!?])(?:\s|$)", first, re.DOTALL)
    return (match.group(1) if match else first).strip()


def _label(text: str = "", markdown: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.MarkdownText if markdown else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LessonPanel(QWidget):
    """The panel's widgets; the ``LessonController`` fills them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_panel")
        self.title = _label()
        self.title.setStyleSheet("font-size:14pt;font-weight:700;")
        self.intro = _label(markdown=True)
        self.intro_toggle = QPushButton(MORE)
        self.intro_toggle.setFlat(True)
        self.intro_toggle.setCheckable(True)
        self.intro_toggle.setToolTip("Show or hide the whole introduction of the lesson")
        self.intro_toggle.setStyleSheet("text-align:left;padding:0;")
        self.step_title = _label()
        self.step_title.setStyleSheet("font-weight:700;font-size:11pt;")
        self.step_text = _label(markdown=True)
        self.show_me = QPushButton("Show &me")
        self.show_me.setToolTip("Do this step for me (Alt+M; Edit ▸ Undo takes it back)")
        self.status = _label()
        self.status.setStyleSheet("color:palette(mid);")
        self.checks_box = QVBoxLayout()
        self.questions_box = QVBoxLayout()
        self.done_label = _label()
        self.done_label.setStyleSheet(f"font-weight:700;color:{theme.verdict_colour(True)};")
        body = QWidget()
        column = QVBoxLayout(body)
        for widget in (self.title, self.intro):
            column.addWidget(widget)
        column.addWidget(self.intro_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        for widget in (self.step_title, self.step_text):
            column.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.show_me)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.status)
        column.addLayout(self.checks_box)
        column.addLayout(self.questions_box)
        column.addWidget(self.done_label)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible Tab stop: the controls inside have them
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the text wraps instead
        scroll.setWidget(body)
        self.back = QPushButton("◂ &Back")
        self.position = QLabel()
        self.position.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next = QPushButton("&Next ▸")
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll, 1)
        layout.addLayout(nav)
        self.check_labels: list[QLabel] = []
        self.answers: list[tuple[dict[str, Any], QWidget, QLabel]] = []
        self.intro_text = ""
        self.intro_toggle.toggled.connect(self.show_intro)

    def controls(self) -> list[QWidget]:
        """The panel's controls in reading order: More/Less (under the introduction), Show me (under the
        step's text), each question's answer, then Back and Next."""
        return [self.intro_toggle, self.show_me, *(entry for _q, entry, _f in self.answers), self.back, self.next]

    def set_tab_order(self) -> None:
        """Tab follows the reading order (questions are added after the buttons were made, so Qt's own
        order put the answer fields before More/Less and Show me)."""
        chain = self.controls()
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    def focus_first(self) -> None:
        """Give the keyboard focus to the first control a student can use (in reading order)."""
        for widget in self.controls():
            if widget.isVisibleTo(self) and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def set_intro(self, text: str, expanded: bool) -> None:
        """The lesson's introduction: whole, or its first sentence with a More toggle (after the first step,
        so that the step stays in sight on a small screen)."""
        self.intro_text = text
        short = intro_summary(text)
        self.intro_toggle.setVisible(short != text.strip())
        self.intro_toggle.blockSignals(True)
        self.intro_toggle.setChecked(expanded)
        self.intro_toggle.blockSignals(False)
        self.show_intro(expanded)

    def show_intro(self, expanded: bool) -> None:
        short = intro_summary(self.intro_text)
        self.intro.setText(self.intro_text if expanded or short == self.intro_text.strip() else short)
        self.intro_toggle.setText(LESS if expanded else MORE)


def _questions(n: int) -> str:
    return "1 question is" if n == 1 else f"{n} questions are"


def _done_text(has_checks: bool, all_met: bool, has_questions: bool, unanswered: int, last: bool = False) -> str:
    """The line under the questions: what is left of the step once its checks are met, or that it is done;
    it names the button there is (Finish on the last step)."""
    button = "Finish" if last else "Next"
    if has_checks and not all_met:
        return ""
    if unanswered:
        them = "the question" if unanswered == 1 else f"the {unanswered} open questions"
        return f"All checks met: now answer {them} above, then {button}." if has_checks else ""
    if has_checks:
        return f"All checks met: go on with {button}."
    return f"All answered: go on with {button}." if has_questions else ""


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()


class LessonController(QObject):
    """One lesson at a time in the panel: its step, live checks, answers and saved progress."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.lesson: Lesson | None = None
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
        _clear(p.checks_box)
        p.check_labels = []
        for _check in step.checks:
            label = _label()
            p.checks_box.addWidget(label)
            p.check_labels.append(label)
        _clear(p.questions_box)
        p.answers, self.wrong = [], {}
        answered = set(self.progress["answers"].get(str(index), []))
        for n, question in enumerate(step.questions, 1):
            self._add_question(n, question, question["id"] in answered)
        p.set_tab_order()
        p.back.setEnabled(index > 0)
        p.position.setText(f"{index + 1} / {len(lesson.steps)}")
        last = index == len(lesson.steps) - 1
        p.next.setText("Fi&nish ✔" if last else "&Next ▸")
        self.progress["step"] = index
        self._save()
        self.evaluate()

    def _add_question(self, n: int, question: dict[str, Any], answered: bool) -> None:
        p = self.panel
        label = QLabel(f"Q&{n}. {question['text'].replace('&', '&&')}")  # Alt+n: the answer box
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("font-weight:600;")
        feedback = _label()
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
        self.panel.done_label.setText(_done_text(bool(results), all_met, bool(step.questions), unanswered,
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
            missing.append(f"{_questions(unanswered)} not answered yet")
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
        self.progress["finished"] = True
        self._save()
        self.panel.done_label.setText(f"Lesson complete: {self.lesson.title}. Choose another in the Lessons menu.")

    def show_me(self) -> None:
        """Do the step's "Show me" actions in the window."""
        if self.lesson is None:
            return
        self.panel.status.setText("")
        base = os.path.dirname(self.lesson.path) if self.lesson.path else "."
        self.driver.perform(self.lesson.steps[self.index].show_me, base)
        self.timer.start()

    def _save(self) -> None:
        if self.lesson is not None:
            save_progress(self.settings, self.lesson.id, self.progress)


def install_lessons(window: QMainWindow) -> LessonController:
    """Add the Lesson dock (every workspace) and the Lessons menu to ``window``."""
    return LessonController(window)
