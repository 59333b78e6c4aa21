"""TrainingController: the Train workspace's docks and menu, wired to the workbench.

It owns no model, no dataset and no thread: Train, Pause, Stop, each view's question, weights and
exports go to the ``Workbench`` (through ``window.bridge``), and its typed events come back through the
bridge, dispatched here on their type. Views only get plain values and a dirty flag; one ~30 Hz timer
redraws the visible dirty views (rule 7). Training settings are the design's (edited through the
Document, so every change is undoable); the panel shows them (``SettingsLink``).

Imports Qt; never torch.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QStyle, QWidget

from netbuilder.choices import merged_settings
from netbuilder.ui.training import exports
from netbuilder.ui.training.boundary_view import BoundaryView
from netbuilder.ui.training.curves import CurvesView
from netbuilder.ui.training.dataset_link import DatasetLink
from netbuilder.ui.training.design_link import DesignLink
from netbuilder.ui.training.evaluation_view import EvaluationView
from netbuilder.ui.training.features_view import FeatureMapsView
from netbuilder.ui.training.filters_view import FiltersView
from netbuilder.ui.training.menu import build_train_actions, install_menu
from netbuilder.ui.training.panel import TrainingPanel
from netbuilder.ui.training.run_events import RunEvents
from netbuilder.ui.training.settings_link import SettingsLink
from netbuilder.ui.workspaces import when_first_shown
from netbuilder.workbench import events as ev
from netbuilder.workbench import views as view_jobs

REDRAW_MS = 33
PROBE_MS = 400
GUI_BUDGET = 0.04  # share of the time the window may spend drawing while a run trains
MAX_REDRAW_WAIT = 2.0  # s: the longest the views wait for a redraw during a run
WARM_UP_DELAY_MS = 300  # torch loads in the background only once the window has been shown
VIEW_KEYS = ("filters", "features", "evaluation", "boundary")
DOCK_KEYS = {"Filters": "filters", "Feature maps": "features", "Evaluation": "evaluation",
             "Decision boundary": "boundary"}


class TrainingController(QObject):
    state_changed = Signal(str)  # idle | preparing | training | pausing | paused | stopping
    run_finished = Signal(object)  # the engine's Finished event, or a Fault
    message_shown = Signal(str, str)  # text, level

    def __init__(self, window: QMainWindow, document, bridge) -> None:
        super().__init__(window)
        self.window, self.document, self.bridge = window, document, bridge
        self.wb = bridge.workbench
        self.state = "idle"
        self._closed = False
        self._shown: dict[str, bool] = {}
        self.actions = build_train_actions(self)
        self.panel = TrainingPanel(self.actions, window)
        self.curves = CurvesView(window)
        self.filters = FiltersView(window)
        self.features = FeatureMapsView(window)
        self.evaluation = EvaluationView(window)
        self.boundary = BoundaryView(window)
        self.views = {"filters": self.filters, "features": self.features, "evaluation": self.evaluation,
                      "boundary": self.boundary}
        self.link = DesignLink(self)
        self.data_link = DatasetLink(self)
        self.run = RunEvents(self)
        self.settings_link = SettingsLink(self)  # the panel shows the design's settings; an edit writes one
        self.docks: dict[str, QDockWidget] = {}
        for widget, title in ((self.panel, "Training"), (self.curves, "Curves"), (self.filters, "Filters"),
                              (self.features, "Feature maps"), (self.evaluation, "Evaluation"),
                              (self.boundary, "Decision boundary")):
            self._add_dock(widget, title)
        self.menu = install_menu(window, self.actions, self.docks)
        self.panel.buttons["resume"].hide()  # the Pause button toggles (F6): it says Resume while paused
        self._wire()
        self._drawn = (0.0, 0.0)  # wall clock and GUI-thread CPU time at the last redraw
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self.redraw)
        self.redraw_timer.start()
        self.probe_timer = QTimer(self)
        self.probe_timer.setInterval(PROBE_MS)
        self.probe_timer.timeout.connect(self.probe)
        self._idle_refresh = QTimer(self)
        self._idle_refresh.setSingleShot(True)
        self._idle_refresh.setInterval(300)
        self._idle_refresh.timeout.connect(self.refresh_idle_views)
        self.settings_link.show()
        self.panel.set_dataset_list([], self.dataset_spec().get("name"))
        self._set_state("idle")
        # torch loads in the background only once the window is on screen (its import competes for the CPU)
        when_first_shown(window, lambda: QTimer.singleShot(WARM_UP_DELAY_MS, self._warm_up))

    # ----- construction ---------------------------------------------------------------------------
    def _add_dock(self, widget: QWidget, title: str) -> None:
        dock = self.window.add_bottom_dock(widget, title)  # the window owns the dock layout
        dock.visibilityChanged.connect(lambda visible, t=title: self._dock_shown(t, visible))
        self.docks[title] = dock

    def _wire(self) -> None:
        doc = self.document
        doc.design_replaced.connect(self._design_replaced)
        doc.changed.connect(self._design_changed)
        doc.design_field_changed.connect(self._field_changed)
        doc.analysis_updated.connect(self._analysed)
        doc.selection_changed.connect(self._selection_changed)
        self.bridge.received.connect(self.on_event)
        self.panel.dataset_chosen.connect(self._dataset_chosen)
        self.panel.dataset_browse.connect(self.data_link.browse)
        self.panel.messages.action_triggered.connect(self.link.answer)
        self.panel.messages.action_triggered.connect(self.data_link.answer)
        self.filters.layer_chosen.connect(lambda _n: self.request_view("filters"))
        self.features.layer_chosen.connect(lambda _n: self.request_view("features"))
        self.features.input_changed.connect(lambda: self.request_view("features"))
        self.evaluation.split_changed.connect(lambda _s: self._evaluation_split_changed())
        self.curves.png_button.clicked.connect(lambda: self.export_png())
        self.curves.csv_button.clicked.connect(lambda: self.export_csv())

    # ----- the design's settings (one owner: the design, edited through the Document) -----------------
    def settings(self) -> dict[str, Any]:
        return merged_settings(self.document.design.training)

    def dataset_spec(self) -> dict[str, Any]:
        return dict(self.document.design.dataset or {"name": "digits"})

    def _field_changed(self, name: str) -> None:
        if name == "training":  # also during a run: the locked fields show the design's values
            self.settings_link.show()
        elif name == "dataset":
            spec = self.dataset_spec()
            self.panel.set_dataset_list(self.wb.ready.datasets if self.wb.ready else [], spec.get("name"))
            self.data_link.spec_changed()

    def _dataset_chosen(self, name: str) -> None:
        self.data_link.choose(name)

    # ----- state ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.wb.running

    def _set_state(self, state: str) -> None:
        self.state = state
        running, paused = state != "idle", state == "paused"
        a = self.actions
        a["train"].setEnabled(not running)
        a["pause"].setEnabled(state in ("training", "paused"))
        a["resume"].setEnabled(paused)
        self._pause_reads(paused)
        self._waiting_reads(state)
        a["stop"].setEnabled(state in ("preparing", "training", "pausing", "paused"))
        a["reset"].setEnabled(not running)
        a["fit"].setEnabled(not running)
        self.panel.lock(running, paused)
        if running:
            if state == "preparing":  # the budget counts drawing from here (not the work of starting)
                self._drawn = (time.perf_counter(), time.thread_time())
            self.probe_timer.start()
        else:
            self.probe_timer.stop()
        self.state_changed.emit(state)

    def _pause_reads(self, paused: bool) -> None:
        """The one Pause/Resume toggle (F6) says what it will do next."""
        action = self.actions["pause"]
        icon = QStyle.StandardPixmap.SP_MediaPlay if paused else QStyle.StandardPixmap.SP_MediaPause
        action.setText("&Resume" if paused else "&Pause")
        action.setIcon(self.window.style().standardIcon(icon))
        tip = ("Resume training, with the settings changed while paused (F6)" if paused
               else "Pause training (F6; F6 again resumes)")
        action.setToolTip(tip)
        action.setStatusTip(tip)

    def _waiting_reads(self, state: str) -> None:
        """Pause and Stop are heard at once but done between steps (a step of a big model on a CPU takes
        many seconds): their buttons say so while the step under way finishes."""
        if state == "pausing":  # (short on the button; the progress line and the tooltip say it whole)
            self.actions["pause"].setText("Pausing…")
            self.actions["pause"].setToolTip("Pausing after this step: the step under way finishes first")
        stopping = state == "stopping"
        self.actions["stop"].setText("Stopping…" if stopping else "&Stop")
        self.actions["stop"].setToolTip("Stopping after this step: the step under way finishes first" if stopping
                                        else "Stop training (the weights so far are kept)")

    def show_message(self, text: str, level: str = "info", actions: tuple = ()) -> None:
        self.panel.messages.show_message(text, level, actions)
        if level in ("error", "warning"):  # in the Train workspace, where the panel says it
            workspaces = getattr(self.window, "workspaces", None)
            if workspaces is None:
                self.docks["Training"].raise_()
            elif level == "warning" and (self._editing() or workspaces.current not in ("Train", "")):
                # a warning (the design does not fit its data, say) never pulls the student out of the
                # workspace they are in, nor the inspector from under their typing: the status bar says it
                self.status(text, 15000)
            else:
                workspaces.show_dock("Training")
        self.message_shown.emit(text, level)

    def _editing(self) -> bool:
        """The keyboard focus is in the inspector or the palette: the student is editing the design."""
        focus = QApplication.focusWidget()
        docks = getattr(self.window, "docks", {})
        return focus is not None and any(docks[t].isAncestorOf(focus) for t in ("Inspector", "Palette") if t in docks)

    def status(self, text: str, ms: int = 6000) -> None:
        bar = getattr(self.window, "statusBar", None)
        if bar is not None:
            bar().showMessage(text, ms)

    # ----- run commands -----------------------------------------------------------------------------
    def train_and_show(self) -> bool:
        """F5 / the Train button: switch to the Train workspace, train, and bring the curves forward
        (or the Training panel, where a refusal is explained)."""
        workspaces = getattr(self.window, "workspaces", None)
        if workspaces is not None:
            workspaces.switch("Train")
        started = self.train()
        dock = self.docks["Curves" if started else "Training"]
        dock.show()
        dock.raise_()
        return started

    def train(self) -> bool:
        if self.running or self._closed:
            return False
        self.document.flush()
        if self.wb.ready is None or self.wb.dataset is None:
            self.data_link.refuse_train()  # loading, or the load failed: say which
            return False
        if self.link.refuse_locked_random():  # a locked layer would stay random: said, with "Unlock them"
            return False
        started, message, offer_fit = self.wb.train(self.settings())
        fit_failed = self.link.fit_failed_text(message) if not started and offer_fit else None
        if fit_failed is not None:  # Fit already failed on this misfit: it is not offered again
            self.show_message(fit_failed, "error")
            return False
        if not started:
            fit = (("fit_design", "Fit the design to the dataset"),) if offer_fit else ()
            self.show_message(f"Cannot train yet: {message}", "warning" if offer_fit else "error", fit)
            if not offer_fit:
                self.link.refused(f"Cannot train yet: {message}")
            return False
        self.run.begin(self.settings())
        if self.panel.messages.level in ("error", "warning") or self.link.asked:
            self.panel.messages.dismiss()
        self._set_state("preparing")
        return True

    def pause(self) -> None:
        if self.state == "training":
            self.wb.pause()
            self.run.waiting_for_step("Pausing after this step")
            self._set_state("pausing")
            self.run.update_progress()  # at once, not at the next redraw (held back while a run trains)

    def resume(self) -> None:
        if self.state == "paused":
            self.wb.resume(self.run.live_changes(self.settings()))

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self.running:
            self.wb.stop()
            if self.state in ("training", "pausing"):  # (paused or preparing: no step to wait for)
                self.run.waiting_for_step("Stopping after this step")
            self._set_state("stopping")
            self.run.update_progress()

    def stop_and_wait(self, timeout: float = 30.0) -> bool:
        """Stop the run and let its end arrive (the window is closing): True when it ended in time. A step
        under way is not cut short: with a long one (a big model on a CPU) it is not waited for past
        ``timeout``."""
        self.stop()
        end = time.monotonic() + timeout
        while self.running and time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)
        QApplication.processEvents()  # the run's last events (its end, its outcome in the runs file)
        return not self.running

    def reset_weights(self) -> None:
        self.link.start_fresh()

    def shutdown(self, timeout_ms: int = 20000) -> bool:
        """Stop the timers (the window is closing; the bridge's shutdown stops the run and the executor)."""
        if self._closed:
            return True
        self._closed = True
        self.redraw_timer.stop()
        self.probe_timer.stop()
        self._idle_refresh.stop()
        return True

    # ----- the workbench's events -------------------------------------------------------------------
    def on_event(self, event: ev.Event) -> None:
        if self._closed:
            return
        if isinstance(event, ev.ViewResult):
            if event.view in self.views:
                self._view_result(event)
        elif isinstance(event, ev.RunPrepared):
            self.run.prepared(event)
        elif isinstance(event, ev.RunEvents):
            self.run.handle(event.events)
        elif isinstance(event, ev.RunEnded):
            self._run_ended(event)
        elif isinstance(event, ev.Ready):
            self.panel.device_label.setText(f"device: {event.device}")
            self.panel.set_dataset_list(event.datasets, self.dataset_spec().get("name"))
            self.settings_link.update_schedule_preview()
            self.wb.set_dataset(self.dataset_spec())
        elif isinstance(event, ev.DatasetLoaded):
            self._dataset_loaded(event.spec, event.info)
        elif isinstance(event, ev.Progress) and event.key == "dataset" and not self.running:
            share = f" {event.fraction:.0%}" if event.fraction is not None else ""
            self.panel.progress_label.setText(f"Dataset: {event.text}{share}")
        elif isinstance(event, ev.DatasetFailed):
            self.data_link.failed(event.spec, event.message, event.remedy)
        elif isinstance(event, ev.TaskDone | ev.TaskFailed):
            self.link.task_result(event)

    def epoch_done(self, _event: Any) -> None:
        # the validation split comes with each epoch's own evaluation (Workbench.watch_evaluation)
        if self._shown.get("evaluation") and self.evaluation.split != "val":
            self.request_view("evaluation", periodic=True)

    def _watch_evaluation(self) -> None:
        self.wb.watch_evaluation(bool(self._shown.get("evaluation")) and self.evaluation.split == "val")

    def _evaluation_split_changed(self) -> None:
        self._watch_evaluation()
        self.request_view("evaluation")

    def _run_ended(self, event: ev.RunEnded) -> None:
        self.run.ended(event)
        self._set_state("idle")
        self.run.update_progress()  # the outcome's line at once, not on the next redraw
        if not self._closed:
            self.settings_link.show()  # the design's settings, whatever changed them during the run
            self.link.run_ended(event)
            self.refresh_idle_views()

    def _dataset_loaded(self, spec: dict[str, Any], info: dict[str, Any]) -> None:
        self.data_link.loaded(spec, info)  # the panel, the feature maps' samples, the boundary's points
        self.link.check_fit()
        self.refresh_idle_views()

    # ----- the design ---------------------------------------------------------------------------------
    def _design_replaced(self) -> None:
        if self.running:
            self.stop()  # (its last events are settled for no one: RunEnded.replaced)
            self.run.detach()
            self.show_message("Another design was opened: the run of the previous one was stopped.", "info")
        else:
            self.run.forget()  # "Ready" over an empty bar: not the outcome of the previous design's run
        self._selected = None  # (a node of the previous design)
        self.link.design_replaced()
        self.curves.clear_history()
        self.settings_link.show()
        self.panel.set_dataset_list(self.wb.ready.datasets if self.wb.ready else [], self.dataset_spec().get("name"))
        self.data_link.spec_changed()
        for view in self.views.values():
            view.set_result({"error": "Computing for the new design…"})
        self.features.forget_layers()  # (the previous network's: its layers come with the new one's answer)
        self.filters.forget_layers()

    def _analysed(self, _analysis: Any) -> None:
        """After an edit (the workbench already has it): say at once when the design stops fitting its data."""
        if self.wb.dataset is not None and not self.running and not self._closed:
            self.link.check_fit()
        if not self.running and not self._closed:
            self.link.retract_refusal()  # (a "Cannot train yet" the edit answered)

    def _design_changed(self) -> None:
        self.link.network_changed()
        if not self.running:
            self._idle_refresh.start()

    def _selection_changed(self, ids: list) -> None:
        if len(ids) != 1 or ids[0] not in self.document.graph:
            return
        node = self.document.graph.node(ids[0])
        self._selected = ids[0]
        if self.features.layer_box.findText(ids[0]) >= 0:
            self.features.layer_box.setCurrentText(ids[0])
        self.request_view("features")
        if self.filters.follow(ids[0]) or node.kind == "conv2d":
            self.request_view("filters")

    def _warm_up(self) -> None:
        if not self._closed:
            self.wb.warm_up()

    # ----- views -------------------------------------------------------------------------------------
    def _job_for(self, key: str):
        selected = getattr(self, "_selected", None)
        if key == "filters":
            return view_jobs.filters_job(self.filters.wanted_layer or selected)
        if key == "features":
            x = self.features.current_input()
            if x is None:
                return None
            return view_jobs.features_job(self.features.wanted_layer or selected, x)
        if key == "evaluation":
            return view_jobs.evaluation_job(self.evaluation.split)
        if key == "boundary":
            return view_jobs.boundary_job() if self.boundary.applicable else None
        return None

    def request_view(self, key: str, periodic: bool = False) -> None:
        """Ask the workbench for fresh data for one view (between steps during a run; ``periodic``: the
        view refreshing itself, which waits while the run's budget for the views is spent)."""
        if self._closed:
            return
        if key == "boundary" and not self.boundary.applicable:
            self.boundary.set_result({"error": "The decision boundary is drawn for the 2-D playground datasets "
                                               "(circle, xor, gaussian, spiral); this dataset has other inputs."})
            return
        job = self._job_for(key)
        if job is not None:
            if key == "features":
                self._features_input = self.features.current_input()
            self.wb.compute(key, job, periodic=periodic)

    def _view_result(self, event: ev.ViewResult) -> None:
        key = event.view
        if event.stale:  # computed for an older design: ask again (when shown), never show it as current
            if self._is_shown(key) and not self.running:
                self.request_view(key)
            return
        if event.message is not None:
            result: dict[str, Any] = {"error": event.message}
            if event.offer_fit:
                self.link.check_fit()
        else:
            result = dict(event.value or {})
        if key == "features":
            self.features.set_result(result, getattr(self, "_features_input", None) if "error" not in result else None)
        else:
            self.views[key].set_result(result)

    def _is_shown(self, key: str) -> bool:
        return bool(self._shown.get(key)) or self.views[key].isVisible()

    def probe(self) -> None:
        """During a run: ask for the shown views' data (one request per view in flight)."""
        for key in ("filters", "features", "boundary"):
            if self._shown.get(key):
                self.request_view(key, periodic=True)

    def refresh_idle_views(self) -> None:
        if self.running or self._closed:
            return
        for key in VIEW_KEYS:
            if self._shown.get(key):
                self.request_view(key)

    def _dock_shown(self, title: str, visible: bool) -> None:
        key = DOCK_KEYS.get(title)
        if key:
            self._shown[key] = visible
            if key == "evaluation":
                self._watch_evaluation()
            if visible:
                self.request_view(key)

    def redraw(self) -> None:
        """The ~30 Hz timer: redraw the visible views that got new data; progress text.

        While a run trains the window keeps to a CPU budget: the next redraw waits until the GUI
        thread's CPU time since the last one (its painting included) is at most GUI_BUDGET of the
        time passed, so drawing never takes more than that share from training; never longer than
        MAX_REDRAW_WAIT (after a dock was shown the views froze for 8 to 15 s)."""
        now, cpu = time.perf_counter(), time.thread_time()
        if self.running and now - self._drawn[0] < min(MAX_REDRAW_WAIT, (cpu - self._drawn[1]) / GUI_BUDGET):
            return
        self._drawn = (now, cpu)
        self.run.update_progress()
        if self.curves.dirty and self.curves.isVisible():
            self.curves.refresh()
        for view in self.views.values():
            if view.dirty and view.isVisible():
                view.refresh()

    # ----- export ---------------------------------------------------------------------------------------
    def export_png(self, path: str | None = None) -> bool:
        return exports.export_png(self, path)

    def export_csv(self, path: str | None = None) -> bool:
        return exports.export_csv(self, path)
