"""TrainingController: trains the open design from the window and keeps the views live.

Owns the worker thread (one run at a time), the background tasks, the Train menu and the docks. Events
arrive as plain dicts; views only get data and a dirty flag, and one ~30 Hz timer redraws the visible
dirty views (rule 7). Views ask for filters / feature maps / evaluation / boundary: during a run as
``Control`` requests answered between steps, otherwise as a short background task (rule 6).
Imports Qt; torch only on the threads.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QWidget

from netbuilder.ui.training import jobs
from netbuilder.ui.training.boundary_view import BoundaryView
from netbuilder.ui.training.curves import CurvesView
from netbuilder.ui.training.design_link import DesignLink
from netbuilder.ui.training.evaluation_view import EvaluationView
from netbuilder.ui.training.features_view import FeatureMapsView
from netbuilder.ui.training.filters_view import FiltersView
from netbuilder.ui.training.menu import build_train_actions, install_menu
from netbuilder.ui.training.panel import TrainingPanel
from netbuilder.ui.training.run_events import RunEvents
from netbuilder.ui.training.worker import BackgroundTasks, TrainJob, TrainWorker

REDRAW_MS = 33
PROBE_MS = 400
GUI_BUDGET = 0.06  # share of the time the window may spend drawing while a run trains
WARM_UP_DELAY_MS = 300  # torch loads in the background only once the window has been shown
VIEW_KEYS = ("filters", "features", "evaluation", "boundary")


class TrainingController(QObject):
    state_changed = Signal(str)  # idle | preparing | training | paused | stopping
    run_finished = Signal(dict)  # the Finished event, or a Fault
    message_shown = Signal(str, str)  # text, level

    def __init__(self, window: QMainWindow, document) -> None:
        super().__init__(window)
        self.window, self.document = window, document
        self.state = "idle"
        self.host = jobs.ModelHost()
        self.tasks = BackgroundTasks(self.host, self)
        self.tasks.finished.connect(self._task_done)
        self.worker: TrainWorker | None = None
        self.control = None
        self.warm: dict[str, Any] | None = None
        self._closed = False
        self._outstanding: dict[str, int] = {}
        self._requests: dict[int, tuple[str, Any]] = {}
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
        self.run = RunEvents(self)
        self.docks: dict[str, QDockWidget] = {}
        for widget, title in ((self.panel, "Training"), (self.curves, "Curves"), (self.filters, "Filters"),
                              (self.features, "Feature maps"), (self.evaluation, "Evaluation"),
                              (self.boundary, "Decision boundary")):
            self._add_dock(widget, title)
        self.menu = install_menu(window, self.actions, self.docks)
        self._wire()
        self._drawn = (0.0, 0.0)  # wall clock and GUI-thread CPU time at the last redraw
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self.redraw)
        self.redraw_timer.start()
        self.probe_timer = QTimer(self)
        self.probe_timer.setInterval(PROBE_MS)
        self.probe_timer.timeout.connect(self.probe)
        self.panel.set_settings(self.link.training)
        self.panel.set_dataset_list([], self.link.dataset.get("name"))
        self._set_state("idle")
        QTimer.singleShot(WARM_UP_DELAY_MS, self._warm_up)  # after the window is up

    # ----- construction ---------------------------------------------------------------------------
    def _add_dock(self, widget: QWidget, title: str) -> None:
        adder = getattr(self.window, "add_bottom_dock", None)
        if adder is not None:
            dock = adder(widget, title)
        else:
            dock = QDockWidget(title, self.window)
            dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
            dock.setWidget(widget)
            first = next(iter(self.docks.values()), None)
            self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            if first is not None:
                self.window.tabifyDockWidget(first, dock)
        dock.visibilityChanged.connect(lambda visible, t=title: self._dock_shown(t, visible))
        self.docks[title] = dock

    def _wire(self) -> None:
        doc = self.document
        doc.design_replaced.connect(self._design_replaced)
        doc.changed.connect(self._design_changed)
        doc.file_changed.connect(self.link.file_changed)
        doc.selection_changed.connect(self._selection_changed)
        self.panel.settings_edited.connect(self._settings_edited)
        self.panel.dataset_chosen.connect(self._dataset_chosen)
        self.panel.messages.action_triggered.connect(self.link.answer)
        self.filters.layer_chosen.connect(lambda _n: self.request_view("filters"))
        self.features.layer_chosen.connect(lambda _n: self.request_view("features"))
        self.features.input_changed.connect(lambda: self.request_view("features"))
        self.evaluation.split_changed.connect(lambda _s: self.request_view("evaluation"))
        self.curves.png_button.clicked.connect(lambda: self.export_png())
        self.curves.csv_button.clicked.connect(lambda: self.export_csv())

    # ----- state ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.worker is not None

    def _set_state(self, state: str) -> None:
        self.state = state
        running, paused = state != "idle", state == "paused"
        a = self.actions
        a["train"].setEnabled(not running)
        a["pause"].setEnabled(state == "training")
        a["resume"].setEnabled(paused)
        a["stop"].setEnabled(state in ("preparing", "training", "paused"))
        a["reset"].setEnabled(not running)
        a["fit"].setEnabled(not running)
        self.panel.lock(running, paused)
        if running:
            self.probe_timer.start()
        else:
            self.probe_timer.stop()
        self.state_changed.emit(state)

    def show_message(self, text: str, level: str = "info", actions: tuple = ()) -> None:
        self.panel.messages.show_message(text, level, actions)
        if level in ("error", "warning"):
            self.docks["Training"].raise_()
        self.message_shown.emit(text, level)

    def status(self, text: str) -> None:
        bar = getattr(self.window, "statusBar", None)
        if bar is not None:
            bar().showMessage(text, 6000)

    # ----- run commands -----------------------------------------------------------------------------
    def train(self) -> bool:
        if self.running or self._closed:
            return False
        self.document.flush()
        errors = self.document.analysis.errors
        if errors:
            self.show_message(f"The design has {len(errors)} problem{'s' * (len(errors) != 1)} to fix before it can "
                              f"train: {errors[0]}", "error")
            return False
        settings = self.panel.settings()
        self.link.store_training(settings)
        self.link.store_dataset(self.panel.dataset_name or self.link.dataset.get("name", "digits"))
        snapshot = self.document.snapshot()
        job = TrainJob(snapshot, dict(self.link.dataset), settings, self.link.policy)
        from netbuilder.training.control import Control

        self.control = Control()
        self.worker = TrainWorker(job, self.host, self.control, self)
        self.worker.events.connect(self.run.handle)
        self.worker.finished.connect(self._worker_finished)
        self._outstanding.clear()
        self._requests.clear()
        self.run.begin(job)
        if self.panel.messages.level in ("error", "warning") or self.link.asked:
            self.panel.messages.dismiss()
        self._set_state("preparing")
        self.worker.start()
        return True

    def pause(self) -> None:
        if self.state == "training" and self.control is not None:
            self.control.pause()

    def resume(self) -> None:
        if self.state == "paused" and self.control is not None:
            changes = self.run.live_changes(self.panel.settings())
            if changes:
                self.control.update(**changes)
            self.control.resume()

    def toggle_pause(self) -> None:
        self.resume() if self.state == "paused" else self.pause()

    def stop(self) -> None:
        if self.control is not None and self.running:
            self.control.stop()
            self._set_state("stopping")

    def reset_weights(self) -> None:
        self.link.policy = "fresh"
        self.link.has_weights = False
        self.status("The next run starts from fresh weights")

    def _worker_finished(self) -> None:
        worker, self.worker, self.control = self.worker, None, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self._outstanding.clear()
        self._set_state("idle")
        if self._closed:
            return
        if self.link.pending_save is not None:
            self.link.save_weights(self.link.pending_save)
        self.refresh_idle_views()

    def shutdown(self, timeout_ms: int = 20000) -> bool:
        """Stop a run and the background tasks and join their threads (call from closeEvent). True
        when every thread ended."""
        if self._closed:
            return True
        self._closed = True
        self.redraw_timer.stop()
        self.probe_timer.stop()
        ended = True
        worker = self.worker
        if worker is not None:
            worker.abort()
            ended = worker.wait(timeout_ms)
        self.tasks.shutdown()
        return ended

    # ----- the design -----------------------------------------------------------------------------------
    def host_reset(self) -> None:
        if not self.running:
            self.host.model, self.host.signature, self.host.trained = None, None, False

    def _design_replaced(self) -> None:
        if self.running:
            self.stop()
            self.show_message("Another design was opened: the run of the previous one was stopped.", "info")
        self.link.design_replaced()
        self.curves.clear_history()
        self.panel.set_settings(self.link.training)
        self.panel.set_dataset_list(self.warm["datasets"] if self.warm else [], self.link.dataset.get("name"))
        if self.warm is not None:  # else the warm-up loads the preview once the window is up
            self.load_dataset_preview()

    def _design_changed(self) -> None:
        self.link.network_changed()
        if not self.running:
            self._idle_timer().start()

    def _idle_timer(self) -> QTimer:
        if not hasattr(self, "_idle_refresh"):
            self._idle_refresh = QTimer(self)
            self._idle_refresh.setSingleShot(True)
            self._idle_refresh.setInterval(300)
            self._idle_refresh.timeout.connect(self.refresh_idle_views)
        return self._idle_refresh

    def _selection_changed(self, ids: list) -> None:
        if len(ids) == 1:
            node = self.document.graph.node(ids[0])
            self.features.layer_box.setCurrentText(ids[0]) if self.features.layer_box.findText(ids[0]) >= 0 else None
            self._selected = ids[0]
            if node.kind == "conv2d":
                self.filters.layer_box.setCurrentText(ids[0]) if self.filters.layer_box.findText(ids[0]) >= 0 else None
            self.request_view("features")
            if node.kind == "conv2d":
                self.request_view("filters")

    def _settings_edited(self) -> None:
        self.link.store_training(self.panel.settings())
        self.update_schedule_preview()

    def _dataset_chosen(self, name: str) -> None:
        self.link.store_dataset(name)
        self.load_dataset_preview()

    # ----- background work -------------------------------------------------------------------------------
    def _warm_up(self) -> None:
        if not self._closed:
            self.tasks.submit("warm", jobs.warm_up)

    def load_dataset_preview(self) -> None:
        spec = dict(self.link.dataset)
        self.tasks.submit("dataset", lambda: jobs.describe_data(jobs.ensure_data(self.host, spec)))

    def _task_done(self, key: str, result: Any) -> None:
        if self._closed:
            return
        if key == "warm":
            if "error" not in result:
                self.warm = result
                self.panel.device_label.setText(f"device: {result['device']}")
                self.panel.set_dataset_list(result["datasets"], self.link.dataset.get("name"))
                self.update_schedule_preview()
            self.load_dataset_preview()
        elif key == "dataset":
            self._dataset_loaded(result)
        elif key == "load_weights":
            self.link.weights_loaded(result)
        elif key == "save_weights":
            self.link.weights_saved(result)
        elif key in VIEW_KEYS:
            self.deliver(key, result)

    def _dataset_loaded(self, info: dict[str, Any]) -> None:
        if "error" in info:
            self.show_message(f"The dataset could not be loaded: {info['error']}", "error")
            return
        self.panel.show_dataset(info)
        self.features.set_dataset(info)
        self.boundary.set_points(info.get("points") if info["input_shape"] == [2] else None)
        self.link.check_fit(info)
        self.refresh_idle_views()

    def update_schedule_preview(self) -> None:
        if self.warm is None:
            return
        import numpy as np

        from netbuilder.training.config import TrainConfig
        from netbuilder.training.parts import lr_factor

        settings = self.panel.settings()
        try:
            config = TrainConfig.from_dict(settings)
        except Exception:  # noqa: BLE001  (an invalid combination: no preview)
            return
        xs = np.linspace(0, config.epochs, 200)
        self.panel.show_schedule(xs, np.array([config.lr * lr_factor(config, x) for x in xs]))

    # ----- views -------------------------------------------------------------------------------------
    def _job_for(self, key: str):
        if key == "filters":
            return jobs.filters_job(self.filters.wanted_layer or getattr(self, "_selected", None))
        if key == "features":
            x = self.features.current_input()
            if x is None:
                return None
            job = jobs.features_job(self.features.wanted_layer or getattr(self, "_selected", None), x)
            return lambda model, data, x=x: (job(model, data), x)
        if key == "evaluation":
            return jobs.evaluation_job(self.evaluation.split)
        if key == "boundary":
            return jobs.boundary_job() if self.boundary.applicable else None
        return None

    def request_view(self, key: str) -> None:
        """Ask for fresh data for one view: between steps during a run, else as a background task."""
        if self._closed:
            return
        fn = self._job_for(key)
        if fn is None:
            return
        if self.running:
            if self.control is not None and key not in self._outstanding:
                rid = self.control.request("call", fn)
                self._outstanding[key] = rid
                self._requests[rid] = key
            return
        snapshot, spec, policy = self.document.snapshot(), dict(self.link.dataset), self.link.policy

        def task():
            data = jobs.ensure_data(self.host, spec)
            jobs.build_model(self.host, snapshot, policy)
            return fn(self.host.model, data)
        self.tasks.submit(key, task)

    def deliver(self, key: str, result: Any) -> None:
        if key == "features":
            if isinstance(result, tuple):
                self.features.set_result(*result)
            else:
                self.features.set_result(result, None)
        else:
            self.views[key].set_result(result)

    def response(self, request_id: int, data: Any, error: str | None) -> None:
        key = self._requests.pop(request_id, None)
        if key is None:
            return
        self._outstanding.pop(key, None)
        self.deliver(key, data if data is not None else {"error": error or "no answer"})

    def probe(self) -> None:
        """During a run: ask for the visible views' data (one request per view in flight)."""
        for key in ("filters", "features", "boundary"):
            if self.views[key].isVisible():
                self.request_view(key)

    def refresh_idle_views(self) -> None:
        if self.running or self._closed:
            return
        for key in VIEW_KEYS:
            if self.views[key].isVisible():
                self.request_view(key)
            else:
                self.views[key].setProperty("stale", True)

    def _dock_shown(self, title: str, visible: bool) -> None:
        key = {"Filters": "filters", "Feature maps": "features", "Evaluation": "evaluation",
               "Decision boundary": "boundary"}.get(title)
        if visible and key:
            self.request_view(key)

    def redraw(self) -> None:
        """The ~30 Hz timer: redraw the visible views that got new data; progress text.

        While a run trains the window keeps to a CPU budget: the next redraw waits until the GUI
        thread's CPU time since the last one (its painting included) is at most GUI_BUDGET of the
        time passed, so drawing never takes more than that share from training."""
        now, cpu = time.perf_counter(), time.thread_time()
        if self.running and now - self._drawn[0] < (cpu - self._drawn[1]) / GUI_BUDGET:
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
        from netbuilder.ui.training.widgets import export_png

        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.window, "Export the curves as PNG", "curves.png", "PNG (*.png)")
        if not path:
            return False
        self.curves.refresh()
        export_png(self.curves.layout_widget.ci, path)
        self.status(f"Exported {path}")
        return True

    def export_csv(self, path: str | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self.window, "Export the metrics as CSV", "metrics.csv", "CSV (*.csv)")
        if not path:
            return False
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(self.curves.metrics_csv())
        except OSError as e:
            self.show_message(f"{path}: cannot write the metrics ({e.strerror or e})", "error")
            return False
        self.status(f"Exported {path}")
        return True
