"""The code view: the PyTorch code of the current design, as File ▸ Export would write it now (the same
normalisation, class names and locked layers; its docstring says which trained weights an export would
carry, the view itself holds none), regenerated after a change only while the view is visible: an edit, a
dataset loaded, a run ended, weights loaded, the training settings (a layer locked or unlocked, and its Undo).
The compile problem when invalid.

The code is made by the workbench's executor on torch's meta device (no weights are built, so VGG-16's
550 MB never exist for it), never on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from netbuilder.ui.document import Document


class CodeView(QPlainTextEdit):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("The PyTorch code of the design appears here.")
        self._dirty = True
        self.bridge = None
        self._ticket: int | None = None
        self.shown = False  # whether its dock tab is the current one (set by set_shown)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        document.analysis_updated.connect(self._mark_dirty)
        document.design_field_changed.connect(self._mark_dirty)  # (locked layers are written in the code)

    def attach(self, bridge) -> None:
        """Make the code with ``bridge``'s workbench (the window calls this once)."""
        self.bridge = bridge
        bridge.received.connect(self._on_event)

    def _on_event(self, event) -> None:
        from netbuilder.workbench import events as ev

        if isinstance(event, ev.DatasetLoaded | ev.RunEnded) or (
                isinstance(event, ev.TaskDone) and event.key in ("load_weights", "transfer", "reset")):
            self._mark_dirty()  # what an export would carry changed: the normalisation, the weights
            return
        if not isinstance(event, ev.TaskDone | ev.TaskFailed) or event.key != "code" or event.ticket != self._ticket:
            return
        self._ticket = None
        if isinstance(event, ev.TaskFailed):
            if event.cancelled:
                return
            code = f"# The design cannot be turned into PyTorch code:\n#   {event.message}"
        else:
            code = str(event.value)
        bar = self.verticalScrollBar().value()
        self.setPlainText(code)
        self.verticalScrollBar().setValue(bar)

    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True
        if self.shown:
            self._timer.start()

    def set_shown(self, shown: bool) -> None:
        """Connected to its dock's visibilityChanged (a tabbed dock stays isVisible() behind others)."""
        self.shown = shown
        if shown and self._dirty:
            self._timer.start()

    def refresh(self) -> None:
        """Generate the code now (if still needed)."""
        if not self._dirty or not self.shown:
            return
        self._dirty = False
        analysis = self.document.analysis
        if not analysis.valid:
            if self._ticket is not None and self.bridge is not None:  # (the code of an earlier design: drop it)
                self.bridge.workbench.cancel(self._ticket)
            self._ticket = None
            self.setPlainText("# The design cannot be compiled yet:\n"
                              + "\n".join(f"#   {d}" for d in analysis.errors))
            return
        if self.bridge is None:
            return
        if not self.toPlainText() or self.toPlainText().startswith("# The design cannot"):
            self.setPlainText("# Writing the PyTorch code…")
        self._ticket = self.bridge.workbench.python_code(self.document.snapshot())
