"""One editor widget per ParamSpec type, each calling ``commit(value)`` once per committed value.

A setting whose minimum means something else shows that meaning (``ParamSpec.special``) in place of
the number. Spin boxes commit on Enter, focus loss or an arrow step (keyboard tracking off); a shape or an
int-or-choice value commits when editing finishes. ``set_value`` updates without committing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QToolTip,
    QWidget,
)

from netbuilder.layers import ParamSpec
from netbuilder.ui import theme

INT_LIMIT = 2**31 - 1
UNFIT = theme.error_text(dark=False)  # the red of a value the editor cannot take (its text, on UNFIT_BASE)
UNFIT_BASE = "#fde4e4"  # and the pale red behind it
Commit = Callable[[Any], None]


def parse_shape(text: str) -> list[int] | None:
    parts = [p for p in text.replace("×", ",").replace("x", ",").replace(" ", ",").split(",") if p]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        return None
    return values if len(values) in (1, 3) and all(v >= 1 for v in values) else None


def parse_int_or_choice(text: str, choices: tuple[Any, ...]) -> int | str | None:
    text = text.strip()
    if text in choices:
        return text
    try:
        return int(text)
    except ValueError:
        return None


def say_refused(w: QWidget, why: str | None, tip: str) -> None:
    """A typed value the field cannot take: its text in red and, at once beside it and as its tooltip, why
    (red alone said nothing of what to type); ``why`` None takes it back."""
    w.setStyleSheet("" if why is None else f"color: {theme.error_text()}")
    w.setToolTip(tip if why is None else f"{why}. {tip}")
    if why is not None and w.isVisible() and QGuiApplication.platformName() != "offscreen":  # (nobody to see it)
        QToolTip.showText(w.mapToGlobal(w.rect().bottomLeft()), why, w)


def mark_unfit(w: QWidget, on: bool) -> None:
    """Mark a field whose shown value is not the design's (pale red, red text; property ``unfit``), or
    take the mark away. A palette keeps the native look (a style-sheet border lost a spin box's arrows)."""
    if bool(w.property("unfit")) == on:
        return
    if on:
        w._normal_palette = QPalette(w.palette())  # type: ignore[attr-defined]
        marked = QPalette(w.palette())
        for role, colour in ((QPalette.ColorRole.Base, UNFIT_BASE), (QPalette.ColorRole.Button, UNFIT_BASE),
                             (QPalette.ColorRole.Text, UNFIT), (QPalette.ColorRole.ButtonText, UNFIT)):
            marked.setColor(role, QColor(colour))
        w.setPalette(marked)
    else:
        w.setPalette(getattr(w, "_normal_palette", QPalette()))
    w.setProperty("unfit", on)


def fits(spec: ParamSpec, value: Any) -> bool:
    """True when ``value`` is of the kind ``spec``'s editor shows (a design file may hold any setting:
    ``"units": "many"`` opens, and the Problems panel names it)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return {
        "bool": isinstance(value, bool),
        "int": number and isinstance(value, int) and abs(value) <= INT_LIMIT,
        "float": number,
        "choice": value in spec.choices,
        "shape": isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value),
        "int_or_choice": value in spec.choices or (number and isinstance(value, int)),
    }.get(spec.type, True)


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"


def make_editor(spec: ParamSpec, value: Any, commit: Commit, parent: QWidget | None = None) -> QWidget:
    """A widget for ``spec`` showing ``value``; it has ``set_value(value)`` for model updates. A value the
    editor cannot show (text where a number belongs, 3.5 for a whole number) is marked in red, and what the
    student then enters is committed even when the editor already showed it."""
    tip = spec.doc + (f" ({spec.min:g} … {spec.max:g})" if spec.min is not None and spec.max is not None else "")
    if spec.special and spec.min is not None:
        tip += f" {spec.min:g} = {spec.special}."
    if spec.type == "bool":
        w: QWidget = QCheckBox(parent)
        w.toggled.connect(lambda on: commit(bool(on)))
        setter = w.setChecked
        resend = None  # a click commits
    elif spec.type == "int":
        w = QSpinBox(parent)
        w.setRange(int(spec.min) if spec.min is not None else -INT_LIMIT,
                   int(spec.max) if spec.max is not None else INT_LIMIT)
        w.setKeyboardTracking(False)
        w.setAccelerated(True)
        if spec.special:  # the minimum means something else: say what (a pooling stride 0 = "same as kernel")
            w.setSpecialValueText(spec.special)
        w.valueChanged.connect(lambda v: commit(int(v)))
        setter = lambda v, w=w: w.setValue(int(v))  # noqa: E731
        resend = lambda w=w: commit(int(w.value()))  # noqa: E731
    elif spec.type == "float":
        w = QDoubleSpinBox(parent)
        w.setDecimals(6)
        w.setRange(spec.min if spec.min is not None else -1e12, spec.max if spec.max is not None else 1e12)
        w.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        w.setKeyboardTracking(False)
        w.valueChanged.connect(lambda v: commit(float(v)))
        setter = lambda v, w=w: w.setValue(float(v))  # noqa: E731
        resend = lambda w=w: commit(float(w.value()))  # noqa: E731
    elif spec.type == "choice":
        w = QComboBox(parent)
        for c in spec.choices:
            w.addItem(str(c), c)
        w.activated.connect(lambda i: commit(spec.choices[i]))
        resend = None  # activated is emitted for the shown choice too

        def setter(v: Any, w: QComboBox = w) -> None:
            w.setCurrentIndex(list(spec.choices).index(v) if v in spec.choices else 0)
    elif spec.type == "int_or_choice":
        w = QComboBox(parent)
        w.setEditable(True)
        w.addItems([str(c) for c in spec.choices])
        w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        resend = None  # the text is parsed and committed when editing finishes

        def finish(w: QComboBox = w) -> None:
            parsed = parse_int_or_choice(w.currentText(), spec.choices)
            say_refused(w, None if parsed is not None else
                        f"{w.currentText()!r} is not a whole number nor one of: {', '.join(map(str, spec.choices))}", tip)
            if parsed is not None:
                commit(parsed)

        w.lineEdit().editingFinished.connect(finish)
        w.activated.connect(lambda _i: finish())

        def setter(v: Any, w: QComboBox = w) -> None:
            w.setEditText(str(v))
            w.setStyleSheet("")
    elif spec.type == "shape":
        w = QLineEdit(parent)
        w.setPlaceholderText("C, H, W  or  N")
        resend = None

        def finish_shape(w: QLineEdit = w) -> None:
            parsed = parse_shape(w.text())
            say_refused(w, None if parsed is not None else
                        f"{w.text()!r} is not a shape: give whole numbers of 1 or more, three for images "
                        "(channels, height, width: 1, 28, 28) or one for vectors (64)", tip)
            if parsed is not None:
                commit(parsed)

        w.editingFinished.connect(finish_shape)

        def setter(v: Any, w: QLineEdit = w) -> None:
            w.setText(", ".join(str(x) for x in v) if isinstance(v, list) else str(v))
            w.setStyleSheet("")
    else:
        w = QLineEdit(parent)
        w.setReadOnly(True)
        setter = lambda v, w=w: w.setText(repr(v))  # noqa: E731
        resend = None
    state = {"unfit": False}

    def set_value(v: Any, w: QWidget = w) -> None:
        with QSignalBlocker(w):
            try:
                setter(v)
            except (TypeError, ValueError, OverflowError):
                pass
        state["unfit"] = not fits(spec, v)
        mark_unfit(w, state["unfit"])
        if state["unfit"]:  # say what the design holds and that the editor shows something else
            w.setToolTip(f"The design has {spec.name} = {_shown(v)[:40]}, which this setting cannot be: "
                         f"set a value here. {tip}")
        else:
            w.setToolTip(tip)

    if resend is not None and hasattr(w, "editingFinished"):  # a spin box showing in place of a bad value
        w.editingFinished.connect(lambda: state["unfit"] and resend())
    w.set_value = set_value  # type: ignore[attr-defined]
    w.setObjectName(f"param_{spec.name}")
    set_value(value)
    return w
