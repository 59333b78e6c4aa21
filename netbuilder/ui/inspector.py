"""The inspector: the selected node's settings as a form generated from its ParamSpecs, its
explanation and formula, output shape, parameters and MACs worked out with its own numbers, and
for activations a plot of the function. Each committed value becomes one SetParam via the Document.
Above the settings, one "from" list per input port names the layer feeding it: choosing another layer
connects it (one undo step, ``Document.connect_nodes``), the keyboard's way to wire (Connect Input, Ctrl+I).
Tab goes from the inspector through these lists and the settings, in the order shown.
When the selection is exactly one group (its collapsed box, or all of its members), a group form
instead: its name (one rename per commit), size, shapes, totals, and a button to collapse or expand it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from netbuilder.errors import NetbuilderError
from netbuilder.graph import GraphEvent
from netbuilder.layers import get_spec, has_kind
from netbuilder.ui import intents, theme
from netbuilder.ui.activation_plot import ACTIVATIONS
from netbuilder.ui.canvas.items import shape_text
from netbuilder.ui.document import Document, group_name_problem
from netbuilder.ui.param_editors import make_editor, mark_unfit

NOT_CONNECTED = "— not connected —"
CONNECT_HINT = " (choose it in the Inputs list above: Ctrl+I)"


def problem_colour(severity: str, dark: bool | None = None) -> str:
    """The text colour of an error or a warning, readable (WCAG contrast at least 4.5:1) on the theme's
    window colour: the theme's own red and amber, darkened for the light theme."""
    dark = theme.is_dark() if dark is None else dark
    if severity == "error":
        return "#ef9a9a" if dark else "#c62828"  # (theme.verdict_colour(False) of each theme)
    return theme.WARNING_COLOUR.name() if dark else theme.WARNING_COLOUR.darker(170).name()


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
        self.group_id: str | None = None  # the group shown by the group form
        self.editors: dict[str, QWidget] = {}
        self._plot = None
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(260)
        body = QWidget()
        self.setWidget(body)
        self.box = QVBoxLayout(body)
        self.heading = _label(rich=True)
        self.inputs = QGroupBox("Inputs")
        self.inputs_form = QFormLayout(self.inputs)
        self.inputs_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.input_boxes: list[QComboBox] = []
        self.settings = QGroupBox("Settings")
        self.form = QFormLayout(self.settings)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.results = _label(rich=True)
        self.problems = _label(rich=True)
        self.explanation = _label(rich=True)
        self._build_group_form()
        for w in (self.heading, self.inputs, self.settings, self.group_box, self.results, self.problems, self.explanation):
            self.box.addWidget(w)
        self.box.addStretch(1)
        document.selection_changed.connect(self._on_selection)
        document.analysis_updated.connect(self.refresh_results)
        self._unsubscribe = document.graph.subscribe(self._on_event)
        self.destroyed.connect(lambda *_a, u=self._unsubscribe: u())
        self.show_node(None)

    def _on_selection(self, ids: list[str]) -> None:
        group_id = self._group_of_selection(ids)
        if group_id is not None:
            self.show_group(group_id)
        else:
            self.show_node(ids[0] if len(ids) == 1 else None, many=len(ids))

    def _group_of_selection(self, ids: list[str]) -> str | None:
        """The group whose members are exactly ``ids`` (a lone member only when its group is collapsed)."""
        group = self.document.graph.group_of(ids[0]) if ids and ids[0] in self.document.graph else None
        if group is None or set(group.nodes) != set(ids) or (len(ids) == 1 and not group.collapsed):
            return None
        return group.id

    def _on_event(self, event: GraphEvent) -> None:
        if event.kind == "reset" or (event.kind == "node_removed" and event.node_id == self.node_id):
            self.show_node(None)
        elif event.kind in ("group_added", "group_removed", "group_changed"):
            group_id = self._group_of_selection(self.document.selection)
            if group_id is not None and group_id == self.group_id:
                self._fill_group()
            elif group_id != self.group_id:
                self._on_selection(self.document.selection)
        elif event.kind in ("edge_added", "edge_removed", "node_added", "node_removed") and self.node_id:
            self._fill_inputs()  # (which layers may feed this one changes with every connection)
        elif event.kind == "param_changed" and event.node_id == self.node_id and event.name in self.editors:
            value = self.document.graph.node(self.node_id).params.get(event.name)
            if value is None and has_kind(self.document.graph.node(self.node_id).kind):
                value = get_spec(self.document.graph.node(self.node_id).kind).resolve({})[event.name]
            self.editors[event.name].set_value(value)
            self._update_plot()

    # ----- build the form -----------------------------------------------------------------
    def show_node(self, node_id: str | None, many: int = 0) -> None:
        self.node_id = node_id
        self.group_id = None
        self.group_box.hide()
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        graph = self.document.graph
        if node_id is None or node_id not in graph or not has_kind(graph.node(node_id).kind):
            text = f"{many} layers selected." if many > 1 else "Select a layer to see and change its settings."
            self.heading.setText(f"<i>{escape(text)}</i>")
            for w in (self.inputs, self.settings, self.results, self.problems, self.explanation):
                w.hide()
            self._fill_inputs()
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
            editor.setAccessibleName(p.label or p.name)
        self.settings.setVisible(bool(spec.params))
        self._fill_inputs()
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
            self._say(str(e))

    def _say(self, text: str) -> None:
        self.problems.setText(f"<span style='color:{problem_colour('error')}'>{escape(text)}</span>")
        self.problems.show()

    # ----- inputs: which layer feeds each input port ------------------------------------
    def _ports(self) -> int:
        """How many "from" lists the shown layer gets: one per input; a merge one more than it uses."""
        graph = self.document.graph
        if self.node_id is None or self.node_id not in graph or not has_kind(graph.node(self.node_id).kind):
            return 0
        spec = get_spec(graph.node(self.node_id).kind)
        if spec.variadic:
            return max(2, max((e.port for e in graph.incoming(self.node_id)), default=-1) + 2)
        return spec.n_inputs

    def sources(self) -> list[str]:
        """The layers that may feed the shown one, in the design's order: none that it feeds (a cycle),
        not itself, not an Output."""
        graph, node_id = self.document.graph, self.node_id
        if node_id is None or node_id not in graph:
            return []
        succ, downstream, stack = graph.successors_map(), {node_id}, [node_id]
        while stack:
            for n in succ.get(stack.pop(), ()):
                if n not in downstream:
                    downstream.add(n)
                    stack.append(n)
        return [n for n in graph.topological_order() if n not in downstream and graph.node(n).kind != "output"]

    def _fill_inputs(self) -> None:
        """One list per input port, kept (and kept focused) while the design changes around it."""
        ports = self._ports()
        while len(self.input_boxes) > ports:
            self.inputs_form.removeRow(len(self.input_boxes) - 1)
            self.input_boxes.pop()
        while len(self.input_boxes) < ports:
            box = QComboBox(self.inputs)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
            port = len(self.input_boxes)
            box.activated.connect(lambda index, port=port: self._choose_input(port, index))
            self.input_boxes.append(box)
            self.inputs_form.addRow(QLabel(self.inputs), box)
        self.inputs.setVisible(ports > 0)
        if not ports:
            self._chain_tab_order()
            return
        graph, sources = self.document.graph, self.sources()
        for port, box in enumerate(self.input_boxes):
            edge = graph.edge_into(self.node_id, port)
            label = self.inputs_form.labelForField(box)
            title = "From" if ports == 1 else f"Input {port} from"  # (numbered as the canvas and analysis do)
            if isinstance(label, QLabel):
                label.setText(title)
                label.setBuddy(box)
            box.setAccessibleName(f"{title} (the layer feeding {self.node_id})")
            box.setToolTip(f"The layer whose output feeds {'this layer' if ports == 1 else f'input {port}'}:"
                           " choose one to connect it")
            box.blockSignals(True)
            box.clear()
            box.addItem(NOT_CONNECTED, None)
            for src in ([edge.src] if edge is not None and edge.src not in sources else []) + sources:
                node = graph.node(src)
                title_of = get_spec(node.kind).title if has_kind(node.kind) else node.kind
                box.addItem(f"{src} ({title_of})", src)
            box.setCurrentIndex(max(0, box.findData(edge.src)) if edge is not None else 0)
            box.blockSignals(False)
        self._chain_tab_order()

    def _choose_input(self, port: int, index: int) -> None:
        if self.node_id is None or port >= len(self.input_boxes):
            return
        src = self.input_boxes[port].itemData(index)
        graph = self.document.graph
        edge = graph.edge_into(self.node_id, port)
        try:
            if src is None:
                if edge is not None:
                    self.document.disconnect_edge(edge)
            elif edge is None:
                self.document.connect_nodes(src, self.node_id, port)
            elif edge.src != src:
                self.document.push(intents.reconnect(edge, src))
        except NetbuilderError as e:
            self._fill_inputs()  # (the list shows the design again)
            self._say(str(e))

    def focus_inputs(self) -> str | None:
        """Put the keyboard on the first unconnected "from" list (else the first) and open it; None, or
        why there is none (no single layer selected, a layer that takes no input)."""
        if self.node_id is None:
            return "Select one layer first (click it, or Alt+arrow keys on the canvas) to connect its input."
        if not self.input_boxes:
            return f"{self.node_id} takes no input: it starts the network (connect its output to another layer)."
        free = [b for p, b in enumerate(self.input_boxes) if self.document.graph.edge_into(self.node_id, p) is None]
        box = (free or self.input_boxes)[0]
        self.ensureWidgetVisible(box)
        box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        box.showPopup()
        return None

    def _chain_tab_order(self) -> None:
        """Tab from the inspector reaches its fields in the order shown (fields made after the window's
        other widgets would otherwise come last in its focus chain, after every other panel)."""
        previous: QWidget = self
        for w in [*self.input_boxes, *self.editors.values(), self.group_name, self.group_toggle]:
            QWidget.setTabOrder(previous, w)
            previous = w

    # ----- results ---------------------------------------------------------------------
    def refresh_results(self, *_args: object) -> None:
        if self.group_id is not None:
            self._fill_group(with_name=False)
            return
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
            f"<span style='color:{problem_colour(d.severity)}'>"
            f"{'✖' if d.severity == 'error' else '⚠'} {escape(d.message)}</span>"
            + (f"<br>&nbsp;&nbsp;<i>fix:</i> {escape(d.fix)}"
               + (escape(CONNECT_HINT) if d.fix.startswith("connect") else "") if d.fix else "") for d in diags))
        self.problems.setVisible(bool(diags))

    # ----- a group ----------------------------------------------------------------------
    def _build_group_form(self) -> None:
        self.group_box = QGroupBox("Group")
        form = QFormLayout(self.group_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.group_name = QLineEdit()
        self.group_name.setPlaceholderText("the group's name")
        self.group_name.editingFinished.connect(self._commit_group_name)
        self.group_name.textEdited.connect(lambda text: self._mark_group_name(group_name_problem(text)
                                                                              if self._bad_name else None))
        self._bad_name = False
        self.group_values = {key: _label() for key in ("id", "layers", "shapes", "params", "macs")}
        self.group_toggle = QPushButton()
        self.group_toggle.clicked.connect(self._toggle_group)
        form.addRow("Name", self.group_name)
        for key, title in (("id", "Id"), ("layers", "Layers"), ("shapes", "In → out"),
                           ("params", "Parameters"), ("macs", "MACs")):
            form.addRow(title, self.group_values[key])
        form.addRow(self.group_toggle)

    def show_group(self, group_id: str) -> None:
        self.show_node(None)
        self.group_id = group_id
        self.explanation.setText("<p>A group changes only how the design is drawn: its layers run exactly as "
                                 "they would without it. Double-click its box on the canvas to open or close it.</p>")
        self._fill_group()
        for w in (self.group_box, self.explanation):
            w.show()

    def _fill_group(self, with_name: bool = True) -> None:
        graph, analysis = self.document.graph, self.document.analysis
        group = graph.groups.get(self.group_id or "")
        if group is None:
            return
        self.heading.setText(f"<h3 style='margin:0'>{escape(group.name)}</h3><code>{escape(group.id)}</code>"
                             f" · group of {len(group.nodes)} layers")
        if with_name:  # (not on a new analysis: a name being typed stays)
            self._mark_group_name(None)
            if self.group_name.text() != group.name:
                self.group_name.setText(group.name)
                self.group_name.setCursorPosition(0)
        members = set(group.nodes)
        order = [n for n in analysis.order if n in members] + [n for n in group.nodes if n not in analysis.order]
        infos = [analysis.nodes[n] for n in order if n in analysis.nodes]
        first = analysis.nodes.get(order[0]) if order else None
        last = analysis.nodes.get(order[-1]) if order else None
        shape_in = shape_text(first.in_shapes[0]) if first is not None and first.in_shapes else "—"
        shape_out = shape_text(last.shape) if last is not None else "?"
        values = {"id": group.id, "layers": f"{len(group.nodes)}", "shapes": f"{shape_in} → {shape_out}",
                  "params": f"{sum(i.params for i in infos):,}", "macs": f"{sum(i.macs for i in infos):,}"}
        for key, text in values.items():
            self.group_values[key].setText(text)
        self.group_toggle.setText("Expand" if group.collapsed else "Collapse")

    def _mark_group_name(self, problem: str | None) -> None:
        """Show the name field in red with ``problem`` as its tooltip, or plain again."""
        self._bad_name = problem is not None
        mark_unfit(self.group_name, problem is not None)
        self.group_name.setToolTip(problem or "press Enter to rename the group")

    def _commit_group_name(self) -> None:
        if self.group_id is None or self.group_id not in self.document.graph.groups:
            return
        problem = group_name_problem(self.group_name.text())
        if problem is None:
            try:
                self.document.rename_group(self.group_id, self.group_name.text())
            except NetbuilderError as e:
                problem = str(e)
        self._mark_group_name(problem)

    def _toggle_group(self) -> None:
        group = self.document.graph.groups.get(self.group_id or "")
        if group is None:
            return
        self.document.set_collapsed(group.id, not group.collapsed)
        # The canvas hides the members of a collapsed group, and Qt deselects hidden items: keep the group
        # selected, so this form stays.
        self.document.select(group.nodes)

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
