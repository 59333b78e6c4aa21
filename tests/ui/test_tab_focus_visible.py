"""Tab and Shift+Tab only visit what the user sees: in a workspace, a full cycle of the focus chain never
lands in a dock of another workspace nor in a dock on a hidden tab of a tabbed group (Qt moves such a dock
out of sight, not hidden, so it stayed a Tab stop and the focus went off the screen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

pytestmark = pytest.mark.gui

CYCLE = 400  # presses at most: more than the window has Tab stops


@pytest.fixture
def active(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def _dock_of(widget: QWidget) -> QDockWidget | None:
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget


def _seen(window, widget: QWidget) -> str | None:
    """Why ``widget`` is not on screen, or None when it is."""
    if not widget.isVisible():
        return "not visible"
    dock = _dock_of(widget)
    if dock is not None and dock.isHidden():
        return f"in the hidden dock {dock.windowTitle()}"
    if dock is not None and not dock.isFloating() and dock.visibleRegion().isEmpty():
        group = [d.windowTitle() for d in window.tabifiedDockWidgets(dock)]
        return f"in the dock {dock.windowTitle()}, on a hidden tab of {group}"
    if widget.visibleRegion().isEmpty():
        return f"out of sight at {widget.mapTo(window, widget.rect().topLeft())}"
    return None


def _cycle(window, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> list[QWidget]:
    """Press ``key`` until the focus comes back to where it started; the widgets it went through."""
    start = QApplication.focusWidget()
    order: list[QWidget] = []
    for _ in range(CYCLE):
        QTest.keyClick(QApplication.focusWidget(), key, modifier)
        focused = QApplication.focusWidget()
        if focused is None or focused is start or (order and focused is order[-1]):
            break
        order.append(focused)
    return order


def _name(widget: QWidget) -> str:
    dock = _dock_of(widget)
    return f"{type(widget).__name__}({widget.objectName()!r}) in {dock.windowTitle() if dock else '-'}"


@pytest.mark.parametrize("workspace", ["Train", "Build", "Explore"])
@pytest.mark.parametrize("backwards", [False, True], ids=["tab", "shift-tab"])
def test_a_full_tab_cycle_stays_on_screen(active, qtbot, workspace, backwards):
    w = active
    w.workspaces.switch(workspace)
    qtbot.wait(50)
    w.view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(w.view.hasFocus)
    key, modifier = ((Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier) if backwards
                     else (Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier))
    order = _cycle(w, key, modifier)
    assert QApplication.focusWidget() is w.view, [_name(f) for f in order]  # a whole cycle, back to the canvas
    assert len(order) > 3
    off = [(_name(f), why) for f in order if (why := _seen(w, f))]
    assert not off


def test_the_views_on_hidden_tabs_are_still_reached_through_their_tab_bar(active, qtbot):
    """Skipping them loses nothing: Tab reaches the group's tab bar, whose arrows show the next view."""
    from PySide6.QtWidgets import QTabBar

    w = active
    w.workspaces.switch("Train")
    qtbot.wait(50)
    w.view.setFocus(Qt.FocusReason.TabFocusReason)
    bar = next(f for f in _cycle(w, Qt.Key.Key_Tab) if isinstance(f, QTabBar))
    assert [bar.tabText(i) for i in range(bar.count())][:2] == ["Curves", "Evaluation"]
    bar.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(bar, Qt.Key.Key_Right)
    # (the dock shown is enabled at once; the one hidden once the event loop has run: not before a key)
    qtbot.waitUntil(lambda: not w.docks["Curves"].widget().isEnabled())
    assert w.docks["Evaluation"].widget().isEnabled()
    w.view.setFocus(Qt.FocusReason.TabFocusReason)
    docks = {_dock_of(f) for f in _cycle(w, Qt.Key.Key_Tab)}
    assert w.docks["Evaluation"] in docks and w.docks["Curves"] not in docks


def test_the_focus_follows_its_view_off_to_a_hidden_tab_back_on_screen(active, qtbot):
    """A view with the focus that goes to a hidden tab (another tab clicked, a view raised by the program)
    hands the focus to the view shown in its place, as a QTabWidget does with its pages."""
    w = active
    w.workspaces.switch("Train")
    w.docks["Evaluation"].raise_()
    qtbot.waitUntil(lambda: w.docks["Evaluation"].widget().isEnabled())  # (the guard looks after a relayout)
    w.view.setFocus(Qt.FocusReason.TabFocusReason)
    inside = next(f for f in _cycle(w, Qt.Key.Key_Tab) if _dock_of(f) is w.docks["Evaluation"])
    inside.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(inside.hasFocus)
    w.docks["Curves"].raise_()
    qtbot.waitUntil(lambda: _dock_of(QApplication.focusWidget()) is w.docks["Curves"])
    assert _seen(w, QApplication.focusWidget()) is None


