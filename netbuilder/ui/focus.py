"""Keyboard focus stays on screen: Tab and Shift+Tab in the main window visit only what the user sees.

Qt does not hide a dock on a hidden tab of a tab group, nor the main window's spare tab bars (kept for
later groups): its layout moves them out of the window, to negative coordinates, and leaves them visible.
Qt's focus chain asks only whether a widget is visible and enabled, so Tab went on into them and the
focus disappeared from the screen (Evaluation under Curves in Train, Summary and Code in Build, seven
Explore views, empty tab bars).

``FocusGuard`` takes those widgets out of the chain, the way Qt itself would if they were hidden: the
contents of a dock on a hidden tab are disabled (out of sight, so nothing of it shows; a part the program
disabled itself stays so when the dock comes back, Qt keeps that apart) and a tab bar out of the window
takes no focus. It looks again, once the layout has moved the docks, whenever a dock is shown, hidden,
moved or its tab changes. It overrides no Qt virtual: an earlier attempt that overrode
``focusNextPrevChild`` ran inside Qt's own focus moves (a focused widget hidden while a model resets) and
crashed the app. The focus on a dock that goes to a hidden tab goes into the dock shown in its place, as
a QTabWidget does with its pages (else on by Qt's own rule: a disabled widget hands it to the next Tab
stop). Qt only.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget, QMainWindow, QTabBar, QWidget

FOLLOWED = "netbuilder_focus_followed"  # a dock's property: the guard follows its signals
GUARDED = "netbuilder_focus_guarded"  # a dock content's property: disabled by the guard (enabled when shown)


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


class FocusGuard(QObject):
    """Keeps the docks on hidden tabs and the spare tab bars of ``window`` out of its Tab order."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._pending = False
        self.shown: dict[QDockWidget, bool] = {}  # what each dock last said (visibilityChanged)
        window.installEventFilter(self)  # (the window's own events only: a relayout, a resize)
        self.settle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize,
                                                       QEvent.Type.Show):
            self.later()
        return False

    def later(self, *_args) -> None:
        """Look again once the layout has moved the docks (one look for a burst of signals)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self.settle)

    def _said(self, dock: QDockWidget, visible: bool) -> None:
        self.shown[dock] = visible
        if visible:
            _give_back(dock.widget())  # now, before it is painted (never greyed on screen); disabling waits
        self.later()

    def settle(self) -> None:
        self._pending = False
        window = self.window
        docks = [d for d in window.findChildren(QDockWidget) if d.parentWidget() is window]
        for dock in docks:
            if not dock.property(FOLLOWED):
                dock.setProperty(FOLLOWED, True)
                # Qt says whether a dock is on its group's current tab only through this signal (a dock
                # on a hidden tab stays visible; its geometry moves later, with the layout)
                dock.visibilityChanged.connect(partial(self._said, dock))
                dock.dockLocationChanged.connect(self.later)
                dock.topLevelChanged.connect(self.later)
        if not window.isVisible():
            return  # (not laid out yet: looked at when shown, as each dock then says whether it is seen)
        for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            seen = bar.isVisible() and bar.count() > 0 and not out_of_sight(bar)
            wanted = Qt.FocusPolicy.TabFocus if seen else Qt.FocusPolicy.NoFocus
            if bar.focusPolicy() != wanted:
                bar.setFocusPolicy(wanted)
        focused = QApplication.focusWidget()
        going = []
        for dock in docks:
            content = dock.widget()
            if content is None or dock.isHidden():
                continue  # (a hidden dock is out of the chain already; looked at again when shown)
            seen = dock.isFloating() or self.shown.get(dock, not out_of_sight(dock))
            if seen:
                _give_back(content)  # (first, so the focus can go there)
            elif content.isEnabledTo(dock):
                going.append(dock)
        for dock in going:
            target = self._successor(dock) if focused is not None and dock.isAncestorOf(focused) else None
            dock.widget().setProperty(GUARDED, True)  # (enabled again when shown)
            dock.widget().setEnabled(False)  # (Qt moves a focus inside on to the next Tab stop)
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _successor(self, dock: QDockWidget) -> QWidget | None:
        """Where the focus goes when ``dock`` goes to a hidden tab: into the dock shown in its place (the
        widget last focused there, or its first Tab stop), as a QTabWidget does with its pages."""
        shown = next((d for d in self.window.tabifiedDockWidgets(dock)
                      if not d.isHidden() and self.shown.get(d) and d.widget() is not None
                      and d.widget().isEnabled()), None)
        if shown is None:
            return None
        remembered = shown.focusWidget()
        if remembered is not None and shown.isAncestorOf(remembered) and _takes_tab(remembered):
            return remembered
        w = shown.nextInFocusChain()
        while w is not None and w is not shown and shown.isAncestorOf(w):
            if _takes_tab(w):
                return w
            w = w.nextInFocusChain()
        return None


def _give_back(content: QWidget | None) -> None:
    """Enable a dock's content the guard disabled (only that: what the program disabled stays so)."""
    if content is not None and content.property(GUARDED):
        content.setProperty(GUARDED, False)
        content.setEnabled(True)


def _takes_tab(widget: QWidget) -> bool:
    return (widget.isVisible() and widget.isEnabled()
            and bool(widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value))
