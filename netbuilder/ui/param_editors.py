"""One editor widget per ParamSpec type, each calling ``commit(value)`` once per committed value.

A setting whose minimum means something else shows that meaning (``ParamSpec.special``) in place of
the number. Spin boxes commit on Enter, focus loss or an arrow step (keyboard tracking off); a shape or an
int-or-choice value commits when editing finishes. ``set_value`` updates without committing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from netbuilder.layers import ParamSpec

INT_LIMIT = 2**31 - 1
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


def make_editor(spec: ParamSpec, value: Any, commit: Commit, parent: QWidget | None = None) -> QWidget:
    """A widget for ``spec`` showing ``value``; it has ``set_value(value)`` for model updates."""
    tip = spec.doc + (f" ({spec.min:g} … {spec.max:g})" if spec.min is not None and spec.max is not None else "")
    if spec.special and spec.min is not None:
        tip += f" {spec.min:g} = {spec.special}."
    if spec.type == "bool":
        w: QWidget = QCheckBox(parent)
        w.setChecked(bool(value))
        w.toggled.connect(lambda on: commit(bool(on)))
        setter = w.setChecked
    elif spec.type == "int":
        w = QSpinBox(parent)
        w.setRange(int(spec.min) if spec.min is not None else -INT_LIMIT,
                   int(spec.max) if spec.max is not None else INT_LIMIT)
        w.setKeyboardTracking(False)
        w.setAccelerated(True)
        if spec.special:  # the minimum means something else: say what (a pooling stride 0 = "same as kernel")
            w.setSpecialValueText(spec.special)
        w.setValue(int(value))
        w.valueChanged.connect(lambda v: commit(int(v)))
        setter = w.setValue
    elif spec.type == "float":
        w = QDoubleSpinBox(parent)
        w.setDecimals(6)
        w.setRange(spec.min if spec.min is not None else -1e12, spec.max if spec.max is not None else 1e12)
        w.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        w.setKeyboardTracking(False)
        w.setValue(float(value))
        w.valueChanged.connect(lambda v: commit(float(v)))
        setter = w.setValue
    elif spec.type == "choice":
        w = QComboBox(parent)
        for c in spec.choices:
            w.addItem(str(c), c)
        w.setCurrentIndex(max(0, list(spec.choices).index(value)) if value in spec.choices else 0)
        w.activated.connect(lambda i: commit(spec.choices[i]))

        def setter(v: Any, w: QComboBox = w) -> None:
            if v in spec.choices:
                w.setCurrentIndex(list(spec.choices).index(v))
    elif spec.type == "int_or_choice":
        w = QComboBox(parent)
        w.setEditable(True)
        w.addItems([str(c) for c in spec.choices])
        w.setEditText(str(value))
        w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)

        def finish(w: QComboBox = w) -> None:
            parsed = parse_int_or_choice(w.currentText(), spec.choices)
            w.setStyleSheet("" if parsed is not None else "color: #d33c3c")
            if parsed is not None:
                commit(parsed)

        w.lineEdit().editingFinished.connect(finish)
        w.activated.connect(lambda _i: finish())

        def setter(v: Any, w: QComboBox = w) -> None:
            w.setEditText(str(v))
            w.setStyleSheet("")
    elif spec.type == "shape":
        w = QLineEdit(parent)
        w.setText(", ".join(str(v) for v in value))
        w.setPlaceholderText("C, H, W  or  N")

        def finish_shape(w: QLineEdit = w) -> None:
            parsed = parse_shape(w.text())
            w.setStyleSheet("" if parsed is not None else "color: #d33c3c")
            if parsed is not None:
                commit(parsed)

        w.editingFinished.connect(finish_shape)

        def setter(v: Any, w: QLineEdit = w) -> None:
            w.setText(", ".join(str(x) for x in v))
            w.setStyleSheet("")
    else:
        w = QLineEdit(parent)
        w.setText(repr(value))
        w.setReadOnly(True)
        setter = lambda v, w=w: w.setText(repr(v))  # noqa: E731

    def set_value(v: Any, w: QWidget = w) -> None:
        with QSignalBlocker(w):
            try:
                setter(v)
            except (TypeError, ValueError):
                pass

    w.set_value = set_value  # type: ignore[attr-defined]
    w.setToolTip(tip)
    w.setObjectName(f"param_{spec.name}")
    return w
