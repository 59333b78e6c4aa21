"""The window's actions, menus and toolbar (File Edit View Design Help), built from one table.

Every action has a menu entry and, where there is a standard one, the standard shortcut; no two
actions share a shortcut (Ctrl+L locks layers, the Freeze action; Automatic Layout is Ctrl+Alt+L).
The undo / redo actions come from the QUndoStack, so the Edit menu shows what will be undone.
View ▸ Workspace lists the workspaces (Ctrl+1/2/3, also on the bar above the toolbar).

Keyboard-only work: Edit ▸ Find Layer (Ctrl+F) puts the keyboard in the palette's search; Edit ▸ Go to
Layer lists the canvas's Alt+arrow keys (GraphView handles them while it has the focus, so a combo box's
Alt+Down still opens its list elsewhere); Design ▸ Connect Input (Ctrl+I) opens the inspector's "from"
list of the selected layer. Every item of every menu gets an Alt-letter of its own in that menu, the
ones other modules add later too (``Mnemonics``: the panels, the training views, the lessons).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QStyle, QToolBar, QWidget

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow

SK = QKeySequence.StandardKey
SP = QStyle.StandardPixmap
GO_TO_LAYER = (("select_up", "Select Layer &Above", "Alt+Up", (0, -1)),
               ("select_down", "Select Layer &Below", "Alt+Down", (0, 1)),
               ("select_left", "Select Layer on the &Left", "Alt+Left", (-1, 0)),
               ("select_right", "Select Layer on the &Right", "Alt+Right", (1, 0)))


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
        "new": _action(w, "&New", w.new_design, SK.New, SP.SP_FileIcon, "Start a new design"),
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
    a["find_layer"] = _action(w, "&Find Layer…", lambda: find_layer(w), SK.Find,
                              tip="Search the palette for a layer to add (Enter adds it)")
    a["connect_input"] = _action(w, "Connect &Input…", lambda: connect_input(w), "Ctrl+I",
                                 tip="Choose the layer that feeds the selected one")
    for key, text, keys, step in GO_TO_LAYER:
        a[key] = _action(w, text, lambda step=step: w.view.select_toward(step), keys,
                         tip="On the canvas: select the nearest layer that way")
        # (shown in the menu; the canvas handles the key itself, only while it has the focus)
        a[key].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
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


def find_layer(w: MainWindow) -> None:
    """Show the palette (in any workspace) with the keyboard in its search box."""
    dock = w.docks.get("Palette")
    if dock is not None:
        dock.show()
        dock.raise_()
    w.palette_view.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
    w.palette_view.search.selectAll()


def connect_input(w: MainWindow) -> None:
    """Open the inspector's "from" list of the selected layer (the keyboard's way to connect two layers)."""
    dock = w.docks.get("Inspector")
    if dock is not None:
        dock.show()
        dock.raise_()
    if (why := w.inspector.focus_inputs()) is not None:
        w.statusBar().showMessage(why, 6000)


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
    go_to = edit.addMenu("&Go to Layer")
    for key, *_rest in GO_TO_LAYER:
        go_to.addAction(a[key])
    edit.addSeparator()
    edit.addAction(a["find_layer"])
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
    for key in ("connect_input", None, "layout", "direction", None, "group", "ungroup", "collapse"):
        design.addSeparator() if key is None else design.addAction(a[key])
    help_ = menus["help"] = bar.addMenu("&Help")
    help_.addAction(a["shortcuts"])
    help_.addAction(a["about"])
    w.mnemonics = Mnemonics(bar, skip=(menus["recent"],))  # (recent files: their names as they are)
    return menus


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' in a menu text (lower case), or None ('&&' is a plain '&')."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


class Mnemonics(QObject):
    """Gives each item of a menu bar's menus (and their submenus, added now or later) an Alt-letter that
    no other item of a menu holding it has: the first letter of one of its words if free, else another
    of its letters. An item that has one keeps it unless another item of the menu has it too."""

    def __init__(self, bar: QMenuBar, skip: tuple[QMenu, ...] = ()) -> None:
        super().__init__(bar)
        self._busy = False
        self.skip = skip
        self.watch(bar)

    def watch(self, widget: QWidget) -> None:
        if widget in self.skip:
            return
        widget.installEventFilter(self)
        for action in widget.actions():
            self._added(widget, action)

    def _added(self, widget: QWidget, action: QAction) -> None:
        menu = action.menu()
        if isinstance(menu, QMenu) and menu is not widget:
            self.watch(menu)
        if isinstance(widget, QMenu):
            self.give(action)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ActionAdded and isinstance(watched, QWidget):
            self._added(watched, event.action())
        elif event.type() == QEvent.Type.ActionChanged and isinstance(watched, QMenu):
            self.give(event.action())
        return False

    def give(self, action: QAction) -> None:
        """A letter for ``action`` free in every menu it is in (nothing when none is left)."""
        if self._busy or action.isSeparator() or not action.text():
            return
        menus = [m for m in action.associatedObjects() if isinstance(m, QMenu)]
        taken = {mnemonic(other.text()) for m in menus for other in m.actions() if other is not action}
        own = mnemonic(action.text())
        if own is not None and own not in taken:
            return
        plain = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&&")
        starts = [i for i, c in enumerate(plain) if c.isalnum() and (i == 0 or not plain[i - 1].isalnum())]
        others = [i for i, c in enumerate(plain) if c.isalnum() and i not in starts]
        index = next((i for i in starts + others if plain[i].lower() not in taken), None)
        if index is None:
            return
        self._busy = True
        try:
            action.setText(plain[:index] + "&" + plain[index:])
        finally:
            self._busy = False


def build_toolbar(w: MainWindow, a: dict[str, QAction]) -> QToolBar:
    bar = QToolBar("Main toolbar", w)
    bar.setObjectName("main_toolbar")
    for key in ("new", "open", "save", None, "undo", "redo", None, "layout", "fit", None, "new_preset"):
        bar.addSeparator() if key is None else bar.addAction(a[key])
    w.addToolBar(bar)
    return bar
