"""The lesson panel's link to the window: the student's live state as a ``LessonState`` of plain values, and
"Show me" carried out in the window (the headless ``lessons.apply_action``, done through the Document so
each change is one undo step, and through the workspaces, the training and the explore controllers).

Opening a design for a dataset fits it once the dataset has loaded (the Training panel's Fit); a
``start_training`` waits for PyTorch and the dataset (with ``"fresh": true`` it first resets the weights, as
Train ▸ Reset Weights does), and the actions after it wait for the run's end; the view an earlier
``switch_view`` of the same Show me chose is brought back once the run has started (training brings the
curves forward).

Runs are numbered as they start; ``mark_step()`` (the panel, as a step opens) notes how many started before,
so that the step's run-based checks count only its own runs. Each run's results carry the network it trained
(its ``network_signature``, taken as it starts), so that they count only while the design is that network.
Changing the dataset forgets the results.
Qt only; never torch.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from netbuilder import choices
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Edge, Node
from netbuilder.graph.edits import AddEdge, AddNode, Compound, Edit, MoveNodes, RemoveEdge
from netbuilder.layers import canonical_kind, get_spec
from netbuilder.lessons import LessonError, LessonState, resolve_node
from netbuilder.lessons.state import network_signature
from netbuilder.ui import intents
from netbuilder.ui.workspaces import WORKSPACES
from netbuilder.workbench import events as ev
from netbuilder.workbench.run_loop import untouched

METRICS = ("train_accuracy", "val_accuracy", "test_accuracy", "train_loss", "val_loss", "test_loss", "epochs",
           "best_epoch")
METHODS = ("saliency", "grad_cam", "occlusion")


def _blank(value: Any) -> bool:
    """True when an explanation map is missing or all zero."""
    if value is None:
        return True
    import numpy as np

    array = np.asarray(value, dtype=float)
    return array.size == 0 or not np.isfinite(array).any() or float(np.nanmax(np.abs(array))) == 0.0


class LessonDriver(QObject):
    """Watches what checks look at (``changed``, raised often: the panel debounces) and performs actions."""

    changed = Signal()
    message = Signal(str)  # what Show me could not do, or what it waits for

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.metrics: dict[str, float] = {}
        self.prediction: dict[str, Any] = {}
        self.explanations: dict[str, bool] = {}
        self.answered: dict[str, tuple] = {}  # view -> the network_signature its last answer was made on
        self.shown: dict[str, bool] = {}
        self.runs = 0  # runs started in this window
        self.run = 0  # the number of the run ``metrics`` come from (0: none)
        self.since = 0  # runs started before the current step opened
        self.network: tuple | None = None  # the network_signature of what the run of ``metrics`` trained
        self._starting: tuple | None = None  # the network of the run started last
        self.continued = False  # the run of ``metrics`` trained on from an earlier run's weights
        # the design is one a Show me opened, and the student has not edited it since: opening the next
        # one asks nothing (it was a lesson's, made again by Show me), where it asked to save it each step
        self.lessons_own = False
        self._acting = False  # Show me's own edits, which leave the design the lesson's
        self._index = 0  # the undo stack's index last seen (which step an index change did or undid)
        self._fit_pending = False
        self._train_pending = False
        self._fresh = False  # reset the weights before the pending run
        self._view_after_train: str | None = None
        self._after_run: list[tuple[dict[str, Any], str]] = []
        self._setting_up = False  # ``set_up`` under way: its runs belong to no step
        self._performing = False  # ``perform`` is going through its actions
        doc = window.document
        for signal in (doc.changed, doc.analysis_updated, doc.selection_changed, doc.design_field_changed):
            signal.connect(self._poke)
        doc.design_replaced.connect(self._design_replaced)
        doc.undo_stack.indexChanged.connect(self._edited)
        doc.design_field_changed.connect(self._field_changed)
        window.workspaces.changed.connect(self._poke)
        window.training.run_finished.connect(self._run_finished)
        window.training.state_changed.connect(self._training_state)
        window.bridge.received.connect(self._event)
        for title, dock in window.docks.items():
            self.watch_dock(title, dock)

    def _poke(self, *_args: Any) -> None:
        self.changed.emit()

    def watch_dock(self, title: str, dock) -> None:
        self.shown[title] = dock.isVisible()

        def visible(on: bool, t: str = title) -> None:
            self.shown[t] = on
            self.changed.emit()

        dock.visibilityChanged.connect(visible)

    # ----- the live state ---------------------------------------------------------------------------
    def view_shown(self, view: str) -> bool:
        """The workspace ``view`` is the current one, or the dock ``view`` is on screen."""
        if view in WORKSPACES:
            return self.window.workspaces.current == view
        dock = self.window.docks.get(view)
        return dock is not None and not dock.isHidden() and self.shown.get(view, False)

    def state(self) -> LessonState:
        """The student's state now, as plain values (the analysis is made afresh, with no memory limit)."""
        doc = self.window.document
        selection = doc.selection
        # (an attack or explanation of the network before an edit is not one of the network now)
        now = network_signature(doc.graph) if self.answered else None
        current = {view: sig == now for view, sig in self.answered.items()}
        prediction = dict(self.prediction) if current.get("adversarial", True) else {}
        explanations = dict(self.explanations) if current.get("explain", True) else {}
        return LessonState(design=doc.design, analysis=None, metrics=dict(self.metrics),
                           selected=selection[-1] if selection else None, settings=None,
                           view=self.window.workspaces.current, prediction=prediction, explanations=explanations,
                           run=self.run, since=self.since, runs=self.runs, network=self.network,
                           continued=self.continued)

    def mark_step(self) -> None:
        """A step opens: from now on only runs started after this count for its run-based checks."""
        self.since = self.runs

    def drop_pending(self) -> None:
        """The student left the step: what its Show me still waited to do (a run not started yet, the actions
        after a run) is not done in another step, whose run checks that run would tick."""
        self._setting_up = False
        if self._train_pending or self._after_run:
            self._train_pending, self._fresh, self._view_after_train, self._after_run = False, False, None, []
            self.message.emit("")

    def _forget(self) -> None:
        self.metrics, self.prediction, self.explanations, self.network = {}, {}, {}, None

    def _design_replaced(self) -> None:
        self.lessons_own = False  # (another design: a file, New; Show me's own sets it again after)
        self._forget()
        self.changed.emit()

    def _field_changed(self, name: str) -> None:
        if name == "dataset":  # the results were of the old data
            self._forget()
            self.changed.emit()

    def _run_finished(self, outcome: Any) -> None:
        if getattr(outcome, "kind", "") == "finished" and not untouched(outcome):  # (no step: no run)
            self.metrics = {k: float(getattr(outcome, k)) for k in METRICS if hasattr(outcome, k)}
            self.run, self.network = self.runs, self._starting
            run = self.window.training.curves.run  # (its curves know whether it went on from another run)
            self.continued = run is not None and run.continues is not None
            self.prediction, self.explanations = {}, {}
        self.changed.emit()
        if getattr(outcome, "kind", "") != "finished":
            self._after_run = []  # the run failed: the Training panel says why; the rest waits for Show me
            self._set_up_stopped("a run of an earlier step did not finish")
        if self._after_run and not self._train_pending:
            actions, self._after_run = self._after_run, []
            QTimer.singleShot(0, lambda: self.perform([a for a, _ in actions], actions[0][1]))
        else:
            QTimer.singleShot(0, self._set_up_done)  # (once the run is over: the training state idle)

    def _training_state(self, state: str) -> None:
        """A run starts (it gets the next number), or one stopped (the previous design's, when Show me opened
        an example under it): train now."""
        if state == "preparing":  # (Train flushed the document: its graph is the network the run trains)
            self.runs += 1
            self._starting = network_signature(self.window.document.graph)
        if state == "idle" and self._train_pending:
            self._resume()

    def _event(self, event: Any) -> None:
        if isinstance(event, ev.ViewResult) and event.view in ("explain", "adversarial"):
            if event.stale or event.message is not None or not event.value:
                return
            r = event.value
            self.answered[event.view] = network_signature(self.window.document.graph)  # (not stale: the design's now)
            if event.view == "adversarial" and "before" in r:
                self.prediction = {"original_class": int(r["before"]), "adversarial_class": int(r["after"]),
                                   "true_class": int(r.get("label", -1)), "epsilon": float(r.get("epsilon", 0))}
            elif event.view == "explain":
                self.explanations = {m: not _blank(r.get(m)) for m in METHODS}
                if r.get("layer"):  # (the layer Grad-CAM was computed at: an ``explained`` check may name it)
                    self.explanations[f"grad_cam@{r['layer']}"] = self.explanations["grad_cam"]
            self.changed.emit()
        elif isinstance(event, ev.Ready | ev.DatasetLoaded):
            QTimer.singleShot(0, self._resume)

    # ----- Show me ----------------------------------------------------------------------------------
    @property
    def waiting(self) -> bool:
        return self._fit_pending or self._train_pending or bool(self._after_run)

    def set_up(self, actions: tuple[dict[str, Any], ...], base_dir: str = ".") -> bool:
        """Make the state a resumed step builds on (``Lesson.set_up``): the earlier steps' actions, their runs
        included, which count for no step's checks (the step starts again once it is all done)."""
        self._setting_up = True
        self.message.emit("Setting up the step as the earlier steps leave it…")
        return self.perform(actions, base_dir)

    def _set_up_done(self) -> None:
        """The set-up is over once nothing waits and no run trains (asked between its actions: not yet)."""
        if self._setting_up and not self._performing and not self.waiting and self.window.training.state == "idle":
            self._setting_up = False
            self.mark_step()
            self.message.emit("Set up as the earlier steps leave it: go on with this step.")
            self.changed.emit()

    def _set_up_stopped(self, why: str) -> None:
        if self._setting_up:
            self._setting_up = False
            self.message.emit(f"Set up stopped: {why}; the Training panel says why.")

    def perform(self, actions: list[dict[str, Any]] | tuple[dict[str, Any], ...], base_dir: str = ".") -> bool:
        """Carry out ``actions`` in order; False (and ``message``) at the first that cannot be done."""
        actions = list(actions)
        view = None  # the view this Show me switched to: shown again once its training has started
        self._performing = True
        try:
            done = self._perform(actions, base_dir, view)
        finally:
            self._performing = False
        if done:
            self._set_up_done()  # (a set-up that ends here, or with the rest of it after a run)
        return done

    def _perform(self, actions: list[dict[str, Any]], base_dir: str, view: str | None) -> bool:
        for i, action in enumerate(actions):
            if action["do"] == "switch_view":
                view = action["view"]
            elif action["do"] == "start_training":
                self._view_after_train = view
            try:
                self._acting = True
                self._do(action, base_dir)
            except (NetbuilderError, KeyError, ValueError, OSError) as e:
                text = str(e) if isinstance(e, LessonError) else f"{action.get('do')}: {e}"
                self.message.emit(f"{'Set up' if self._setting_up else 'Show me'} stopped: {text}")
                self._setting_up = False
                return False
            finally:
                self._acting = False
            if action["do"] == "start_training" and i + 1 < len(actions):
                self._after_run = [(a, base_dir) for a in actions[i + 1:]]
                break
        self.changed.emit()
        return True

    def _node(self, ref: str, action: dict[str, Any]) -> str:
        node = resolve_node(ref, self.state())
        if node is None:
            raise LessonError(f"{action['do']}: the design has no node {ref!r}")
        return node

    def _do(self, action: dict[str, Any], base_dir: str) -> None:
        w, doc, kind = self.window, self.window.document, action["do"]
        if kind == "open_design":
            self._open(action, base_dir)
        elif kind == "switch_view":
            view = action["view"]
            w.workspaces.switch(view) if view in WORKSPACES else w.workspaces.show_dock(view)
        elif kind == "set_dataset":
            doc.set_design_field("dataset", {"name": action["name"], **action.get("options", {})},
                                 f"use the {action['name']} data")
            self._fit_pending = True
            self._resume()
        elif kind == "select_node":
            node = self._node(action["node"], action)
            doc.select([node])
            w.view.center_on_node(node)
        elif kind == "set_setting":
            training = choices.merged_settings(doc.design.training)
            key, value = action["key"], copy.deepcopy(action["value"])
            if key.startswith("augmentation."):
                training["augmentation"] = {**training["augmentation"], key.split(".", 1)[1]: value}
            else:
                training[key] = value
            doc.set_design_field("training", training, f"set {key.replace('_', ' ')}")
        elif kind == "set_param":
            self._set_param(action)
        elif kind == "add_layer":
            self._add_layer(action)
        elif kind == "remove_layer":
            self._remove_layer(action)
        elif kind == "start_training":
            if "epochs" in action:
                doc.set_training_value("epochs", int(action["epochs"]))
            self._train_pending = True
            self._fresh = bool(action.get("fresh"))
            self._resume()
        elif kind == "attack":
            self._attack(action)
        elif kind == "explain":
            self._explain(action)
        else:
            raise LessonError(f"unknown action {kind!r}")

    def _edited(self, index: int) -> None:
        """The student's edit, or Undo, of the network: the design is theirs now (training settings, such as
        the epochs before a run, and arranging the drawing, moving layers or opening a block, leave it the
        lesson's)."""
        import shiboken6

        stack = self.window.document.undo_stack
        if not shiboken6.isValid(stack):  # (the window being deleted clears its stack)
            return
        step = stack.command(index - 1 if index > self._index else index)
        self._index = index
        arranges = getattr(getattr(step, "edit", None), "arranges_only", False)  # (a move, an expand)
        if not self._acting and not arranges and getattr(step, "name", None) != "training":
            self.lessons_own = False

    def _open(self, action: dict[str, Any], base_dir: str) -> None:
        from netbuilder.lessons.actions import design_for

        w = self.window
        if not (self.lessons_own and w.document.path is None) and not w.files.maybe_save():
            raise LessonError("open_design: the open design was kept")
        design = design_for(action, base_dir)
        self._train_pending, self._after_run, self._fresh = False, [], False
        w.set_design(design)  # no path: saving asks where, so a bundled file is never overwritten
        self.lessons_own = True
        if "dataset" in action:
            self._fit_pending = True
            self._resume()

    def _set_param(self, action: dict[str, Any]) -> None:
        node = self._node(action["node"], action)
        kind = self.window.document.graph.node(node).kind
        spec = next((p for p in get_spec(kind).params if p.name == action["param"]), None)
        if spec is None:
            raise LessonError(f"set_param: {kind} has no setting {action['param']!r}")
        if problem := spec.check(action["value"]):
            raise LessonError(f"set_param: {node}: {problem}")
        self.window.document.set_param(node, action["param"], action["value"])

    def _add_layer(self, action: dict[str, Any]) -> None:
        """Insert a layer right after ``after`` (what followed it now follows the new one): one undo step."""
        doc = self.window.document
        graph = doc.graph
        after = self._node(action["after"], action)
        kind = canonical_kind(action["kind"])
        dx, dy = intents.step(doc.direction)
        x, y = graph.node(after).pos
        node = intents.new_node(graph, kind, (x + dx, y + dy))
        if action.get("id"):
            if action["id"] in graph.nodes:
                raise LessonError(f"add_layer: the design already has a node {action['id']!r}")
            node = Node(action["id"], node.kind, node.params, node.pos)
        node.params.update(copy.deepcopy(action.get("params", {})))
        succ = graph.successors_map()
        seen, stack = set(), [e.dst for e in graph.outgoing(after)]
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(succ[n])
        edits: list[Edit] = [AddNode(node)]
        if seen:
            edits.append(MoveNodes({n: (graph.node(n).pos[0] + dx, graph.node(n).pos[1] + dy) for n in seen},
                                   "make room"))
        for edge in graph.outgoing(after):
            edits += [RemoveEdge(edge), AddEdge(Edge(node.id, edge.dst, edge.port))]
        edits.append(AddEdge(Edge(after, node.id, 0)))
        doc.push(Compound(edits, f"insert {node.id} after {after}"))
        doc.select([node.id])

    def _remove_layer(self, action: dict[str, Any]) -> None:
        """Delete a layer and join its input to what followed it (as Delete does): one undo step."""
        self.window.document.delete([self._node(action["node"], action)])

    def _attack(self, action: dict[str, Any]) -> None:
        w = self.window
        w.workspaces.show_dock("Adversarial")
        view = w.explore.adversarial
        i = view.method.findData(action.get("method", "fgsm"))
        if i >= 0:
            view.method.setCurrentIndex(i)
        view.epsilon.setValue(round(float(action.get("epsilon", 0.1)) * 400))
        w.explore.request("adversarial", now=True)

    def _explain(self, action: dict[str, Any]) -> None:
        w = self.window
        w.workspaces.show_dock("Explain")
        if "layer" in action:
            w.explore.explain.select_layer(self._node(action["layer"], action))
        w.explore.request("explain")

    def _resume(self) -> None:
        """Go on with what waits: fit the design once its dataset has loaded, then train."""
        w = self.window
        wb = w.workbench
        if self._fit_pending:
            spec = dict(w.document.design.dataset or {})
            if wb.dataset is None or wb.dataset_spec != spec:
                self.message.emit(f"Loading the {spec.get('name', '')} data…")
                return
            self._fit_pending = False
            self._acting = True
            try:
                w.training.link.fit_design()
            finally:
                self._acting = False
            self.message.emit("")
        if self._train_pending:
            if w.training.running:
                return
            if wb.ready is None or wb.dataset is None:
                self.message.emit("Loading PyTorch and the data; training starts when they are ready…")
                return
            self._train_pending = False
            if self._fresh:
                self._fresh = False
                w.training.reset_weights()
            started = w.training.train_and_show()
            view, self._view_after_train = self._view_after_train, None
            self.message.emit("" if started else "Training did not start: the Training panel says why.")
            if not started:
                self._after_run = []
                self._set_up_stopped("training did not start")
            elif view is not None:  # training brought the curves forward: back to the view the step is about
                w.workspaces.switch(view) if view in WORKSPACES else w.workspaces.show_dock(view)
        self._set_up_done()  # (a set-up that ended with fitting the design to its data)
