"""Keyboard shortcuts: no two actions in the window share one (Qt fires neither on an ambiguous
shortcut), and the ones the README promises are where it says."""

from __future__ import annotations

from collections import defaultdict

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

pytestmark = pytest.mark.gui


def all_actions(window) -> set[QAction]:
    actions = set(window.findChildren(QAction))
    for widget in [window, *window.findChildren(QWidget)]:
        actions.update(widget.actions())
    return actions


def test_no_two_actions_share_a_shortcut(window):
    owners: dict[str, list[str]] = defaultdict(list)
    for action in all_actions(window):
        for sequence in action.shortcuts():
            if not sequence.isEmpty():
                owners[sequence.toString(QKeySequence.SequenceFormat.PortableText)].append(
                    action.text().replace("&", "") or action.objectName())
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert not shared, f"shortcuts bound more than once: {shared}"
    assert len(owners) > 20  # the window's actions were found


def _mnemonic(text: str) -> str | None:
    """The letter after a single '&' (Alt+letter in a menu), or None."""
    i = text.replace("&&", "").find("&")
    return text.replace("&&", "")[i + 1].lower() if 0 <= i < len(text.replace("&&", "")) - 1 else None


def test_no_two_items_of_a_menu_share_a_mnemonic(window):
    """In a menu opened from the keyboard, a letter that two items share only moves between them: each
    item of every menu (the menu bar's, their submenus, the canvas's) has a letter of its own."""
    from PySide6.QtWidgets import QMenu

    menus = [window.menuBar(), *window.findChildren(QMenu)]
    clashes, checked = [], 0
    for menu in menus:
        letters: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            letter = _mnemonic(action.text())
            if letter:
                letters[letter].append(action.text())
        checked += sum(len(v) for v in letters.values())
        clashes += [f"{(menu.title() or 'menu bar')!r}: {names}" for names in letters.values() if len(names) > 1]
    assert not clashes, "items sharing a mnemonic: " + "; ".join(clashes)
    assert checked > 40


def test_documented_shortcuts(window):
    def key(action: QAction) -> str:
        return action.shortcut().toString(QKeySequence.SequenceFormat.PortableText)

    assert key(window.explore.freeze_action) == "Ctrl+L"  # README: lock layers (Ctrl+L)
    assert key(window.actions_["layout"]) == "Ctrl+Alt+L"
    train = window.training.actions
    assert (key(train["train"]), key(train["pause"]), key(train["stop"])) == ("F5", "F6", "Shift+F5")
    assert [key(a) for a in window.workspaces.actions.values()] == ["Ctrl+1", "Ctrl+2", "Ctrl+3"]


def test_the_shortcut_list_names_what_each_does_with_every_key(window):
    window.document.delete(["relu_1"])  # (the undo action's text is now "Undo delete relu_1")
    rows = dict(window.shortcut_rows())
    assert rows["Undo"] == "Ctrl+Z" and "Ctrl+Shift+Z" in rows["Redo"]
    assert rows["Delete"] == "Del, Backspace" and "Ctrl+=" in rows["Zoom In"]
    assert rows["Train workspace"] == "Ctrl+2" and rows["Train"] == "F5"


def test_f_fits_and_escape_lets_go_on_the_canvas(window, qtbot):
    from PySide6.QtCore import Qt

    view = window.view
    view.zoom_by(3.0)
    zoomed = view.zoom()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.zoom() < zoomed
    window.document.select(["dense_1"])
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert window.document.selection == []


def test_arrow_keys_move_the_selected_layers_one_undo_step_a_press(window, qtbot):
    from PySide6.QtCore import Qt

    from netbuilder.ui.canvas.view import NUDGE

    doc, view = window.document, window.view
    view.setFocus()
    doc.select(["dense_1"])
    x, y = doc.graph.node("dense_1").pos
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert doc.graph.node("dense_1").pos == (x + NUDGE, y + 4 * NUDGE)
    assert window.scene.nodes["dense_1"].pos().x() == x + NUDGE
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.graph.node("dense_1").pos == (x, y)
    doc.select([])
    qtbot.keyClick(view, Qt.Key.Key_Right)  # nothing selected: the view scrolls, nothing moves
    assert doc.graph.node("dense_1").pos == (x, y)
