"""The main window: canvas in the centre in every workspace (workspaces.py: Build, Train, Explore,
each with its own remembered dock layout); menus and toolbar (actions.py); a status bar with totals
and the device training would use. The window opens inside the screen; its geometry and each
workspace's layout are remembered in QSettings.

The training and explore controllers add their views with ``add_bottom_dock``; the dock's title says
which workspace it belongs to, and a view that does not apply to the data shows why instead.
"""

from __future__ import annotations

import atexit
import functools
import json
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QMessageBox, QStatusBar, QWidget

from netbuilder.analysis.result import Analysis
from netbuilder.analysis.summary import format_macs
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design
from netbuilder.io import DesignFileError, NotLayersError, loads_subgraph
from netbuilder.ui import actions as _actions
from netbuilder.ui.applicability import ViewSlot, reason
from netbuilder.ui.canvas.items import GroupItem
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.view import GraphView
from netbuilder.ui.code_view import CodeView
from netbuilder.ui.document import Document
from netbuilder.ui.files import FileController, blank_design, file_name, with_suffix
from netbuilder.ui.focus import FocusGuard
from netbuilder.ui.inspector import Inspector
from netbuilder.ui.intents import copy_subgraph
from netbuilder.ui.layout import graph_layout
from netbuilder.ui.palette import Palette
from netbuilder.ui.problems import ProblemsView
from netbuilder.ui.summary_view import SummaryView
from netbuilder.ui.workspaces import Workspaces, fit_to_screen, inside_screen

SUBGRAPH_MIME = "application/x-netbuilder-subgraph"
CLOSE_WAIT_S = 1.0  # s: closing during a run, its end is awaited this long before the unsaved-changes question
EXIT_WAIT_S = 3.0  # s: then, the window hidden, this long more (a step of a big model on a CPU is not waited for)
SAVE_WAIT_S = 30.0  # s: a write that must finish (the weights saved at the run's end)
OWED_WAIT_S = 600.0  # s: the run's end, when a save waits for it to write the trained weights


def needs_layout(design: Design) -> bool:
    """True when the nodes have no usable positions (all at one point), e.g. a fresh preset."""
    return len({tuple(n.pos) for n in design.graph.iter_nodes()}) < min(2, len(design.graph))


def with_layout(design: Design) -> Design:
    """The design with every node placed by the layered layout (before it enters the document)."""
    g = design.graph
    positions = graph_layout(g, design.layout.get("direction", "TB"))  # collapsed groups as one box
    for node_id, pos in positions.items():
        g.node(node_id).pos = pos
    return design


def clear_clipboard() -> None:
    """Mime data we put on the clipboard must go before Python tears down: left there, PySide6 6.11
    crashes at interpreter exit (segmentation fault) once it has been set (at exit, and before ``os._exit``)."""
    app = QApplication.instance()
    if app is not None:
        app.clipboard().clear()


@functools.cache
def _clear_clipboard_at_exit() -> None:
    """``clear_clipboard`` at interpreter exit. Registered once."""
    atexit.register(clear_clipboard)


class StatusBar(QStatusBar):
    """The window's status bar. A message too long for the room left of the permanent labels (the totals,
    the device) ends in "…" with the whole text in the tooltip, instead of being cut mid-word at their
    edge (a long "does not fit" warning at 1280×720); on a resize it is cut again for the new room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_message = ""  # the message as it was given
        self._shown = ""  # as it is shown (cut)
        self._until = 0.0  # when it goes (time.monotonic()); 0: when replaced
        self.messageChanged.connect(self._message_changed)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802
        self.full_message = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else 0.0
        self._show(timeout)

    def message_room(self) -> int:
        """The width the message is drawn in: up to the first permanent widget (Qt's messageRect)."""
        right = self.width() - 12
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.isVisible() and child.x() > 0:
                right = min(right, child.x() - 2)
        return right - 6 - 4  # (the left margin; a little air before the totals)

    def _show(self, timeout: int) -> None:
        text, room = self.full_message, self.message_room()
        shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room) if room > 20 else text
        self._shown = shown
        self.setToolTip(text if shown != text else "")
        super().showMessage(shown, timeout)

    def _message_changed(self, text: str) -> None:
        if text != self._shown:  # gone, or one Qt showed itself (an action's status tip)
            self.full_message = self._shown = text
            self._until = 0.0
            self.setToolTip("")

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.full_message and self.currentMessage() == self._shown:
            left = int((self._until - time.monotonic()) * 1000) if self._until else 0
            if left >= 0:
                self._show(max(left, 1) if self._until else 0)


