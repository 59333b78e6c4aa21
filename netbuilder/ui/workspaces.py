"""Workspaces: the window shows one task at a time. Build (palette, inspector, problems, summary,
code), Train (the training panel, curves, evaluation, decision boundary) and Explore (filters,
feature maps and the course's hard parts). The canvas, the central widget, is in all three.

A bar under the menu switches (Ctrl+1/2/3). Each workspace remembers its own dock layout in QSettings
(``workspaces/<name>/state``); the first time, or when the saved one is not a layout of this version (or Qt
cannot read it), it gets a default arrangement sized to the window. A saved layout is never restored into
the hidden window while it is maximised (``Workspaces._restore_state``: Qt keeps a copy then, which crashed
the next switch).
A dock is assigned to its workspace by its title (``WORKSPACE_OF``); an unknown title joins Explore. A dock
named in ``EVERY_WORKSPACE`` (the Lesson panel) belongs to all three: switching keeps it as it was, shown at
the right edge or hidden.
Hidden docks cost nothing: the controllers compute a view only while its dock is shown.

Also here: ``fit_to_screen`` (the window opens inside the available screen geometry, maximised on
small screens). Qt only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QStyle, QTabBar, QToolBar, QToolButton, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

STATE_VERSION = 2  # 1 was the single layout with every view tabbed at the bottom
WORKSPACES = ("Build", "Train", "Explore")
BUILD_DOCKS = ("Palette", "Inspector", "Problems", "Summary", "Code")
TRAIN_DOCKS = ("Training", "Curves", "Evaluation", "Decision boundary")
EXPLORE_DOCKS = ("Feature maps", "Filters", "Inside the network", "Explain", "Adversarial", "Augmentation",
                 "Overfitting lab", "Transfer")
WORKSPACE_OF = {**dict.fromkeys(BUILD_DOCKS, "Build"), **dict.fromkeys(TRAIN_DOCKS, "Train"),
                **dict.fromkeys(EXPLORE_DOCKS, "Explore")}
EVERY_WORKSPACE = ("Lesson",)  # shown or hidden across the switches, at the right edge
WORKSPACE_OF.update(dict.fromkeys(EVERY_WORKSPACE, "every"))
EVERY_WIDTH = 340
FIRST_TAB = {"Build": "Problems", "Train": "Curves", "Explore": "Feature maps"}
SMALL_SCREEN = (1366, 768)  # up to this size the window opens maximised
WIDE_TRAIN = 1150  # from this width the Train views take the whole right side
TRAINING_LEAST = 110  # px: narrow Train's Training panel (it scrolls) gives the curves above it all but this

Area = Qt.DockWidgetArea
Corner = Qt.Corner


def fit_to_screen(window: QMainWindow, available: QRect | None = None) -> None:
    """Open ``window`` inside the available screen geometry: maximised on screens up to 1366×768,
    otherwise at most 1400×900, centred."""
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
    small = available.width() <= SMALL_SCREEN[0] and available.height() <= SMALL_SCREEN[1]
    width = available.width() if small else min(1400, int(available.width() * 0.9))
    height = available.height() if small else min(900, int(available.height() * 0.9))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    window.setGeometry(rect)
    if small:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def inside_screen(window: QMainWindow, available: QRect | None = None) -> bool:
    """True when the window's frame lies inside the available screen geometry."""
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
    return available.contains(window.frameGeometry())


def valid_state(state: object) -> bool:
    """True when ``state`` is a layout QMainWindow.saveState wrote with this ``STATE_VERSION`` (its header:
    the marker 0xff and the version, as 32-bit big-endian integers) with something after it. Anything
    else (an older version, a settings value of another type, a truncated one) is arranged afresh."""
    if not isinstance(state, QByteArray) or state.size() <= 8:
        return False
    head = bytes(state.left(8).data())
    return int.from_bytes(head[:4], "big") == 0xFF and int.from_bytes(head[4:], "big") == STATE_VERSION


class _FirstShow(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)  # after the show has been handled (and painted)
            self.deleteLater()
        return False


