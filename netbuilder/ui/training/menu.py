"""The Train menu and its actions (F5 train, F6 pause / resume: one toggle, Shift+F5 stop, ...), added
to the window's menu bar before Help, to its toolbar (Train, Pause/Resume, Stop), and the training docks
to View ▸ Panels. F5 from the window also switches to the Train workspace and shows the curves. Qt only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QStyle

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController

SP = QStyle.StandardPixmap


def build_train_actions(c: TrainingController) -> dict[str, QAction]:
    w = c.window
    table = (
        ("train", "&Train", c.train_and_show, "F5", SP.SP_MediaPlay, "Train the design on its dataset"),
        ("pause", "&Pause", c.toggle_pause, "F6", SP.SP_MediaPause, "Pause training (F6 again resumes)"),
        ("resume", "&Resume", c.resume, None, SP.SP_MediaPlay,
         "Resume training, with the settings changed while paused"),
        ("stop", "&Stop", c.stop, "Shift+F5", SP.SP_MediaStop, "Stop training (the weights so far are kept)"),
        ("reset", "Reset &Weights", c.reset_weights, None, SP.SP_BrowserReload, "Start the next run from fresh weights"),
        ("fit", "&Fit Design to Dataset", lambda: c.link.fit_design(), None, None,
         "Set the Input shape and the number of classes to the dataset's"),
        ("export_png", "Export C&urves as PNG…", lambda: c.export_png(), None, None, "Save the curves as an image"),
        ("export_csv", "Export Metrics as &CSV…", lambda: c.export_csv(), None, None, "Save the metrics as a table"),
    )
    actions: dict[str, QAction] = {}
    for key, text, slot, shortcut, icon, tip in table:
        action = QAction(text, w)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(w.style().standardIcon(icon))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        action.triggered.connect(lambda _checked=False, s=slot: s())
        actions[key] = action
    return actions


def install_menu(window: QMainWindow, actions: dict[str, QAction], docks: dict[str, QDockWidget]) -> QMenu:
    bar = window.menuBar()
    menu = QMenu("T&rain", window)
    for key in ("train", "pause", "stop", None, "reset", "fit", None, "export_png", "export_csv"):
        menu.addSeparator() if key is None else menu.addAction(actions[key])
    menu.addSeparator()
    views = menu.addMenu("&Views")
    for dock in docks.values():
        views.addAction(dock.toggleViewAction())
    help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_action is not None:
        bar.insertMenu(help_action, menu)
    else:
        bar.addMenu(menu)
    menus = getattr(window, "menus", None)
    panels = menus.get("panels") if isinstance(menus, dict) else None
    if panels is not None:
        for dock in docks.values():
            panels.addAction(dock.toggleViewAction())
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        toolbar.addSeparator()
        for key in ("train", "pause", "stop"):
            toolbar.addAction(actions[key])
    return menu
