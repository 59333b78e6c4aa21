"""The summary view: one row per layer (node, kind, output shape, parameters, MACs) and totals; with layers
locked (transfer learning), a locked layer's parameters say so and the totals split into trained and locked
(as Keras's summary gives trainable and non-trainable parameters)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from netbuilder.analysis.result import Analysis
from netbuilder.layers import get_spec
from netbuilder.ui.canvas.items import shape_text
from netbuilder.ui.document import Document

COLUMNS = ("Layer", "Kind", "Output shape", "Parameters", "MACs")


def _cell(text: str, number: bool = False, bold: bool = False) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


def _is_layer(kind: str) -> bool:
    """A layer, not an Input or Output node (an unknown kind counts as a layer)."""
    try:
        return get_spec(kind).kind not in ("input", "output")
    except Exception:  # noqa: BLE001  (an unknown kind: the analysis reports it)
        return True


class SummaryView(QTableView):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.table = QStandardItemModel(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.setModel(self.table)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)  # Tab leaves the table (arrows move inside it)
        self.verticalHeader().hide()
        # one line of text per row (the style's 30 px fitted 4 rows in the dock)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self._pending: Analysis | None = None
        self.shown = False  # whether its dock tab is the current one (set by set_shown)
        document.analysis_updated.connect(self._on_analysis)
        self._frozen: list[str] = []  # the locked layers the table shows
        document.design_field_changed.connect(self._field_changed)
        self.clicked.connect(self._on_click)
        self.show_analysis(document.analysis)

    def _on_analysis(self, analysis: Analysis) -> None:
        """Rebuild now if visible, else when next shown (large designs stay fast while hidden)."""
        if self.shown:
            self.show_analysis(analysis)
        else:
            self._pending = analysis

    def _field_changed(self, name: str) -> None:
        """A layer locked or unlocked (the training settings changed, and which layers are locked with them)."""
        if name == "training" and self.document.frozen != self._frozen:
            self._on_analysis(self.document.analysis)

    def set_shown(self, shown: bool) -> None:
        """Connected to its dock's visibilityChanged (a tabbed dock stays isVisible() behind others)."""
        self.shown = shown
        if shown and self._pending is not None:
            self.show_analysis(self._pending)

    def show_analysis(self, analysis: Analysis) -> None:
        self._pending = None
        self.table.setRowCount(0)
        graph = self.document.graph
        order = [n for n in analysis.order if n in analysis.nodes] or list(analysis.nodes)
        self._frozen = self.document.frozen
        frozen = set(self._frozen)
        locked = 0
        for node_id in order:
            info = analysis.nodes[node_id]
            kind = graph.node(node_id).kind if node_id in graph else info.kind
            params = f"{info.params:,}"
            if node_id in frozen and info.params:
                params += " (locked)"
                locked += info.params if node_id in analysis.on_path or not analysis.on_path else 0
            self.table.appendRow([_cell(node_id), _cell(kind), _cell(shape_text(info.shape)),
                                  _cell(params, True), _cell(f"{info.macs:,}", True)])
        layers = sum(1 for n in order if _is_layer(analysis.nodes[n].kind))
        self.table.appendRow([_cell("Total", bold=True), _cell(f"{layers} layer{'s' * (layers != 1)}"), _cell(""),
                              _cell(f"{analysis.total_params:,}", True, True),
                              _cell(f"{analysis.total_macs:,}", True, True)])
        if locked:
            trained = analysis.total_params - locked
            self.table.appendRow([_cell("", bold=True), _cell("trained / locked"), _cell(""),
                                  _cell(f"{trained:,} / {locked:,}", True, True), _cell("")])
        # the columns fit the new rows (left to the header, a design opened while the tab showed kept the old
        # design's widths: "conv2d_1" cut to "conv2…")
        self.horizontalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)

    def _on_click(self, index) -> None:
        node_id = self.table.item(index.row(), 0).text()
        if node_id in self.document.graph:
            self.document.select([node_id])
