"""The open design: the ONLY writer of the graph, through edits pushed on its QUndoStack.

Views send intents here (add, connect, delete, set a setting, ...); each becomes one graph edit,
applied once, then pushed as one undo step. The graph emits its events; the document re-runs the
analysis (coalesced: one edit batch, one analysis) and emits ``analysis_updated``. Signals:
``changed`` (after any edit, undo or redo), ``analysis_updated(Analysis)``,
``selection_changed(list)``, ``file_changed()`` (path, name, clean state or unsaved weights),
``design_replaced()``, ``design_field_changed(str)`` (a design attribute outside the graph: ``training``,
``dataset``, ..., after the edit, its undo or redo). Frozen layers (transfer learning) are the node ids in
``design.training["frozen"]``. Imports no torch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from netbuilder.analysis import analyze
from netbuilder.analysis.result import Analysis
from netbuilder.choices import frozen_ids
from netbuilder.graph import Design, Edge, Graph, GraphError, GraphEvent
from netbuilder.graph.edits import (
    AddEdge,
    AddNode,
    Compound,
    Edit,
    MoveNodes,
    RemoveEdge,
    SetParam,
    UpdateGroup,
)
from netbuilder.layers import get_spec
from netbuilder.ui import intents
from netbuilder.ui.undo import DesignAttrCommand, DesignFieldCommand, EditCommand


def file_stamp(path: Path | None) -> tuple[int, int] | None:
    """``(modification time in ns, size)`` of ``path``, or None when there is no such file."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def group_name_problem(name: str) -> str | None:
    """Why ``name`` (surrounding spaces dropped) cannot name a group, or None: it is empty, or longer than
    a design file may hold (io ``limits.MAX_NAME``, read at call time)."""
    from netbuilder.io import limits

    name = name.strip()
    if not name:
        return "a group needs a name"
    if len(name) > limits.MAX_NAME:
        return f"a group name may be at most {limits.MAX_NAME} characters long (this one has {len(name):,})"
    return None