def test_switching_workspace_leaves_the_focus_on_screen(active, qtbot):
    w = active
    w.workspaces.switch("Train")
    qtbot.wait(50)
    w.view.setFocus(Qt.FocusReason.TabFocusReason)
    inside = next(f for f in _cycle(w, Qt.Key.Key_Tab) if _dock_of(f) is w.docks["Curves"])
    inside.setFocus(Qt.FocusReason.TabFocusReason)
    for name in ("Explore", "Build", "Train"):
        w.workspaces.switch(name)
        qtbot.waitUntil(lambda: (f := QApplication.focusWidget()) is not None and _seen(w, f) is None)


def test_random_switches_never_leave_a_dock_disabled_on_screen_nor_enabled_out_of_sight(window, qtbot):
    """Sixty random workspace switches and views raised, each looked at once the event loop has run: a
    view's content is disabled exactly when its dock is on a hidden tab (never greyed on screen)."""
    import random

    from netbuilder.ui.focus import GUARDED

    w, rnd, problems = window, random.Random(1), []
    names = list(w.docks)
    for i in range(60):
        if rnd.random() < 0.3:
            w.workspaces.switch(rnd.choice(["Build", "Train", "Explore"]))
        else:
            w.workspaces.show_dock(rnd.choice(names))
        qtbot.wait(rnd.choice([0, 5, 30]))
        qtbot.wait(40)
        for title, dock in w.docks.items():
            content = dock.widget()
            if dock.isHidden() or content is None or dock.isFloating():
                continue
            seen = not dock.visibleRegion().isEmpty()
            if seen and not content.isEnabled() and content.property(GUARDED):
                problems.append((i, title, "disabled on screen"))
            if not seen and content.isEnabled():
                problems.append((i, title, "enabled out of sight"))
    assert not problems, problems[:5]


# ----- the rule on its own: a small window of two tabbed docks --------------------------------------
def test_tab_skips_a_dock_on_a_hidden_tab_but_not_a_field_scrolled_away(qtbot):
    from PySide6.QtWidgets import QLineEdit, QMainWindow, QScrollArea, QVBoxLayout

    from netbuilder.ui.focus import FocusGuard, out_of_sight

    win = QMainWindow()
    qtbot.addWidget(win)
    centre = QLineEdit("centre")
    win.setCentralWidget(centre)
    fields: dict[str, list[QLineEdit]] = {}
    docks = []
    for title in ("front", "back"):
        dock = QDockWidget(title, win)
        if title == "front":  # a long form in a scroll area: its last field is scrolled out of view
            scroll, form = QScrollArea(), QWidget()
            column = QVBoxLayout(form)
            fields[title] = [QLineEdit(f"{title} {i}") for i in range(30)]
            for f in fields[title]:
                column.addWidget(f)
            scroll.setWidget(form)
            scroll.setWidgetResizable(True)
            dock.setWidget(scroll)
        else:
            fields[title] = [QLineEdit(f"{title} {i}") for i in range(2)]
            holder = QWidget()
            column = QVBoxLayout(holder)
            for f in fields[title]:
                column.addWidget(f)
            dock.setWidget(holder)
        win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        docks.append(dock)
    win.tabifyDockWidget(docks[0], docks[1])
    FocusGuard(win)
    win.resize(500, 400)
    win.show()
    qtbot.waitExposed(win)
    docks[0].raise_()
    qtbot.waitUntil(lambda: not docks[0].visibleRegion().isEmpty())
    assert all(f.isVisible() for f in fields["back"])  # Qt keeps them "visible", out of the window
    assert all(out_of_sight(f) for f in fields["back"])
    assert fields["front"][-1].visibleRegion().isEmpty() and not out_of_sight(fields["front"][-1])
    for key, modifier in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)):
        centre.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(centre.hasFocus)
        order = []
        for _ in range(100):
            QTest.keyClick(QApplication.focusWidget(), key, modifier)
            if QApplication.focusWidget() is centre:
                break
            order.append(QApplication.focusWidget())
        assert not set(order) & set(fields["back"])
        assert set(fields["front"]) <= set(order)  # the scrolled-away fields too (scrolled to)
