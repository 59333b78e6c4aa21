"""The window's actions, menus and toolbar (File Edit View Design Help), built from one table.

Every action has a menu entry and, where there is a standard one, the standard shortcut; no two
actions share a shortcut (Ctrl+L locks layers, the Freeze action; Automatic Layout is Ctrl+Alt+L).
The undo / redo actions come from the QUndoStack, so the Edit menu shows what will be undone.
View ▸ Workspace lists the workspaces (Ctrl+1/2/3, also on the bar above the toolbar).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolBar

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow

SK = QKeySequence.StandardKey
SP = QStyle.StandardPixmap


def _action(window: MainWindow, text: str, slot, shortcut=None, icon=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut) if isinstance(shortcut, str) else shortcut)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_actions(w: MainWindow) -> dict[str, QAction]:
    f, doc = w.files, w.document
    a: dict[str, QAction] = {
        "new": _action(w, "&New", f.new_design, SK.New, SP.SP_FileIcon, "Start a new design"),
        "new_preset": _action(w, "New from &preset…", w.new_from_preset, "Ctrl+Shift+N", SP.SP_FileDialogDetailedView,
                              "Start from a famous architecture"),
        "open": _action(w, "&Open…", f.open_dialog, SK.Open, SP.SP_DialogOpenButton),
        "save": _action(w, "&Save", f.save, SK.Save, SP.SP_DialogSaveButton),
        "save_as": _action(w, "Save &As…", f.save_as, SK.SaveAs),
        "export_python": _action(w, "Export as &Python…", lambda: f.export_model("python")),
        "export_pt2": _action(w, "Export as .pt2 (&torch.export)…", lambda: f.export_model("pt2")),
        "export_onnx": _action(w, "Export as &ONNX…", lambda: f.export_model("onnx")),
        "export_png": _action(w, "Export diagram as P&NG…", lambda: w.export_diagram("png")),
        "export_svg": _action(w, "Export diagram as S&VG…", lambda: w.export_diagram("svg")),
        "quit": _action(w, "&Quit", w.close, SK.Quit),
        "cut": _action(w, "Cu&t", w.cut, SK.Cut),
        "copy": _action(w, "&Copy", w.copy, SK.Copy),
        "paste": _action(w, "&Paste", w.paste, SK.Paste),
        "duplicate": _action(w, "Dup&licate", w.duplicate, "Ctrl+D"),
        "delete": _action(w, "&Delete", w.delete_selection, SK.Delete),
        "select_all": _action(w, "Select &All", w.select_all, SK.SelectAll),
        "zoom_in": _action(w, "Zoom &In", lambda: w.view.zoom_by(1.25), SK.ZoomIn),
        "zoom_out": _action(w, "Zoom &Out", lambda: w.view.zoom_by(0.8), SK.ZoomOut),
        "fit": _action(w, "&Fit to Window", w.view.fit, "Ctrl+0", SP.SP_TitleBarMaxButton, "Show the whole design"),
        "layout": _action(w, "Automatic &Layout", doc.auto_layout, "Ctrl+Alt+L", SP.SP_BrowserReload,
                          "Arrange the layers in layers"),
        "direction": _action(w, "Read Left to &Right", w.toggle_direction, "Ctrl+Shift+L"),
        "group": _action(w, "&Group Selection", w.group_selection, "Ctrl+G"),
        "ungroup": _action(w, "&Ungroup", w.ungroup_selection, "Ctrl+Shift+G"),
        "collapse": _action(w, "&Collapse / Expand Group", w.toggle_selected_group, "Ctrl+E"),
        "about": _action(w, "&About netbuilder", w.about),
        "shortcuts": _action(w, "&Keyboard Shortcuts", w.show_shortcuts, SK.HelpContents),
    }
    a["direction"].setCheckable(True)
    a["delete"].setShortcuts([QKeySequence(SK.Delete), QKeySequence("Backspace")])
    a["zoom_in"].setShortcuts([QKeySequence(SK.ZoomIn), QKeySequence("Ctrl+=")])  # (+ needs Shift on many keyboards)
    undo = doc.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(SK.Undo)
    undo.setIcon(w.style().standardIcon(SP.SP_ArrowBack))
    redo = doc.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    redo.setIcon(w.style().standardIcon(SP.SP_ArrowForward))
    a["undo"], a["redo"] = undo, redo
    return a


def build_menus(w: MainWindow, a: dict[str, QAction]) -> dict[str, QMenu]:
    bar = w.menuBar()
    menus: dict[str, QMenu] = {}
    file = menus["file"] = bar.addMenu("&File")
    for key in ("new", "new_preset", "open"):
        file.addAction(a[key])
    menus["recent"] = file.addMenu("Open &Recent")
    file.addSeparator()
    file.addAction(a["save"])
    file.addAction(a["save_as"])
    file.addSeparator()
    export = file.addMenu("&Export")
    for key in ("export_python", "export_pt2", "export_onnx"):
        export.addAction(a[key])
    export.addSeparator()
    export.addAction(a["export_png"])
    export.addAction(a["export_svg"])
    file.addSeparator()
    file.addAction(a["quit"])
    edit = menus["edit"] = bar.addMenu("&Edit")
    for key in ("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", None, "select_all"):
        edit.addSeparator() if key is None else edit.addAction(a[key])
    menus["view"] = view = bar.addMenu("&View")
    for key in ("zoom_in", "zoom_out", "fit"):
        view.addAction(a[key])
    view.addSeparator()
    workspace = menus["workspace"] = view.addMenu("&Workspace")
    for action in w.workspaces.actions.values():
        workspace.addAction(action)
    workspace.addSeparator()
    workspace.addAction(w.workspaces.reset_action)
    menus["panels"] = view.addMenu("&Panels")
    design = menus["design"] = bar.addMenu("&Design")
    for key in ("layout", "direction", None, "group", "ungroup", "collapse"):
        design.addSeparator() if key is None else design.addAction(a[key])
    help_ = menus["help"] = bar.addMenu("&Help")
    help_.addAction(a["shortcuts"])
    help_.addAction(a["about"])
    return menus


def build_toolbar(w: MainWindow, a: dict[str, QAction]) -> QToolBar:
    bar = QToolBar("Main toolbar", w)
    bar.setObjectName("main_toolbar")
    for key in ("new", "open", "save", None, "undo", "redo", None, "layout", "fit", None, "new_preset"):
        bar.addSeparator() if key is None else bar.addAction(a[key])
    w.addToolBar(bar)
    return bar
