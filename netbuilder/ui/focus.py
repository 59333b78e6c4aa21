"""Keyboard focus stays on screen: Tab and Shift+Tab in the main window visit only what the user sees.

Qt does not hide a dock on a hidden tab of a tab group, nor the main window's spare tab bars: its layout
moves them out of the window (to negative coordinates) and leaves them visible, so Qt's own focus chain
(which asks only ``isVisibleTo``) went on into them and the focus disappeared from the screen (Evaluation
under Curves in Train, Summary and Code in Build, seven Explore views, empty tab bars).
``OnScreenTabOrder``, a base of the main window, picks the next Tab stop as Qt does, skipping any widget
``out_of_sight``; ``keep_focus_on_screen`` moves the focus when its dock goes to a hidden tab (a click
on another tab, a view raised by the program) or a workspace switch leaves it out of sight: to the dock
now shown in the group, as a QTabWidget does with its pages, or else to the next Tab stop. Qt only.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget, QWidget

FOLLOWED = "netbuilder_focus_followed"  # a dock's property: FocusKeeper follows its visibility
CHAIN_LIMIT = 5000  # widgets walked at most (a focus chain is a ring; this only guards a broken one)


def out_of_sight(widget: QWidget) -> bool:
    """True when ``widget`` (or a container of it, up to its window) lies wholly outside its parent or has
    no size: it cannot be seen, though Qt counts it visible. What a scroll area can scroll into view is
    not out of sight (the scroll area itself must be in sight)."""
    w = widget
    while not w.isWindow():
        parent = w.parentWidget()
        if parent is None:
            return False
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            w = area  # (scrolled to when it takes the focus: QScrollArea.ensureWidgetVisible)
            continue
        if w.width() <= 0 or w.height() <= 0 or not w.geometry().intersects(parent.rect()):
            return True
        w = parent
    return False


def _deepest_proxy(widget: QWidget) -> QWidget | None:
    proxy, deepest = widget.focusProxy(), None
    while proxy is not None and proxy is not deepest:
        deepest, proxy = proxy, proxy.focusProxy()
    return deepest


def is_tab_stop(test: QWidget, window: QWidget, current: QWidget, forward: bool) -> bool:
    """Qt's test for the next focus widget (QApplicationPrivate::focusNextPrevChild_helper), and on screen."""
    flag = (Qt.FocusPolicy.TabFocus if QGuiApplication.styleHints().tabFocusBehavior()
            == Qt.TabFocusBehavior.TabFocusAllControls else Qt.FocusPolicy.StrongFocus)
    proxy = _deepest_proxy(test)
    taker = proxy if proxy is not None else test
    policy = taker.focusPolicy() if taker.isEnabled() else Qt.FocusPolicy.NoFocus
    if (policy.value & flag.value) != flag.value or proxy is current:
        return False
    if proxy is not None and (proxy.isAncestorOf(test) if forward else test.isAncestorOf(proxy)):
        return False  # (a compound widget: Tab goes in and out of it, not round between it and its part)
    return test.isVisibleTo(window) and test.isEnabled() and not out_of_sight(test)


def next_tab_stop(window: QWidget, forward: bool, start: QWidget | None = None,
                  within: QWidget | None = None) -> QWidget | None:
    """The Tab stop after (``forward``) or before ``start`` (the window's focus widget) in ``window``'s
    focus chain that is on screen (and inside ``within``, when given); None when there is none."""
    current = start or window.focusWidget() or window
    test = current
    for _ in range(CHAIN_LIMIT):
        test = test.nextInFocusChain() if forward else test.previousInFocusChain()
        if test is None or test is current:
            return None
        if (within is None or within.isAncestorOf(test)) and is_tab_stop(test, window, current, forward):
            return test
    return None


class OnScreenTabOrder:
    """A base for a QWidget window (before the Qt class): Tab and Shift+Tab that reach the window (a widget
    that does not use the key itself passes it up) go to the next Tab stop on screen. When there is none,
    Qt chooses (as before the window is laid out)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt's name)
        target = next_tab_stop(self, next)
        if target is None:
            return super().focusNextPrevChild(next)
        target.setFocus(Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
        return True


def _dock_of(widget: QWidget | None) -> QDockWidget | None:
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget


class FocusKeeper(QObject):
    """Moves the window's focus back on screen when its dock goes to a hidden tab or a workspace switch
    leaves it out of sight (``keep_focus_on_screen``)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        QApplication.instance().focusChanged.connect(self._focus_changed)
        workspaces = getattr(window, "workspaces", None)
        if workspaces is not None:
            workspaces.changed.connect(self._settle_later)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        dock = _dock_of(new)
        if dock is not None and not dock.property(FOLLOWED) and dock.window() is self.window:
            dock.setProperty(FOLLOWED, True)  # (its visibility is followed from the first time it has the focus)
            dock.visibilityChanged.connect(self._dock_visibility)

    def _dock_visibility(self, visible: bool) -> None:
        if not visible:
            self._settle_later()

    def _settle_later(self, *_args) -> None:
        QTimer.singleShot(0, self, self.settle)  # once the layout has moved the docks (not after the window)

    def settle(self) -> None:
        """The focus widget out of sight: to the dock shown in its place (the widget last focused there, or
        its first Tab stop), or else to the next Tab stop on screen."""
        window = self.window
        focused = window.focusWidget()
        if focused is None or focused is window or focused.window() is not window \
                or (focused.isVisible() and not out_of_sight(focused)):
            return
        target = None
        dock = _dock_of(focused)
        group = window.tabifiedDockWidgets(dock) if dock is not None and hasattr(window, "tabifiedDockWidgets") else []
        shown = next((d for d in group if d.isVisible() and not out_of_sight(d)), None)
        if shown is not None:
            remembered = shown.focusWidget()
            if remembered is not None and shown.isAncestorOf(remembered) \
                    and is_tab_stop(remembered, window, focused, True):
                target = remembered
            else:
                target = next_tab_stop(window, True, focused, within=shown)
        target = target or next_tab_stop(window, True, focused)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)


def keep_focus_on_screen(window: QWidget) -> FocusKeeper:
    """Follow ``window``'s focus (a main window with ``OnScreenTabOrder``; its workspaces, if any, made)."""
    return FocusKeeper(window)
