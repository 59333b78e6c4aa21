"""The Lesson panel's widget: the lesson's text, the current step, its "Show me" button, its checks, its
questions and Back / Next, and the few texts it shows. What it does (the steps, the live checks, the answers,
progress): ``controller.py``. Qt only.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui import theme

TICK, OPEN = "✔", "○"
CHOICE_CHARS = 12  # a question's choice box is this wide at least; longer choices are cut (the popup shows them)
MORE, LESS = "More ▾", "Less ▴"


def intro_summary(text: str) -> str:
    """The first sentence of a lesson's introduction (what the panel shows after the first step)."""
    first = text.strip().split("\n\n", 1)[0].strip()
    match = re.search(r"^(.+?[.!?])(?:\s|$)", first, re.DOTALL)
    return (match.group(1) if match else first).strip()


def text_label(text: str = "", markdown: bool = False) -> QLabel:
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
        self.title = text_label()
        self.title.setStyleSheet("font-size:14pt;font-weight:700;")
        self.intro = text_label(markdown=True)
        self.intro_toggle = QPushButton(MORE)
        self.intro_toggle.setFlat(True)
        self.intro_toggle.setCheckable(True)
        self.intro_toggle.setToolTip("Show or hide the whole introduction of the lesson")
        self.intro_toggle.setStyleSheet("text-align:left;padding:0;")
        self.step_title = text_label()
        self.step_title.setStyleSheet("font-weight:700;font-size:11pt;")
        self.step_text = text_label(markdown=True)
        self.show_me = QPushButton("Show &me")
        self.show_me.setToolTip("Do this step for me (Alt+M; Edit ▸ Undo takes it back)")
        self.set_up = QPushButton("Set &up this step")
        self.set_up.setToolTip("Build the network as the earlier steps leave it (their Show me, their training "
                               "included), to go on with this step where the lesson was left")
        self.set_up.hide()  # (offered when a lesson is resumed at a step that builds on the earlier ones)
        self.status = text_label()
        self.status.setStyleSheet("font-style:italic;")  # (the text's own colour: palette(mid) read 1.7:1)
        self.checks_box = QVBoxLayout()
        self.questions_box = QVBoxLayout()
        self.done_label = text_label()
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
        row.addWidget(self.set_up)
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
        return [self.intro_toggle, self.show_me, self.set_up, *(entry for _q, entry, _f in self.answers), self.back, self.next]

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


def questions_text(n: int) -> str:
    return "1 question is" if n == 1 else f"{n} questions are"


def done_text(has_checks: bool, all_met: bool, has_questions: bool, unanswered: int, last: bool = False) -> str:
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


def clear_layout(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()
            item.widget().deleteLater()