class MainWindow(QMainWindow):
    def __init__(self, document: Document | None = None, settings: QSettings | None = None,
                 probe_device: bool = True) -> None:
        super().__init__()
        self.setObjectName("netbuilder_main_window")
        self.document = document or Document(parent=self)
        self.settings = settings or QSettings()
        self.scene = GraphScene(self.document, self)
        self.view = GraphView(self.scene, self)
        self.setCentralWidget(self.view)
        self.palette_view = Palette(self)
        self.inspector = Inspector(self.document, self)
        self.problems = ProblemsView(self.document, self)
        self.summary = SummaryView(self.document, self)
        self.code = CodeView(self.document, self)
        self.files = FileController(self.document, self, self.settings)
        self.docks: dict[str, QDockWidget] = {}
        self.slots: dict[str, ViewSlot] = {}
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        self._dock(self.palette_view, "Palette", Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock(self.inspector, "Inspector", Qt.DockWidgetArea.RightDockWidgetArea)
        for widget, title in ((self.problems, "Problems"), (self.summary, "Summary"), (self.code, "Code")):
            self.add_bottom_dock(widget, title)
        self.docks["Summary"].visibilityChanged.connect(self.summary.set_shown)
        self.docks["Code"].visibilityChanged.connect(self.code.set_shown)
        self.docks["Problems"].raise_()
        self.workspaces = Workspaces(self, self.settings)
        self.addToolBar(self.workspaces.bar)
        self.actions_ = _actions.build_actions(self)
        self.menus = _actions.build_menus(self, self.actions_)
        self.toolbar = _actions.build_toolbar(self, self.actions_)
        for dock in self.docks.values():
            self.menus["panels"].addAction(dock.toggleViewAction())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for key in ("cut", "copy", "paste", "duplicate", "delete", None, "group", "ungroup", "collapse", None,
                    "layout", "fit"):
            self.view.addAction(self.actions_[key]) if key else self.view.addAction(self._separator())
        self.totals_label = QLabel(self)
        self.device_label = QLabel("device: CPU", self)
        self.device_label.setToolTip("The device training would use")
        # (permanent: a message in the bar, "does not fit digits" say, no longer hides the totals)
        self.setStatusBar(StatusBar(self))  # (a long message ends in "…", whole in the tooltip)
        self.statusBar().addPermanentWidget(self.totals_label)
        self.statusBar().addPermanentWidget(self.device_label)
        self.setAcceptDrops(True)
        fit_to_screen(self)
        self._closed = False
        self._wire()
        self._update_title()
        self._update_recent(self.files.recent_files())
        self.show_totals(self.document.analysis)
        from netbuilder.ui.bridge import Bridge, DesignSync

        self.bridge = Bridge(self)
        self.workbench = self.bridge.workbench
        self.design_sync = DesignSync(self.document, self.workbench, self)
        self.bridge.received.connect(self._workbench_event)
        self.code.attach(self.bridge)
        from netbuilder.ui.training import install_training

        self.training = install_training(self, self.document, self.bridge)
        self.training.run_finished.connect(lambda _o: QTimer.singleShot(0, self.files.autosave))  # (its weights now)
        self.training.state_changed.connect(lambda s: s == "training" and QTimer.singleShot(0, self.files.autosave))
        from netbuilder.ui.explore import install_explore

        self.explore = install_explore(self, self.document, self.bridge, self.training)
        from netbuilder.ui.lessons import install_lessons

        self.lessons = install_lessons(self)
        self.show_applicability(self.workbench.dataset)
        self.restore_state()
        self.focus_guard = FocusGuard(self)  # (Tab visits only what is on screen: focus.py)

    # ----- construction helpers ---------------------------------------------------------
    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        return dock

    def add_bottom_dock(self, widget: QWidget, title: str) -> QDockWidget:
        """Add a view's dock; its title names its workspace (``workspaces.WORKSPACE_OF``). It joins the
        bottom tabs of the workspace shown; the workspace's remembered layout places it from then on."""
        slot = self.slots[title] = ViewSlot(widget, title, self)
        first = next((d for t, d in self.docks.items() if t in ("Problems", "Summary", "Code")), None)
        dock = self._dock(slot, title, Qt.DockWidgetArea.BottomDockWidgetArea)
        if first is not None and first is not dock:
            self.tabifyDockWidget(first, dock)
        return dock

    def show_applicability(self, dataset: dict | None) -> None:
        """Each view that does not apply to ``dataset`` (the workbench's description) shows why."""
        for title, slot in self.slots.items():
            slot.set_reason(reason(title, dataset))

    def _separator(self):
        from PySide6.QtGui import QAction

        action = QAction(self)
        action.setSeparator(True)
        return action

    def _wire(self) -> None:
        doc = self.document
        doc.analysis_updated.connect(self.show_totals)
        doc.file_changed.connect(self._update_title)
        doc.design_replaced.connect(self._on_design_replaced)
        doc.changed.connect(self._on_changed)
        self.palette_view.kind_activated.connect(self.append_kind)
        self.problems.node_activated.connect(self.view.center_on_node)
        self.scene.message_reported.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.files.message_reported.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.files.recent_changed.connect(self._update_recent)
        self.menus["recent"].setToolTipsVisible(True)
        self.menus["recent"].aboutToShow.connect(lambda: self._update_recent(self.files.recent_files()))  # (found?)
        self.workspaces.switching.connect(self._before_switch)
        self.workspaces.changed.connect(self._after_switch)
        self.view.files_dropped.connect(self._open_dropped)

    def _on_design_replaced(self) -> None:
        QTimer.singleShot(0, self.view.fit)

    def _before_switch(self, _name: str) -> None:
        shown = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        self._whole_design_shown = shown.contains(self.scene.itemsBoundingRect())

    def _after_switch(self, _name: str) -> None:
        """The canvas changes size with the workspace: a design seen whole is fitted again."""
        if getattr(self, "_whole_design_shown", False):
            QTimer.singleShot(0, self.view.fit)

    def _on_changed(self) -> None:
        self.actions_["direction"].setChecked(self.document.direction == "LR")

    # ----- state -------------------------------------------------------------------------
    def restore_state(self) -> None:
        """The saved geometry (kept inside the screen) and the workspace the window was closed in."""
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry) and not inside_screen(self):
            fit_to_screen(self)
        self.workspaces.restore()

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.workspaces.save()

    def set_design(self, design: Design, path: str | Path | None = None) -> None:
        self.document.set_design(with_layout(design) if needs_layout(design) else design, path)

    # ----- status bar and title -----------------------------------------------------------
    def show_totals(self, analysis: Analysis) -> None:
        errors = len(analysis.errors)
        state = "design valid" if analysis.valid else f"{errors} problem{'s' * (errors != 1)}"
        self.totals_label.setText(f"{analysis.total_params:,} parameters · {format_macs(analysis.total_macs)} MACs"
                                  f" · {state}")

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title}[*] — netbuilder")
        self.setWindowModified(self.document.is_modified)

    def _update_recent(self, paths: list[str]) -> None:
        menu = self.menus["recent"]
        menu.clear()
        for path in paths:
            p = Path(path)
            folder = p.parent.name or str(p.parent)
            missing = "" if p.exists() else " (not found)"
            action = menu.addAction(f"{p.name}{missing}  —  {folder}", lambda p=path: self.files.open_path(p))
            action.setToolTip(path)
            action.setStatusTip(path)
        menu.setEnabled(bool(paths))

    def _workbench_event(self, event) -> None:
        from netbuilder.workbench import events as ev

        if isinstance(event, ev.Ready):
            self.device_label.setText(f"device: {event.device}")
        elif isinstance(event, ev.DatasetLoaded):
            self.show_applicability(event.info)
        elif isinstance(event, ev.TaskDone | ev.TaskFailed) and event.key == "export":
            self.files.export_finished(event)

    def append_kind(self, kind: str) -> None:
        sel = self.document.selection
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        try:
            self.document.append(kind, sel[-1] if sel else None, (round(centre.x(), 1), round(centre.y(), 1)))
        except NetbuilderError as e:
            self.statusBar().showMessage(str(e), 6000)

    def copy(self) -> bool:
        ids = self.scene.selected_node_ids()
        if not ids:
            return False
        data = copy_subgraph(self.document.graph, ids)
        mime = QMimeData()
        text = json.dumps(data)
        mime.setData(SUBGRAPH_MIME, text.encode())
        mime.setText(text)
        QApplication.clipboard().setMimeData(mime)
        _clear_clipboard_at_exit()
        return True

    def cut(self) -> None:
        if self.copy():
            self.delete_selection()

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        raw = bytes(mime.data(SUBGRAPH_MIME).data()).decode("utf-8", "replace") if mime.hasFormat(SUBGRAPH_MIME) \
            else mime.text()
        try:
            self.document.paste(loads_subgraph(raw))
        except NotLayersError as e:
            self.statusBar().showMessage(f"Nothing to paste: {e}.", 6000)
        except DesignFileError as e:
            self.statusBar().showMessage(f"Cannot paste these layers: {e.where}: {e.problem}.", 8000)
        except NetbuilderError as e:  # the pasted layers do not fit in this design (too many, say)
            self.statusBar().showMessage(f"Cannot paste these layers: {e}", 8000)

    def duplicate(self) -> None:
        ids = self.scene.selected_node_ids()
        if ids:
            self.document.paste(copy_subgraph(self.document.graph, ids))

    def delete_selection(self) -> None:
        self.document.delete(self.scene.selected_node_ids(), self.scene.selected_edges())

    def select_all(self) -> None:
        self.document.select(list(self.document.graph.nodes))

    def toggle_direction(self) -> None:
        self.document.set_direction("TB" if self.document.direction == "LR" else "LR")
        QTimer.singleShot(0, self.view.fit)

    def group_selection(self) -> None:
        self.document.group_nodes(self.scene.selected_node_ids())

    def _selected_groups(self) -> list[str]:
        ids = {i.group_id for i in self.scene.selectedItems() if isinstance(i, GroupItem)}
        for node_id in self.document.selection:
            if group := self.document.graph.group_of(node_id):
                ids.add(group.id)
        return sorted(ids)

    def ungroup_selection(self) -> None:
        from netbuilder.graph.edits import Compound, RemoveGroup

        groups = self._selected_groups()
        if groups:
            self.document.push(Compound([RemoveGroup(g) for g in groups], "ungroup"))

    def toggle_selected_group(self) -> None:
        for group_id in self._selected_groups():
            self.scene.toggle_group(group_id)

    def new_design(self) -> bool:
        """File ▸ New: a blank design on the dataset this one has loaded, its Input shaped as that data (it
        fits from the first layer on: no "does not fit", no Fit). A dataset that did not load is not kept."""
        info = self.workbench.dataset
        if info is None:
            return self.files.new_design(blank_design())
        return self.files.new_design(blank_design(self.document.design.dataset, info.get("input_shape")))

    def new_from_preset(self) -> None:
        from netbuilder.ui.presets_dialog import PresetGallery

        wb = self.workbench
        dialog = PresetGallery(self, wb.ready.datasets if wb.ready else None,
                               (wb.dataset_spec, wb.dataset) if wb.dataset else None)
        if self.document.design.meta.get("preset") in dialog.infos:  # (the open one's card chosen)
            dialog.select(self.document.design.meta["preset"])
        if dialog.exec() and dialog.design is not None and self.files.maybe_save():
            self.set_design(with_layout(dialog.design) if dialog.keep_layout.isChecked() else dialog.design)

    def export_diagram(self, fmt: str) -> None:
        from netbuilder.ui import diagram

        base = self.document.path.with_suffix(f".{fmt}") if self.document.path else \
            Path(self.files.last_dir()) / f"{file_name(self.document.design.name)}.{fmt}"
        path = self.files.ask_save_path(f"Export diagram as {fmt.upper()}", str(base), f"{fmt.upper()} (*.{fmt})")
        if path:
            try:
                (diagram.export_svg if fmt == "svg" else diagram.export_png)(self.scene, with_suffix(path, f".{fmt}"))
            except NetbuilderError as e:
                self.files.show_error("Cannot export the diagram", str(e))

    # ----- help ----------------------------------------------------------------------------
    def about(self) -> None:
        from netbuilder.ui.about import AboutDialog

        AboutDialog(self.device_label.text().removeprefix("device: "), self).exec()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(what, keys) for every action with a key: each named by what it does, not by its changing text
        ("Undo delete dense_4"), a workspace as a workspace, every key of it ("Del, Backspace")."""
        fixed = {"undo": "Undo", "redo": "Redo"}
        rows = [(fixed.get(k, a.text()), a) for k, a in self.actions_.items()]
        rows += [(f"{a.text()} workspace", a) for a in self.workspaces.actions.values()]
        rows += [(a.text(), a) for a in [*self.training.actions.values(), self.explore.freeze_action]]
        return [(text.replace("&", "").rstrip("…. "), ", ".join(k.toString() for k in a.shortcuts()))
                for text, a in rows if a.shortcuts()]

    def show_shortcuts(self) -> None:
        from html import escape

        rows = "".join(f"<tr><td>{escape(what)}</td><td>&nbsp;&nbsp;{escape(keys)}</td></tr>"
                       for what, keys in self.shortcut_rows())
        canvas = ("On the canvas: F fits the design · arrows (Shift: further) move the selected layers · Esc lets "
                  "go of the selection · Space-drag or middle button: pan · wheel: zoom · drag from an output port "
                  "to an input: connect")
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table><p>{canvas}</p>")

    # ----- window events --------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self.workspaces.window_shown)

    def _open_dropped(self, paths: list[str]) -> None:
        from netbuilder.io import DESIGN_EXTENSION

        designs = [p for p in paths if p.lower().endswith((DESIGN_EXTENSION, ".json")) and not Path(p).is_dir()]
        data = [p for p in paths if Path(p).is_dir() or p.lower().endswith((".csv", ".tsv"))]
        if designs:
            self.files.open_path(designs[0])
        elif data:  # a folder of class sub-folders or a table: the design's dataset (the status bar says so)
            self.training.data_link.drop(data[0])
        elif paths:
            self.statusBar().showMessage(f"{Path(paths[0]).name} is not a design: drop a {DESIGN_EXTENSION} file "
                                         "to open it", 6000)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self._open_dropped([u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._closed:  # a close asked for again while this one shuts down (a save it waited for ended)
            event.accept()
            return
        if self.files.busy:  # a save or Fit waits for the workbench: the window closes once it has ended
            self.files.close_when_saved = True
            event.ignore()
            return
        if self.training.running:  # its end first: the weights and the run's outcome
            if not self.files.ask_stop_training():  # reach the design, and the question below covers them
                event.ignore()
                return
            self.training.stop_and_wait(CLOSE_WAIT_S)  # a short step ends here: the question covers its end
        if not self.files.maybe_save():
            event.ignore()
            return
        self._closed = True
        self.hide()  # at once: a step of many seconds goes on behind, waited for only EXIT_WAIT_S
        # (a save that waits for the run's end to write its trained weights: the run's end is waited for, the
        # window hidden; nothing else is worth a step of many seconds)
        owed = getattr(self.training.link, "pending_save", None) is not None
        ended = not self.training.running or self.training.stop_and_wait(OWED_WAIT_S if owed else EXIT_WAIT_S)
        self.explore.shutdown()
        self.training.shutdown()
        # a write that must finish (weights saved at the run's end) is waited for; a step still under way is
        # not (app.run_app then ends the process without it)
        self.bridge.shutdown(SAVE_WAIT_S if ended else 0.1)
        self.save_state()
        self.files.stop_autosave()
        self.scene.detach()
        event.accept()
