"""The code view: the PyTorch code of the current design (netbuilder.compiler.export.to_python),
regenerated after a change only while the view is visible; the compile problem when invalid.

torch is loaded on a background thread (torch_loader) the first time the view is shown, never at
start-up and never on the GUI thread.
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
        self.shown = False  # whether its dock tab is the current one (set by set_shown)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        document.analysis_updated.connect(self._mark_dirty)

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
        from netbuilder.ui import torch_loader

        if not torch_loader.is_loaded():  # never import torch on the GUI thread: wait for the loader
            torch_loader.ensure_loading()
            if not self.toPlainText():
                self.setPlainText("# Loading PyTorch…")
            self._timer.start(200)
            return
        self._dirty = False
        analysis = self.document.analysis
        if not analysis.valid:
            self.setPlainText("# The design cannot be compiled yet:\n"
                              + "\n".join(f"#   {d}" for d in analysis.errors))
            return
        try:
            from netbuilder.compiler.export import to_python

            code = to_python(self.document.snapshot())
        except Exception as e:  # noqa: BLE001  (show any compile problem instead of the code)
            code = f"# The design cannot be turned into PyTorch code:\n#   {e}"
        bar = self.verticalScrollBar().value()
        self.setPlainText(code)
        self.verticalScrollBar().setValue(bar)