def when_first_shown(widget: QWidget, then: Callable[[], object]) -> None:
    """Call ``then`` once ``widget`` has been shown for the first time (on the next event-loop turn;
    at once-ish when it is already visible): work the window does not need to appear waits for it."""
    if widget.isVisible():
        QTimer.singleShot(0, then)
    else:
        _FirstShow(widget, then)


class Workspaces(QObject):
    """The workspace bar and the per-workspace dock layouts of one main window."""

    switching = Signal(str)  # about to show another workspace (the layout is still the old one)
    changed = Signal(str)

    def __init__(self, window: QMainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self.current = ""
        self._switching = False
        self._unsized = False  # a default layout was arranged before the window was shown
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for i, name in enumerate(WORKSPACES, 1):
            action = QAction(f"&{name}", window)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{i}"))
            action.setToolTip(f"{name} workspace (Ctrl+{i})")
            action.setStatusTip(f"Show the {name} workspace's panels")
            action.triggered.connect(lambda _checked=False, n=name: self.switch(n))
            self.group.addAction(action)
            self.actions[name] = action
        self.reset_action = QAction("&Reset Workspace Layout", window)
        self.reset_action.setStatusTip("Put this workspace's panels back where they start")
        self.reset_action.triggered.connect(self.reset)
        self.bar = self._build_bar()
        window.installEventFilter(self)  # a resized window keeps its docks' shares (eventFilter)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.keep_shares(event.oldSize(), event.size())
        return False

    def keep_shares(self, old: QSize, new: QSize) -> None:
        """The window went from ``old`` to ``new``: every docked panel keeps its share of the width (side
        panels) or height (bottom panels), as a splitter with stretch does, instead of Qt's way of
        giving all the change to the canvas (which a smaller window squeezed to nothing while the
        Training panel was cut at its edge). Train has two layouts, for a wide and a narrow window: across
        ``WIDE_TRAIN`` the window takes the other one, sized afresh. Before the default layout is sized,
        nothing moves."""
        w = self.window
        if not w.isVisible() or self._unsized or old.width() <= 0 or old.height() <= 0:
            return
        if self.current == "Train" and (old.width() >= WIDE_TRAIN) != (new.width() >= WIDE_TRAIN):
            self._set_corners("Train")
            self.size_docks("Train")
            return
        for orientation, ratio, areas in (
                (Qt.Orientation.Horizontal, new.width() / old.width(), (Area.LeftDockWidgetArea, Area.RightDockWidgetArea)),
                (Qt.Orientation.Vertical, new.height() / old.height(), (Area.TopDockWidgetArea, Area.BottomDockWidgetArea))):
            if abs(ratio - 1) < 0.01:
                continue
            horizontal = orientation == Qt.Orientation.Horizontal
            sizes = []
            for dock in self.docks().values():  # (of a tab group, only the tab on top has a visible region)
                if (dock.isHidden() or dock.isFloating() or w.dockWidgetArea(dock) not in areas
                        or dock.visibleRegion().isEmpty()):
                    continue
                scaled = round((dock.width() if horizontal else dock.height()) * ratio)
                # never below what its view needs (the Training panel's form), while that is at most half
                needs = self.needs(dock.windowTitle())
                if needs is not None:
                    half = (new.width() if horizontal else new.height()) // 2
                    scaled = max(scaled, min(needs.width() if horizontal else needs.height(), half))
                if not horizontal and dock.windowTitle() == "Training" and self.current == "Train":
                    scaled = self._leave_curves(scaled, new)
                sizes.append((dock, scaled))
            if sizes:
                w.resizeDocks([d for d, _ in sizes], [max(1, n) for _, n in sizes], orientation)

    def mark_none(self, none: bool) -> None:
        """No workspace button checked (``none``: the start page covers the workspaces, and a highlighted
        "Train" said the student was in one), or the current one checked again."""
        self.group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional if none
                                      else QActionGroup.ExclusionPolicy.Exclusive)
        for name, action in self.actions.items():
            action.setChecked(not none and name == self.current)

    def _build_bar(self) -> QToolBar:
        bar = QToolBar("Workspaces", self.window)
        bar.setObjectName("workspace_bar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setStyleSheet("QToolButton{padding:3px 12px;font-weight:600;}"
                          "QToolButton:checked{background:palette(highlight);color:palette(highlighted-text);"
                          "border-radius:4px;}")
        for action in self.actions.values():
            bar.addAction(action)
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setObjectName(f"workspace_{action.text().strip('&').lower()}")
        return bar

    # ----- docks -------------------------------------------------------------------------------------
    def docks(self) -> dict[str, QDockWidget]:
        return dict(getattr(self.window, "docks", {}))

    def docks_of(self, name: str) -> list[QDockWidget]:
        return [d for t, d in self.docks().items()
                if t in EVERY_WORKSPACE or WORKSPACE_OF.get(t, "Explore") == name]

    def workspace_of(self, title: str) -> str:
        return WORKSPACE_OF.get(title, "Explore")

    # ----- switching -----------------------------------------------------------------------------------
    def switch(self, name: str) -> None:
        """Show workspace ``name``: remember the current one's layout, restore ``name``'s."""
        if name not in WORKSPACES:
            raise ValueError(f"no workspace {name!r}")
        self.actions[name].setChecked(True)
        if name == self.current:
            return
        if self._switching:  # asked from inside a switch (a signal while docks show): after it, not within
            QTimer.singleShot(0, lambda: self.switch(name))
            return
        self._switching = True
        try:
            self._switch(name)
        finally:
            self._switching = False

    def _switch(self, name: str) -> None:
        self.switching.emit(name)
        kept = {t: (not d.isHidden(), d.width()) for t, d in self.docks().items() if t in EVERY_WORKSPACE}
        if self.current:
            self.save()
        self.current = name
        self._set_corners(name)
        if not self._restore_state(self.settings.value(f"workspaces/{name}/state")):
            self.arrange(name)
        self._set_corners(name)
        for title, (shown, width) in kept.items():
            self.keep_every(title, shown, width)
        self._drop_stale_tab_bars()
        QTimer.singleShot(0, self._drop_stale_tab_bars)
        self.settings.setValue("workspaces/current", name)
        self.changed.emit(name)

    def _restore_state(self, state: object) -> bool:
        """Restore a saved layout; False (nothing changed) when there is none or it is not one of ours.

        Never into a hidden window that is maximized or full screen (as the window is while it is built on
        a small screen, or when it was closed maximized): Qt 6 then keeps a shallow copy of the restored
        layout (``QMainWindowLayout::restoredState``) to apply again at each relayout "until it fits", and
        that copy shares the layout items the next restoreState deletes: the next workspace switch
        re-applied freed items and crashed (SIGSEGV in QLayout::activate). So such a window is restored
        in its normal state, at once (nothing is laid out while it is hidden), and then maximized again."""
        if not valid_state(state):
            return False
        w = self.window
        deferring = Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen
        held = w.windowState() & deferring if not w.isVisible() else Qt.WindowState.WindowNoState
        if held:
            w.setWindowState(w.windowState() & ~deferring)
        try:
            return w.restoreState(state, STATE_VERSION)
        finally:
            if held:
                w.setWindowState(w.windowState() | held)

    def keep_every(self, title: str, shown: bool, width: int = 0) -> None:
        """Show a dock of every workspace at the right edge, full height beside the workspace's own docks (in
        Train, under the curves, so the Training panel stays whole), or hide it. Floated, it stays so."""
        dock = self.docks().get(title)
        if dock is None:
            return
        if not shown:
            dock.hide()
            return
        if dock.isFloating() and not dock.isHidden():
            return
        dock.setFloating(False)
        w, curves = self.window, self.docks().get("Curves")
        if (self.current == "Train" and curves is not None and not curves.isHidden()
                and w.dockWidgetArea(curves) == Area.RightDockWidgetArea):
            w.addDockWidget(Area.RightDockWidgetArea, dock, Qt.Orientation.Vertical)  # a row under them
            dock.show()
            w.resizeDocks([dock], [max(w.height() // 2, 300)], Qt.Orientation.Vertical)
            return
        w.setCorner(Corner.BottomRightCorner, Area.RightDockWidgetArea)  # full height
        w.addDockWidget(Area.RightDockWidgetArea, dock, Qt.Orientation.Horizontal)
        dock.show()
        width = width if 200 <= width <= w.width() * 0.35 else EVERY_WIDTH  # (Train's is wider)
        w.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def show_dock(self, title: str) -> None:
        """Switch to the dock's workspace and bring the dock forward."""
        if title in EVERY_WORKSPACE:
            if self.docks()[title].isHidden():
                self.keep_every(title, True)
            self.docks()[title].raise_()
            return
        self.switch(self.workspace_of(title))
        dock = self.docks()[title]
        dock.show()
        dock.raise_()

    def save(self) -> None:
        if self.current:
            self.settings.setValue(f"workspaces/{self.current}/state", self.window.saveState(STATE_VERSION))
            self.settings.setValue("workspaces/current", self.current)

    def restore(self) -> None:
        """Open the workspace the window was closed in (Build the first time)."""
        name = str(self.settings.value("workspaces/current", "Build"))
        self.current = ""
        self.switch(name if name in WORKSPACES else "Build")

    def reset(self) -> None:
        self.settings.remove(f"workspaces/{self.current}/state")
        self.arrange(self.current)

    # ----- default arrangements ------------------------------------------------------------------------
    def _set_corners(self, name: str) -> None:
        w = self.window
        side_full_height = name == "Build" or (name == "Train" and w.width() >= WIDE_TRAIN)
        left = Area.LeftDockWidgetArea if side_full_height else Area.BottomDockWidgetArea
        right = Area.RightDockWidgetArea if side_full_height else Area.BottomDockWidgetArea
        w.setCorner(Corner.BottomLeftCorner, left)
        w.setCorner(Corner.BottomRightCorner, right)
        w.setCorner(Corner.TopLeftCorner, Area.LeftDockWidgetArea)
        w.setCorner(Corner.TopRightCorner, Area.RightDockWidgetArea)

    def _drop_stale_tab_bars(self) -> None:
        """Qt (6.x) can leave the tab bar of a tab group that lost its docks on screen, drawn over the
        docks (stray "Problems | Summary" tabs under the Training panel). A tab bar in use lies along
        the edge of a shown dock it names; hide the others."""
        self.window.layout().activate()
        shown = {d.windowTitle(): d.geometry() for d in self.docks().values() if not d.isHidden()}
        for bar in self.window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isHidden():
                continue
            g = bar.geometry()
            used = any(
                (r := shown.get(bar.tabText(i))) is not None and abs(g.left() - r.left()) <= 2
                and abs(g.width() - r.width()) <= 2 and min(abs(g.top() - r.bottom()), abs(g.bottom() - r.top())) <= 6
                for i in range(bar.count()))
            if not used:
                bar.hide()

    def _group(self, area: Area, titles: tuple[str, ...]) -> list[QDockWidget]:
        """Put the docks named ``titles`` (those that exist) in ``area`` as one tab group, shown."""
        docks = self.docks()
        group = [docks[t] for t in titles if t in docks]
        for i, dock in enumerate(group):
            dock.setFloating(False)
            self.window.addDockWidget(area, dock)
            if i:
                self.window.tabifyDockWidget(group[0], dock)
            dock.show()
        return group

    def arrange(self, name: str) -> None:
        """The default layout of workspace ``name``, sized to the window as it is now."""
        mine = set(t for t in self.docks() if self.workspace_of(t) == name and t not in EVERY_WORKSPACE)
        for title, dock in self.docks().items():
            if title not in mine and title not in EVERY_WORKSPACE:
                dock.hide()
        self._set_corners(name)
        if name == "Build":
            self._group(Area.LeftDockWidgetArea, ("Palette",))
            self._group(Area.RightDockWidgetArea, ("Inspector",))
            self._group(Area.BottomDockWidgetArea, ("Problems", "Summary", "Code"))
        elif name == "Train":
            self._group(Area.BottomDockWidgetArea, ("Training",))
            self._group(Area.RightDockWidgetArea, ("Curves", "Evaluation", "Decision boundary"))
        else:
            self._group(Area.BottomDockWidgetArea,
                        EXPLORE_DOCKS + tuple(t for t in self.docks() if t in mine and t not in EXPLORE_DOCKS))
        first = self.docks().get(FIRST_TAB[name])
        if first is not None:
            first.raise_()
        self.size_docks(name)

    def size_docks(self, name: str) -> None:
        """Give the default layout's docks their shares of the window (again once it is shown: the
        sizes asked for before that do not hold)."""
        w, docks = self.window, self.docks()
        self._unsized = not w.isVisible()
        width, height = max(w.width(), 800), max(w.height(), 500)

        def resize(title: str, size: int, orientation: Qt.Orientation) -> None:
            if title in docks and not docks[title].isHidden():
                w.resizeDocks([docks[title]], [size], orientation)

        if name == "Build":
            resize("Palette", min(200, width // 6), Qt.Orientation.Horizontal)
            resize("Inspector", min(320, width // 4), Qt.Orientation.Horizontal)
            resize("Problems", max(150, height // 4), Qt.Orientation.Vertical)
        elif name == "Train":
            panel = self.needs("Training")
            if panel is not None:
                share = 0.5 if width >= WIDE_TRAIN else 0.42  # narrow: the curves share the height
                training = self._leave_curves(min(panel.height(), int(height * share)), w.size())
                resize("Training", training, Qt.Orientation.Vertical)
            curves = self.needs("Curves")
            if curves is not None:
                beside = panel.width() + 12 if panel is not None and width >= WIDE_TRAIN else 0
                # narrow: the curves are low (one row of three plots, under LOW_VIEW): they get the wider part
                part = 0.48 if width >= WIDE_TRAIN else 0.6
                share = max(curves.width(), min(int(width * part), width - beside))
                resize("Curves", share, Qt.Orientation.Horizontal)
        else:
            resize(EXPLORE_DOCKS[0], int(height * 0.5), Qt.Orientation.Vertical)

    def _leave_curves(self, training: int, size: QSize) -> int:
        """The Training panel's height in narrow Train (under the canvas and the curves, the whole width) in a
        window of ``size``: ``training``, or less, so that the curves above it keep the height their plots
        need to be read (``needs``; a low window, 853×480 at 150 %, left them a legend and clipped titles),
        but not under ``TRAINING_LEAST``: the panel scrolls. Wide Train (curves full height) keeps it."""
        w = self.window
        curves, central = self.needs("Curves"), w.centralWidget()
        if size.width() >= WIDE_TRAIN or curves is None or central is None or not w.isVisible():
            return training
        # the canvas and the docks share the window less the menu and tool bars (above the canvas) and the
        # status bar; the curves' tab bar and two separators come off too
        room = size.height() - central.y() - w.statusBar().height()
        separator = w.style().pixelMetric(QStyle.PixelMetric.PM_DockWidgetSeparatorExtent)
        extras = w.fontMetrics().height() + 14 + 2 * separator
        return max(min(training, room - curves.height() - extras), min(training, TRAINING_LEAST))

    def needs(self, title: str) -> QSize | None:
        """The room the dock ``title`` needs to show its view without scrolling sideways (None: no such
        dock). Its width counts a vertical scroll bar: a view that grows taller than its dock (the
        Training panel under a message) scrolls up and down, and must not then lose the bar's width and
        scroll sideways too."""
        dock = self.docks().get(title)
        if dock is None:
            return None
        view = getattr(dock.widget(), "view", dock.widget())
        chrome = dock.minimumSizeHint() - dock.widget().minimumSizeHint()  # the title bar and margins
        bar = dock.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) if view is not dock.widget() else 0
        hint = view.minimumSizeHint()
        holder = view.parentWidget()  # (a ViewSlot's ViewHolder: a view of plots counts them readable)
        hint.setHeight(max(hint.height(), getattr(holder, "min_height", 0)))
        return hint + QSize(max(chrome.width(), 0) + bar, max(chrome.height(), 0))

    def window_shown(self) -> None:
        """The window is on screen: size the default layout arranged before it was."""
        if self._unsized and self.current:
            self.size_docks(self.current)
            self._drop_stale_tab_bars()
