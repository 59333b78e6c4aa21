"""Which views apply to the current data. A view that does not (the decision boundary on images, the
image views on feature vectors) is never left empty: its dock shows the reason instead, in plain words.

``reason(title, dataset)`` is pure: the workbench's dataset description (``kind``, ``is_image``,
``input_shape``, ``name``; None while loading) in, one line or None out. ``ViewSlot`` is the widget a
dock holds: the view (in a scroll area, so no view's minimum size can push the window past the screen:
when a dock is smaller than its view's minimum, the view scrolls; otherwise it fills the dock:
``ViewHolder``; a view of plots counts them readable in its minimum, ``PLOT_HEIGHT``), or the reason in
its place. Qt only; never torch.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QStackedWidget, QWidget

IMAGE_VIEWS = {"Augmentation": "The augmentation preview", "Explain": "Explaining a prediction",
               "Adversarial": "An adversarial example", "Inside the network": "The receptive-field view"}
# The least height (px) at which a view's plots can be read; below it the view scrolls. (A plot's own minimum
# is a few px: in a low window the Curves dock kept its legend and three clipped titles, "Learning rat", and
# the Evaluation its axes.) Curves: the status line, a two-row legend and plots about 100 px high;
# Evaluation: the confusion matrix about 170 px high over the misclassified samples.
PLOT_HEIGHT = {"Curves": 210, "Evaluation": 330}


def _shape(dataset: dict[str, Any]) -> str:
    return "×".join(str(n) for n in dataset.get("input_shape") or []) or "?"


def reason(title: str, dataset: dict[str, Any] | None) -> str | None:
    """Why the view called ``title`` does not apply to ``dataset``, or None when it does (or while
    the dataset is still loading)."""
    if not dataset:
        return None
    name = dataset.get("name", "this dataset")
    if title == "Decision boundary" and list(dataset.get("input_shape") or []) != [2]:
        what = f"images of {_shape(dataset)}" if dataset.get("is_image") else f"inputs of {_shape(dataset)} values"
        return (f"The decision boundary is drawn for data with two input features (the 2-D playground sets: "
                f"circle, xor, gaussian, spiral). {name} has {what}.")
    if title in IMAGE_VIEWS and not dataset.get("is_image", True):
        return (f"{IMAGE_VIEWS[title]} needs images; {name} has feature vectors of {_shape(dataset)} values. "
                f"Pick an image dataset in the Train workspace's dataset box (digits, shapes, or your own "
                f"folder of images through “Image folder or CSV file…”).")
    return None


class ViewHolder(QWidget):
    """The view inside the slot's scroll area, filling it. A scroll area sizes a widget whose layout has a
    height-for-width (any word-wrapped label) to its *preferred* height for the width, so a view with a
    wrapped note beside a plot (a plot prefers 480 px) scrolled in a 330 px dock with most of its plot out
    of sight. The holder has no layout: it asks the view's layout for its *minimum* height at the width
    (wrapped text whole, plots at their minimum), and the view fills whatever the dock gives beyond that."""

    def __init__(self, view: QWidget, min_height: int = 0) -> None:
        super().__init__()
        self.view = view
        self.min_height = min_height  # the view's plots' readable height (PLOT_HEIGHT), when more than its own
        view.setParent(self)
        self._width = -1

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = self.view.minimumSizeHint()
        layout = self.view.layout()
        if layout is not None and layout.hasHeightForWidth() and self.width() > 0:
            hint.setHeight(max(hint.height(), layout.minimumHeightForWidth(self.width())))
        hint.setHeight(max(hint.height(), self.min_height))
        return hint

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.view.sizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self.view.setGeometry(self.rect())
        if self.width() != self._width:  # the minimum height for the new width
            self._width = self.width()
            self.updateGeometry()
        super().resizeEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the view's own hints changed
            self.updateGeometry()
        return super().event(event)


class ViewSlot(QStackedWidget):
    """What a dock holds: the view, or a page saying why it does not apply (the view is then not shown,
    so it computes nothing)."""

    def __init__(self, view: QWidget, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.title = view, title
        self.setObjectName(f"slot_{title.lower().replace(' ', '_')}")
        self.reason_label = QLabel(self)
        self.reason_label.setObjectName("not_applicable")
        self.reason_label.setWordWrap(True)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason_label.setMargin(16)
        self.reason_label.setEnabled(False)  # drawn greyed, as a disabled control
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own: its view has them
        self.scroll.setWidget(ViewHolder(view, PLOT_HEIGHT.get(title, 0)))
        self.addWidget(self.scroll)
        self.addWidget(self.reason_label)

    @property
    def applies(self) -> bool:
        return self.currentWidget() is self.scroll

    def set_reason(self, text: str | None) -> None:
        """Show the view (``None``) or the reason it does not apply."""
        self.reason_label.setText(text or "")
        self.reason_label.setToolTip(text or "")
        self.setCurrentWidget(self.reason_label if text else self.scroll)