class Document(QObject):
    changed = Signal()
    analysis_updated = Signal(object)
    selection_changed = Signal(list)
    file_changed = Signal()
    design_replaced = Signal()
    design_field_changed = Signal(str)

    def __init__(self, design: Design | None = None, path: str | Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = Graph()
        self.design = Design(self.graph)
        self.path: Path | None = None
        self.disk_stamp: tuple[int, int] | None = None  # the file's (modification time, size) as last read or written
        self.weights_unsaved = False  # trained weights (or forgetting them) not yet saved with the file
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.analysis: Analysis = analyze(self.graph)
        self._selection: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.run_analysis)
        self.graph.subscribe(self._on_graph_event)
        if design is not None:
            self.set_design(design, path)

    # ----- whole design -----------------------------------------------------------------
    def set_design(self, design: Design, path: str | Path | None = None) -> None:
        """Show ``design`` (a fresh undo history); the document keeps one Graph object for views.

        All or nothing: when a view listening to the graph raises part-way (a design it cannot show), the
        design shown before is put back, as when it was opened (its file, whether it was edited since, its
        undo history too when it was not cleared yet; trained weights come again from its weights file), and
        the error goes on to the caller: a window that says "your design is unchanged" tells the truth."""
        before = (self.design, self.graph.copy(), self.path, self.disk_stamp, self.design_modified,
                  list(self._selection))
        new = design.copy()
        new.graph = self.graph
        try:
            self._replace(new, design.graph, Path(path) if path else None, modified=False)
        except Exception:
            self._restore(before)
            raise

    def _replace(self, design: Design, graph: Graph, path: Path | None, modified: bool,
                 selection: list[str] | None = None, stamp: tuple[int, int] | None = None,
                 keep_history: bool = False) -> None:
        """Make ``design`` (whose graph is ``self.graph``) with the content of ``graph`` the document's."""
        self.design = design
        self._selection = []
        self.graph.replace_with(graph)  # (the views rebuild: what raises leaves the undo history as it was)
        if not keep_history:
            self.undo_stack.clear()
            if modified:
                self.undo_stack.resetClean()  # (no step to go back to, but the file does not hold this design)
            else:
                self.undo_stack.setClean()
        self.path = path
        self.weights_unsaved = False
        self.disk_stamp = file_stamp(path) if stamp is None else stamp
        self.run_analysis()
        self.design_replaced.emit()
        self._selection = [n for n in selection or [] if n in self.graph]
        self.selection_changed.emit(list(self._selection))
        self.file_changed.emit()
        self.changed.emit()

    def _restore(self, before: tuple) -> None:
        """Put back the design ``set_design`` was replacing (after a view raised part-way); its undo history
        too when it was not cleared yet (its steps fit the graph put back)."""
        design, graph, path, stamp, modified, selection = before
        try:
            self._replace(design, graph, path, modified, selection, stamp,
                          keep_history=self.undo_stack.count() > 0)
        except Exception as e:  # the design before cannot be shown either: the caller reports the first error
            from netbuilder import log

            log.report_unexpected(e, "putting the design back after a failed replace")
        self.path, self.disk_stamp = path, stamp

    def snapshot(self) -> Design:
        """An independent copy of the current design (for saving, exporting, training)."""
        return self.design.copy()

    def set_path(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self.disk_stamp = file_stamp(self.path)
        self.undo_stack.setClean()
        self.file_changed.emit()

    def changed_on_disk(self) -> bool:
        """True when the design's file was changed by someone else since it was opened or saved here (a
        classmate's save, another window): saving over it would lose their changes. A deleted file is not
        'changed': saving puts it back."""
        now = file_stamp(self.path)
        return self.disk_stamp is not None and now is not None and now != self.disk_stamp

    def _on_clean_changed(self, _clean: bool) -> None:
        self.file_changed.emit()

    @property
    def title(self) -> str:
        return self.path.name if self.path else (self.design.name or "untitled")

    @property
    def is_modified(self) -> bool:
        """Unsaved changes: edits since the file was saved (the undo stack), or trained weights not written
        beside it yet (``weights_unsaved``): either way closing asks to save, and the title shows ``*``."""
        return not self.undo_stack.isClean() or self.weights_unsaved

    @property
    def design_modified(self) -> bool:
        """The design itself was edited since it was saved (what an autosave keeps)."""
        return not self.undo_stack.isClean()

    def set_weights_unsaved(self, unsaved: bool) -> None:
        """Say whether the design's trained weights (training/design_link.py decides) still wait to be saved
        with the file: a run trained since, or they were forgotten (Start fresh) while the file names them."""
        if unsaved != self.weights_unsaved:
            self.weights_unsaved = unsaved
            self.file_changed.emit()

    @property
    def direction(self) -> str:
        return str(self.design.layout.get("direction", "TB")).upper()

    # ----- the single write path ------------------------------------------------------------
    def push(self, edit: Edit | None) -> bool:
        """Apply ``edit`` and record it as one undo step. A refused edit raises (GraphError) and
        changes nothing."""
        if edit is None:
            return False
        edit.apply(self.graph)
        self.undo_stack.push(EditCommand(self.graph, edit, applied=True, after=self._after_edit))
        return True

    # ----- intents ----------------------------------------------------------------------
    def add_node(self, kind: str, pos: tuple[float, float]) -> str:
        node = intents.new_node(self.graph, kind, pos)
        self.push(AddNode(node))
        self.select([node.id])
        return node.id

    def append(self, kind: str, after: str | None = None, pos: tuple[float, float] = (0.0, 0.0)) -> str:
        """Append after ``after`` (inserted before its successor); with none, at the end of the network
        (before the Output: ``intents.end_of_network``); without an end to go to (no Output, or several),
        add unconnected at ``pos``."""
        spec = get_spec(kind)
        if (after is None or after not in self.graph) and spec.n_inputs != 0 and spec.kind != "output":
            after = intents.end_of_network(self.graph)
        if after is None or after not in self.graph:
            return self.add_node(kind, pos)
        edit, node_id = intents.append_after(self.graph, kind, after, self.direction)
        self.push(edit)
        self.select([node_id])
        return node_id

    def insert_on_edge(self, kind: str, edge: Edge) -> str:
        """A layer dropped on a connection: spliced into it (``intents.insert_on_edge``) and selected."""
        edit, node_id = intents.insert_on_edge(self.graph, kind, edge, self.direction)
        self.push(edit)
        self.select([node_id])
        return node_id

    def connect_nodes(self, src: str, dst: str, port: int | None = None) -> Edge:
        if port is None:
            port = intents.free_port(self.graph, dst)
            if port is None:
                from netbuilder.graph import PortTakenError

                raise PortTakenError(dst, 0)
        edge = Edge(src, dst, port)
        self.push(AddEdge(edge))
        return edge

    def disconnect_edge(self, edge: Edge) -> None:
        self.push(RemoveEdge(edge))

    def delete(self, node_ids: Iterable[str], edges: Iterable[Edge] = ()) -> bool:
        node_ids = list(node_ids)
        done = self.push(intents.delete(self.graph, node_ids, edges))
        if done:
            self.select([n for n in self._selection if n in self.graph])
        return done

    def move(self, positions: dict[str, tuple[float, float]]) -> bool:
        changed = {n: (float(p[0]), float(p[1])) for n, p in positions.items()
                   if n in self.graph and tuple(self.graph.node(n).pos) != (float(p[0]), float(p[1]))}
        return self.push(MoveNodes(changed)) if changed else False

    def set_param(self, node_id: str, name: str, value: Any) -> bool:
        old = self.graph.node(node_id).params.get(name, object())
        if old == value and type(old) is type(value):  # (True == 1, but a units of true is not 1)
            return False
        return self.push(SetParam(node_id, name, value))

    def auto_layout(self) -> bool:
        return self.push(intents.auto_layout(self.graph, self.direction))

    def set_direction(self, direction: str) -> None:
        """Change the reading direction and lay the design out again: one undo step."""
        direction = direction.upper()
        if direction == self.direction:
            return
        self.undo_stack.beginMacro(f"read {'left to right' if direction == 'LR' else 'top to bottom'}")
        self.undo_stack.push(DesignFieldCommand(self.design.layout, "direction", direction,
                                                "direction", self._after_edit))
        self.auto_layout()
        self.undo_stack.endMacro()

    def paste(self, data: dict[str, Any], offset: tuple[float, float] = (40.0, 40.0)) -> list[str]:
        edit, ids = intents.paste(self.graph, data, offset)
        self.push(edit)
        self.select(ids)
        return ids

    def group_nodes(self, node_ids: Iterable[str], name: str = "block") -> str | None:
        edit = intents.group(self.graph, node_ids, name)
        if edit is None:
            return None
        self.push(edit)
        return edit.group.id

    def rename_group(self, group_id: str, name: str) -> bool:
        """Give a group a new name (surrounding spaces dropped) as one undo step; False when it is the same.
        An empty name or one longer than a design file may hold (io ``limits.MAX_NAME``) raises GraphError."""
        if group_id not in self.graph.groups:
            raise GraphError(f"no group named {group_id!r}")
        name = name.strip()
        problem = group_name_problem(name)
        if problem:
            raise GraphError(problem)
        if self.graph.groups[group_id].name == name:
            return False
        return self.push(Compound([UpdateGroup(group_id, {"name": name})], f"rename {group_id}"))

    def set_collapsed(self, group_id: str, collapsed: bool, relayout: bool = True) -> bool:
        """Collapse or expand a group; with ``relayout`` the design is laid out again in the same undo
        step (each collapsed group one box), so collapsing closes up the space and expanding makes room."""
        if self.graph.groups[group_id].collapsed == collapsed:
            return False
        edit: Edit = UpdateGroup(group_id, {"collapsed": collapsed})
        if relayout:
            from netbuilder.ui.layout import graph_layout

            shut = {g.id for g in self.graph.groups.values() if g.collapsed} ^ {group_id}
            positions = graph_layout(self.graph, self.direction, shut)
            moved = {n: p for n, p in positions.items() if tuple(self.graph.node(n).pos) != p}
            if moved:
                edit = Compound([edit, MoveNodes(moved)], edit.text)
        return self.push(edit)

    # ----- design fields outside the graph (training settings, dataset, weights file) ---------------
    def set_design_field(self, name: str, value: Any, text: str | None = None) -> bool:
        """Replace the design's ``name`` attribute (``training``, ``dataset``, ``weights``, ``name``,
        ``description``, ``meta``) as one undo step; repeated changes of one field with the same text merge."""
        if name not in ("training", "dataset", "weights", "name", "description", "meta"):
            raise ValueError(f"the design has no field {name!r} to set")
        if getattr(self.design, name) == value:
            return False
        self.undo_stack.push(DesignAttrCommand(self.design, name, value, text or f"change {name}",
                                               lambda: self._after_field(name)))
        return True

    def _after_field(self, name: str) -> None:
        self.design_field_changed.emit(name)
        self.changed.emit()

    def name_weights_file(self, name: str | None) -> None:
        """Record the name of the design's weights file (``design.weights``). A file reference kept in step
        with saving, not an edit of the network: no undo step, and the design is not marked modified."""
        self.design.weights = name

    def set_training_value(self, key: str, value: Any, text: str | None = None) -> bool:
        """Set one training setting (``design.training[key]``) as one undo step."""
        training = dict(self.design.training)
        if key in training and training[key] == value:
            return False
        training[key] = value
        return self.set_design_field("training", training, text or f"set {key.replace('_', ' ')}")

    @property
    def frozen(self) -> list[str]:
        """Node ids of the frozen layers (their parameters are not trained), in graph order."""
        stored = set(frozen_ids(self.design.training))
        return [n for n in self.graph.nodes if n in stored]

    def set_frozen(self, node_ids: Iterable[str], frozen: bool) -> bool:
        """Freeze (lock) or unfreeze layers: one undo step editing ``design.training["frozen"]``."""
        ids = [n for n in node_ids if n in self.graph]
        current = frozen_ids(self.design.training)  # (a file's frozen: true names none; this writes a list)
        new = [n for n in current if n not in ids] + ([n for n in ids if n not in current] if frozen else [])
        new = [n for n in self.graph.nodes if n in new] + [n for n in new if n not in self.graph]
        if new == current or not ids:
            return False
        what = ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")
        return self.set_training_value("frozen", new, f"{'freeze' if frozen else 'unfreeze'} {what}")

    def replace_head(self, num_classes: int) -> int:
        """Give the classifier ``num_classes`` outputs (presets.fit_design): one undo step of setting edits.
        Returns how many settings changed; raises PresetError when there is no classifier to change."""
        from netbuilder.presets import fit_design

        current = self.snapshot()
        fitted = fit_design(current, None, int(num_classes))
        changes = [(n.id, k, v) for n in fitted.graph.iter_nodes() for k, v in n.params.items()
                   if current.graph.node(n.id).params.get(k) != v]
        if not changes:
            return 0
        self.undo_stack.beginMacro(f"replace the head for {num_classes} classes")
        try:
            for node_id, name, value in changes:
                self.push(SetParam(node_id, name, value))
        finally:
            self.undo_stack.endMacro()
        return len(changes)

    # ----- selection ------------------------------------------------------------------
    @property
    def selection(self) -> list[str]:
        return list(self._selection)

    def select(self, node_ids: Iterable[str]) -> None:
        ids = [n for n in dict.fromkeys(node_ids) if n in self.graph]
        if ids != self._selection:
            self._selection = ids
            self.selection_changed.emit(list(ids))

    def _after_edit(self) -> None:
        """After an edit, its undo or redo: drop removed nodes from the selection, tell the views."""
        kept = [n for n in self._selection if n in self.graph]
        if kept != self._selection:
            self._selection = kept
            self.selection_changed.emit(list(kept))
        self.changed.emit()

    # ----- analysis -------------------------------------------------------------------
    def _on_graph_event(self, event: GraphEvent) -> None:
        if event.kind != "node_moved":
            self._timer.start()

    def run_analysis(self) -> Analysis:
        """Analyse now (normally the coalescing timer does it after an edit batch)."""
        self._timer.stop()
        self.analysis = analyze(self.graph)
        self.analysis_updated.emit(self.analysis)
        return self.analysis

    def flush(self) -> None:
        """Run a pending analysis at once (tests, and before saving or exporting)."""
        if self._timer.isActive():
            self.run_analysis()
