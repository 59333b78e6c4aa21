"""ExploreController: the course's hard parts in the window. Adds the docks (Overfitting lab,
Augmentation, Transfer, Explain, Adversarial, Inside), the "Freeze layer" action (canvas context menu
and toolbar), keeps the views in step with the document, and sends the views' questions to the
workbench (off the GUI thread; rule 6) with a short debounce. Answers come back as typed events.

Qt only; never torch.
"""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from netbuilder.ui.explore.lab_views import AugmentView, OverfitLab
from netbuilder.ui.explore.model_views import AdversarialView, ExplainView, InsideView
from netbuilder.ui.explore.transfer_view import TransferView
from netbuilder.ui.training.locks import FRESH_VIEW
from netbuilder.workbench import events as ev
from netbuilder.workbench import explore_jobs as compute

DEBOUNCE_MS = 120
HEALTH_EVERY_S = 2.0  # live health checks during training, at most this often
EXPLORE_VIEWS = ("augment", "explain", "adversarial", "inside", "health")
TITLES = {"lab": "Overfitting lab", "augment": "Augmentation", "transfer": "Transfer", "explain": "Explain",
          "adversarial": "Adversarial", "inside": "Inside the network"}


class ExploreController(QObject):
    def __init__(self, window: QMainWindow, document, bridge, training_controller=None) -> None:
        super().__init__(window)
        self.window, self.document, self.tc = window, document, training_controller
        self.bridge, self.wb = bridge, bridge.workbench
        self._closed = False
        self.lab = OverfitLab(document)
        self.augment = AugmentView(document)
        self.transfer = TransferView(document)
        self.explain = ExplainView()
        self.adversarial = AdversarialView()
        self.inside = InsideView(document)
        self.views: dict[str, QWidget] = {"lab": self.lab, "augment": self.augment, "transfer": self.transfer,
                                          "explain": self.explain, "adversarial": self.adversarial,
                                          "inside": self.inside}
        self.docks: dict[str, QDockWidget] = {}
        self._last_health = -math.inf
        self.shown: dict[str, bool] = {}  # which docks are on screen (from visibilityChanged)
        for key, view in self.views.items():
            self._add_dock(key, view)
        self.freeze_action = QAction("Freeze layer (lock its weights)", window)
        self.freeze_action.setCheckable(True)
        self.freeze_action.setShortcut("Ctrl+L")
        self.freeze_action.setToolTip("Lock the selected layers: training leaves their weights as they are")
        self.freeze_action.setIconText("Freeze")  # short on the toolbar; the menu keeps the full text
        self.freeze_action.triggered.connect(self.toggle_freeze)
        view = getattr(window, "view", None)
        if view is not None:
            view.addAction(self.freeze_action)
        toolbar = getattr(window, "toolbar", None)
        if toolbar is not None:
            toolbar.addAction(self.freeze_action)
        panels = getattr(window, "menus", {}).get("panels") if isinstance(getattr(window, "menus", None), dict) else None
        if panels is not None:
            for dock in self.docks.values():
                panels.addAction(dock.toggleViewAction())
        self._timers: dict[str, QTimer] = {}
        self.results: dict[str, Any] = {}
        self._asked: dict[str, int] = {}  # each view's latest question (its ticket): older answers are dropped
        self._wire()
        self._sync_inputs()
        self._selection_changed(document.selection)

    # ----- construction ---------------------------------------------------------------------------
    def _add_dock(self, key: str, widget: QWidget) -> None:
        title = TITLES[key]
        dock = self.window.add_bottom_dock(widget, title)  # the window owns the dock layout
        dock.visibilityChanged.connect(lambda visible, k=key: self._dock_shown(k, visible))
        self.docks[key] = dock

    def _dock_shown(self, key: str, visible: bool) -> None:
        # Tracked from the dock's signal: a dock tabbed behind another still says isVisible().
        self.shown[key] = visible
        if visible and key == "transfer":
            self.transfer.refresh()  # the layer list follows the design only while it is shown
        if visible:
            self.request(key)
        if visible and key == "inside" and self.inside.health is None and self.inside.live.isChecked():
            self.request("health")  # (live: an empty list of findings said nothing until the button was pressed)

    def _wire(self) -> None:
        doc = self.document
        doc.design_field_changed.connect(self._field_changed)
        doc.design_replaced.connect(self._design_replaced)
        doc.changed.connect(self._design_changed)
        doc.analysis_updated.connect(self._analysed)  # (after the bridge: the workbench has it)
        doc.selection_changed.connect(self._selection_changed)
        self.augment.settings_changed.connect(lambda: self.request("augment"))
        self.explain.requested.connect(lambda: self.request("explain"))
        self.adversarial.requested.connect(lambda: self.request("adversarial"))
        self.inside.requested.connect(lambda: self.request("inside"))
        self.inside.health_requested.connect(lambda: self.request("health", now=True))
        self.transfer.load_requested.connect(self.load_weights)
        self.lab.train_requested.connect(self.train_in_lab)
        self.bridge.received.connect(self.on_event)
        tc = self.tc
        if tc is not None:
            if hasattr(tc, "state_changed"):
                tc.state_changed.connect(self._training_state)
            if hasattr(tc, "run_finished"):
                tc.run_finished.connect(self._run_finished)
            evaluation = getattr(tc, "evaluation", None)
            if hasattr(evaluation, "example_opened"):  # a misclassified example, opened to be explained
                evaluation.example_opened.connect(self.open_example)

    # ----- requests ---------------------------------------------------------------------------------
    def _job(self, key: str) -> tuple[Any, bool] | None:
        if key == "augment":
            return compute.augment_job(self.augment.sample.value(), self.augment.augmentation()), False
        if key in ("explain", "adversarial", "inside"):
            view = self.views[key]
            q = view.query()
            if q["input"] is None:  # (an image file not opened yet): say what to do, ask nothing
                self._done(key, {"error": view.bar.picker.missing()})
                return None
            if key == "explain":
                return compute.explain_job(q["input"], q["target_class"], q["layer"]), True
            if key == "adversarial":
                return compute.attack_job(q["input"], q["epsilon"], q["method"], q["steps"], q["search"]), True
            return compute.feature_map_job(q["input"], q["layer"]), True
        if key == "health":
            return compute.health_job(), True
        return None

    def request(self, key: str, now: bool = False) -> None:
        """Ask for fresh data for a view soon (debounced: a burst of changes makes one job)."""
        if key in ("lab", "transfer"):
            return
        if now:
            self._submit(key)
            return
        timer = self._timers.get(key)
        if timer is None:
            timer = self._timers[key] = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(DEBOUNCE_MS)
            timer.timeout.connect(lambda k=key: self._submit(k))
        timer.start()

    def _submit(self, key: str, periodic: bool = False) -> None:
        """``periodic``: a live refresh during a run, which waits while the run's view budget is spent."""
        if self._closed:
            return
        job = self._job(key)
        if job is not None:
            fn, needs_model = job
            ticket = self.wb.compute(key, fn, needs_model=needs_model, periodic=periodic)
            if isinstance(ticket, int):
                self._asked[key] = ticket

    def _superseded(self, event: ev.ViewResult) -> bool:
        """An answer to an older question of its view: a newer one is on its way (asked, or about to be
        once its debounce ends), and the older answer (another sample, class or layer) would show first."""
        timer = self._timers.get(event.view)
        return event.ticket < self._asked.get(event.view, event.ticket) or (timer is not None and timer.isActive())

    def on_event(self, event: ev.Event) -> None:
        """The workbench's events: this controller's views' answers, a run's epochs, loaded weights."""
        if self._closed:
            return
        if isinstance(event, ev.ViewResult) and event.view in EXPLORE_VIEWS:
            if self._superseded(event):
                return
            if event.stale:  # computed for an older design: ask again, never show it as current
                if self.shown.get("inside" if event.view == "health" else event.view):
                    self.request(event.view)
                return
            if event.message is not None:
                result: dict[str, Any] = {"error": event.message}
            else:
                result = {**(event.value or {}), "trained": event.trained, "source": event.source}
            self._done(event.view, result)
        elif isinstance(event, ev.ViewResult) and event.view == FRESH_VIEW:
            if event.message is None and not event.stale:  # (DesignLink asks: which layers hold random weights)
                self.transfer.set_fresh(event.value)
        elif isinstance(event, ev.RunPrepared):
            run = getattr(getattr(self.tc, "curves", None), "run", None)
            self.lab.run_prepared(event.fresh, len(event.kept), getattr(run, "number", None))
        elif isinstance(event, ev.RunEvents):
            self._train_events(event.events)
        elif isinstance(event, ev.TaskDone) and event.key == "reset":  # Start fresh dropped the weights
            self.transfer.set_fresh({"trained": False})
            self.refresh_visible()  # (the answers shown were the trained network's)
        elif isinstance(event, ev.DatasetLoaded):
            self.sync_classes()
            self.refresh_visible()
        elif isinstance(event, ev.TaskDone) and event.key == "transfer":
            self._done("load", event.value)
        elif isinstance(event, ev.TaskFailed) and event.key == "transfer":
            self._done("load", {"error": event.message})

    def refresh_visible(self) -> None:
        for key in self.views:
            if self.shown.get(key):
                self.request(key)
        if self.shown.get("inside"):
            self.request("health")

    def _done(self, key: str, result: Any) -> None:
        self.results[key] = result
        if key == "augment":
            self.augment.set_result(result)
        elif key == "explain":
            self.explain.set_result(result)
        elif key == "adversarial":
            self.adversarial.set_result(result)
        elif key == "inside":
            self.inside.set_result(result)
        elif key == "health":
            self.inside.set_health(result)
            self._paint_health(result)
        elif key == "load":
            self.transfer.show_report(result)
            if "error" not in result:
                self.refresh_visible()

    def _paint_health(self, result: dict[str, Any]) -> None:
        scene = getattr(self.window, "scene", None)
        if scene is None or not hasattr(scene, "set_health"):
            return
        if "error" in result:
            scene.clear_health()
            return
        scene.set_health({n: (v["level"], v["text"]) for n, v in result["layers"].items()
                          if n in self.document.graph})

    # ----- transfer learning ------------------------------------------------------------------------------
    def load_weights(self, path: str) -> None:
        """Load a weights file into the model training would use, through the workbench's one loader (its
        report shows in the Transfer view)."""
        if self.wb.running:
            self.transfer.show_report({"error": "stop the training run first, then load weights"})
            return
        self.transfer.report.setText(f"Loading {path}…")
        self.wb.load_transfer(path)

    def train_in_lab(self, fresh: bool) -> bool:
        """The lab's Train: a run from fresh weights (the trained ones are dropped first, as Train ▸ Start
        fresh does) unless ``fresh`` is off; the lab says which (``OverfitLab.run_prepared``)."""
        tc = self.tc
        if tc is None or tc.running:
            self.lab.message.setText("A run is training: wait for it to end (or stop it)." if tc is not None
                                     else "Training is not available here.")
            return False
        # the trained weights are dropped only for a run that will start (a refused one keeps them)
        if fresh and self.wb.has_weights and self.wb.ready is not None and self.wb.blocker() is None:
            tc.reset_weights()
        if tc.train():
            return True
        self.lab.message.setText(tc.panel.messages.text() or "The run could not start (the Train workspace says why).")
        return False

    def toggle_freeze(self, checked: bool | None = None) -> bool:
        ids = [n for n in self.document.selection if n in self.document.graph]
        if not ids:
            return False
        frozen = set(self.document.frozen)
        target = not all(n in frozen for n in ids) if checked is None else bool(checked)
        return self.document.set_frozen(ids, target)

    # ----- document and training ----------------------------------------------------------------------------
    def _field_changed(self, name: str) -> None:
        if name != "training":
            if name == "dataset":
                self.refresh_visible()
            return
        self.lab.sync_from_design()
        self.augment.sync_from_design()
        if self.shown.get("transfer"):
            self.transfer.refresh()
        self._selection_changed(self.document.selection)
        if self.shown.get("augment"):
            self.request("augment")

    def _design_replaced(self) -> None:
        self.lab.clear()
        self.results.clear()
        for key in ("augment", "explain", "adversarial", "inside"):  # shown or not: nothing of the design before
            self.views[key].reset("Computing for the new design…")
        self._field_changed("training")
        self._keep_layers()
        self.sync_classes()
        self.refresh_visible()

    def sync_classes(self) -> None:
        """Explain's classes follow the dataset and the network at once (not only its next result): the
        dataset's classes that the network predicts too."""
        if self._closed:
            return
        self._sync_inputs()
        info = self.wb.dataset
        names = [str(n) for n in info["class_names"]] if info else []
        k = self.wb.state.classes
        self.explain.set_classes(names[:k] if k else names)
        if info and names:  # Transfer's new head predicts the dataset's classes, unless the student says
            self.transfer.suggest_classes(len(names))

    def _sync_inputs(self) -> None:
        """The input choices know the dataset's previews, shape and split sizes (kept while another loads)."""
        info = self.wb.dataset
        if info is not None:
            for view in (self.explain, self.adversarial, self.inside):
                view.bar.picker.set_dataset(info)

    def open_example(self, split: str, index: int) -> None:
        """Explain image ``index`` of ``split`` (a misclassified example of the Evaluation view): the
        Explain view shows it, in front."""
        if self._closed:
            return
        self.explain.bar.picker.show_split(split, index)
        workspaces = getattr(self.window, "workspaces", None)
        if workspaces is not None:
            workspaces.show_dock(TITLES["explain"])
        else:
            self.docks["explain"].show()
            self.docks["explain"].raise_()
        self.request("explain")

    def _keep_layers(self) -> None:
        graph = self.document.graph
        for view in (self.explain, self.inside):
            view.keep_layers({n.id for n in graph.iter_nodes()})

    def _analysed(self, _analysis: Any) -> None:
        """After the analysis of an edit (``changed`` comes before it): the views that read the analysis."""
        self.sync_classes()
        if self.shown.get("transfer"):  # hidden: refreshed when shown (an edit does not pay for it)
            self.transfer.refresh()
        if self.wb.running:  # Undo back to the structure the run trains: the views it outdated follow it again
            from netbuilder.workbench.live import OUTDATED

            for key in ("explain", "adversarial", "inside"):
                if self.shown.get(key) and (self.results.get(key) or {}).get("error") == OUTDATED:
                    self.request(key)

    def _design_changed(self) -> None:
        self._keep_layers()
        if not self.wb.running:
            for key in ("explain", "adversarial", "inside"):
                if self.shown.get(key):
                    self.request(key)

    def _selection_changed(self, ids: list) -> None:
        frozen = set(self.document.frozen)
        self.freeze_action.setEnabled(bool(ids))
        self.freeze_action.setChecked(bool(ids) and all(n in frozen for n in ids))
        if len(ids) == 1:
            self.explain.select_layer(ids[0])
            self.inside.select_layer(ids[0])

    def _training_state(self, state: str) -> None:
        if state == "preparing":
            self.lab.clear(keep=True)  # (the run before stays, faded; a new design clears both)

    def _train_events(self, events: list) -> None:
        epoch = False
        for event in events:
            if event.kind == "epoch":
                self.lab.add_epoch(event.to_dict())
                epoch = True
        if epoch and self.shown.get("inside") and self.inside.live.isChecked():
            # A health check is a forward and backward pass on the training thread: at most one every
            # HEALTH_EVERY_S, and only while the run's view budget allows, so watching costs training little.
            now = time.monotonic()
            if now - self._last_health >= HEALTH_EVERY_S:
                self._last_health = now
                self._submit("health", periodic=True)

    def _run_finished(self, outcome: Any) -> None:
        if getattr(outcome, "kind", "") == "finished":
            self.lab.set_best(outcome.best_epoch)
        QTimer.singleShot(0, self.refresh_visible)

    def shutdown(self) -> None:
        self._closed = True
        for timer in self._timers.values():
            timer.stop()
