"""The problems list: every diagnostic of the current analysis; a click selects the node
(``node_activated`` lets the window centre the canvas on it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from netbuilder.analysis.result import Analysis
from netbuilder.ui.document import Document

NODE_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemsView(QTreeWidget):
    node_activated = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setColumnCount(3)
        self.setHeaderLabels(["Layer", "Problem", "Fix"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setColumnWidth(0, 130)
        self.setColumnWidth(1, 420)
        document.analysis_updated.connect(self.show_analysis)
        self.itemClicked.connect(self._on_click)
        self.itemActivated.connect(self._on_click)
        self.show_analysis(document.analysis)

    def show_analysis(self, analysis: Analysis) -> None:
        self.clear()
        style = self.style()
        icons = {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)}
        for d in analysis.diagnostics:
            item = QTreeWidgetItem(self, [d.node_id or "design", d.message, d.fix])
            item.setIcon(0, icons.get(d.severity, icons["warning"]))
            item.setData(0, NODE_ROLE, d.node_id)
            item.setToolTip(1, d.message)
            item.setToolTip(2, d.fix)

    def _on_click(self, item: QTreeWidgetItem, column: int = 0) -> None:
        node_id = item.data(0, NODE_ROLE)
        if node_id and node_id in self.document.graph:
            self.document.select([node_id])
            self.node_activated.emit(node_id)
