"""The inspector: the selected node's settings as a form generated from its ParamSpecs, its
explanation and formula, output shape, parameters and MACs worked out with its own numbers, and
for activations a plot of the function. Each committed value becomes one SetParam via the Document.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from netbuilder.errors import NetbuilderError
from netbuilder.graph import GraphEvent
from netbuilder.layers import get_spec, has_kind
from netbuilder.ui.activation_plot import ACTIVATIONS
from netbuilder.ui.canvas.items import shape_text
from netbuilder.ui.document import Document
from netbuilder.ui.param_editors import make_editor


def _label(text: str = "", rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return label


class Inspector(QScrollArea):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.node_id: str | None = None
        self.editors: dict[str, QWidget] = {}
        self._plot = None
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(260)
        body = QWidget()
        self.setWidget(body)
        self.box = QVBoxLayout(body)
        self.heading = _label(rich=True)
        self.settings = QGroupBox("Settings")
        self.form = QFormLayout(self.settings)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.results = _label(rich=True)
        self.problems = _label(rich=True)
        self.explanation = _label(rich=True)
        for w in (self.heading, self.settings, self.results, self.problems, self.explanation):
            self.box.addWidget(w)
        self.box.addStretch(1)
        document.selection_changed.connect(self._on_selection)
        document.analysis_updated.connect(self.refresh_results)
        self._unsubscribe = document.graph.subscribe(self._on_event)
        self.destroyed.connect(lambda *_a, u=self._unsubscribe: u())
        self.show_node(None)

    def _on_selection(self, ids: list[str]) -> None:
        self.show_node(ids[0] if len(ids) == 1 else None, many=len(ids))

    def _on_event(self, event: GraphEvent) -> None:
        if event.kind == "reset" or (event.kind == "node_removed" and event.node_id == self.node_id):
            self.show_node(None)
        elif event.kind == "param_changed" and event.node_id == self.node_id and event.name in self.editors:
            value = self.document.graph.node(self.node_id).params.get(event.name)
            if value is None and has_kind(self.document.graph.node(self.node_id).kind):
                value = get_spec(self.document.graph.node(self.node_id).kind).resolve({})[event.name]
            self.editors[event.name].set_value(value)
            self._update_plot()

    # ----- build the form -----------------------------------------------------------------
    def show_node(self, node_id: str | None, many: int = 0) -> None:
        self.node_id = node_id
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        graph = self.document.graph
        if node_id is None or node_id not in graph or not has_kind(graph.node(node_id).kind):
            text = f"{many} layers selected." if many > 1 else "Select a layer to see and change its settings."
            self.heading.setText(f"<i>{escape(text)}</i>")
            for w in (self.settings, self.results, self.problems, self.explanation):
                w.hide()
            self._show_plot(False)
            return
        node = graph.node(node_id)
        spec = get_spec(node.kind)
        self.heading.setText(f"<h3 style='margin:0'>{escape(spec.title)}</h3><code>{escape(node_id)}</code>"
                             f" · {escape(spec.category)}")
        values = spec.resolve(node.params)
        for p in spec.params:
            editor = make_editor(p, values[p.name], lambda v, name=p.name: self._commit(name, v), self.settings)
            self.editors[p.name] = editor
            self.form.addRow(p.label or p.name, editor)
        self.settings.setVisible(bool(spec.params))
        self.explanation.setText(f"<p>{escape(spec.doc)}</p><p><code>{escape(spec.formula)}</code></p>")
        for w in (self.results, self.explanation):
            w.show()
        self._update_plot()
        self.refresh_results()

    def _commit(self, name: str, value: Any) -> None:
        if self.node_id is None:
            return
        try:
            self.document.set_param(self.node_id, name, value)
        except NetbuilderError as e:
            self.problems.setText(f"<span style='color:#d33c3c'>{escape(str(e))}</span>")
            self.problems.show()

    # ----- results ---------------------------------------------------------------------
    def refresh_results(self, *_args: object) -> None:
        if self.node_id is None or self.node_id not in self.document.graph:
            return
        node = self.document.graph.node(self.node_id)
        spec = get_spec(node.kind)
        analysis = self.document.analysis
        info = analysis.nodes.get(self.node_id)
        lines = []
        if info is not None:
            ins = ", ".join(shape_text(s) for s in info.in_shapes) or "—"
            lines.append(f"<b>input</b> {escape(ins)} &nbsp;→&nbsp; <b>output</b> {escape(shape_text(info.shape))}")
            lines.append(f"<b>parameters</b> {info.params:,} &nbsp;·&nbsp; <b>MACs</b> {info.macs:,}"
                         + (f" &nbsp;·&nbsp; <b>buffers</b> {info.buffers:,}" if info.buffers else ""))
            if spec.worked and info.shape is not None:
                try:
                    worked = spec.worked(spec.resolve(node.params), info.in_shapes, info.shape)
                except Exception:  # a rule that cannot be filled in for odd inputs: show none
                    worked = []
                lines += [f"<code>{escape(w)}</code>" for w in worked]
        self.results.setText("<br>".join(lines))
        diags = analysis.for_node(self.node_id)
        self.problems.setText("<br>".join(
            f"<span style='color:{'#d33c3c' if d.severity == 'error' else '#c98a00'}'>"
            f"{'✖' if d.severity == 'error' else '⚠'} {escape(d.message)}</span>"
            + (f"<br>&nbsp;&nbsp;<i>fix:</i> {escape(d.fix)}" if d.fix else "") for d in diags))
        self.problems.setVisible(bool(diags))

    # ----- activation plot ---------------------------------------------------------------
    def _show_plot(self, visible: bool) -> None:
        if self._plot is not None:
            self._plot.setVisible(visible)

    def _update_plot(self) -> None:
        node = self.document.graph.node(self.node_id) if self.node_id else None
        if node is None or node.kind not in ACTIVATIONS:
            self._show_plot(False)
            return
        if self._plot is None:
            from netbuilder.ui.activation_plot import ActivationPlot

            self._plot = ActivationPlot()
            self.box.insertWidget(self.box.count() - 1, self._plot)
        self._plot.show_function(node.kind, get_spec(node.kind).resolve(node.params))
        self._plot.setVisible(True)
