"""The start page shown when the window opens without a file: the ready example, a new design,
recent designs, lessons (when there are any) and the preset gallery as pictures.

``StartPage`` only emits what was chosen; ``install_start_page(window)`` lays it over the window's
working area (``StartSwitch``) and opens the choice through the window's public methods. Lessons come
from a callable (``available_lessons``: the bundled course, each lesson with its time and this user's
progress, drawn under its wrapped title by ``LessonDelegate``); the section is hidden while it is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QActionGroup, QFont, QFontMetrics, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.ui.presets_dialog import PresetGrid

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow

SIDE_WIDTH = 280
EXAMPLE_PICTURE = QSize(248, 120)
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2  # a lesson's time and progress ("15 min · 2 of 4 steps")


@dataclass(frozen=True)
class LessonEntry:
    """A lesson as the start page lists it; ``key`` is what ``lesson_chosen`` carries."""

    key: str
    title: str
    summary: str = ""


def available_lessons(settings=None) -> list[LessonEntry]:
    """The bundled lessons, in the course's order, each with its progress for this user."""
    from netbuilder.ui.lessons import lesson_progress

    try:
        from netbuilder.lessons import load_lessons

        lessons = load_lessons()
    except Exception:  # noqa: BLE001  (a broken lessons folder: the page lists none, the window still opens)
        return []
    progress = lesson_progress(settings, lessons)  # the files are read once
    out = []
    for lesson in lessons:
        done, total = progress.get(lesson.id, (0, len(lesson.steps)))
        state = "done" if total and done >= total else (f"{done} of {total} steps" if done else f"{total} steps")
        out.append(LessonEntry(lesson.id, lesson.title, f"{lesson.minutes} min · {state}"))
    return out


def _heading(text: str, parent: QWidget, size: float = 1.25) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * size)
    font.setBold(True)
    label.setFont(font)
    return label


class ChoiceList(QListWidget):
    """A list whose enabled items are chosen by one click or Enter: ``chosen(key)`` once each time."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemClicked.connect(self._choose)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self._choose(self.currentItem())
            return
        super().keyPressEvent(event)

    def keys(self) -> list[str]:
        return [self.item(i).data(PATH_ROLE) for i in range(self.count())]

    def _choose(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.chosen.emit(item.data(PATH_ROLE))


def _fit_height(view: QListWidget) -> None:
    """A list no taller than its rows (it scrolls past eight)."""
    rows = min(max(1, view.count()), 8)
    row = view.sizeHintForRow(0) if view.count() else view.fontMetrics().height()
    view.setMaximumHeight(rows * row + 2 * view.frameWidth() + 4)


class LessonDelegate(QStyledItemDelegate):
    """A lesson as a row: its title wrapped to the column's width, then its time and progress, smaller
    and dimmer (``SUMMARY_ROLE``)."""

    PAD = 4

    def _fonts(self, option) -> tuple[QFont, QFont]:
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.85)
        return option.font, small

    def _text_width(self, option) -> int:
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListWidget) else option.rect.width()
        return max(40, width - 2 * self.PAD)

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        title_font, small = self._fonts(option)
        width = self._text_width(option)
        title = QFontMetrics(title_font).boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap,
                                                      str(index.data()))
        summary = QFontMetrics(small).height() if index.data(SUMMARY_ROLE) else 0
        return QSize(width + 2 * self.PAD, title.height() + summary + 2 * self.PAD)

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the panel (selection, hover) by the style; the two texts by hand
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        title_font, small = self._fonts(option)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        painter.save()
        painter.setFont(title_font)
        painter.setPen(option.palette.color(text_role))
        done = painter.boundingRect(rect, Qt.TextFlag.TextWordWrap, str(index.data()))
        painter.drawText(rect, Qt.TextFlag.TextWordWrap, str(index.data()))
        summary = index.data(SUMMARY_ROLE)
        if summary:
            painter.setFont(small)
            dim = option.palette.color(text_role if selected else QPalette.ColorRole.PlaceholderText)
            painter.setPen(dim)
            painter.drawText(rect.adjusted(0, done.height(), 0, 0), Qt.AlignmentFlag.AlignLeft, str(summary))
        painter.restore()


class LessonList(ChoiceList):
    """The lessons, every one shown (the page's column scrolls, never this list: one scroll bar, and no
    title cut at the column's edge), each drawn by ``LessonDelegate``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(LessonDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fitted_width = -1

    def fit_rows(self) -> None:
        """As tall as all its rows at its width now."""
        self._fitted_width = self.viewport().width()
        self.doItemsLayout()
        rows = sum(self.sizeHintForRow(i) for i in range(self.count()))
        self.setFixedHeight(max(rows, self.fontMetrics().height()) + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.viewport().width() != self._fitted_width:  # rows wrap anew at a new width
            self.fit_rows()


class StartPage(QWidget):
    """What to open first; emits the choice and changes nothing itself. Tab and Shift+Tab go round its
    own fields only, while its switch shows it (the window's panels are underneath)."""

    example_chosen = Signal()
    new_chosen = Signal()
    open_chosen = Signal()
    preset_chosen = Signal(str)
    recent_chosen = Signal(str)
    lesson_chosen = Signal(str)

    def __init__(self, recent: Callable[[], Sequence[str]] = list,
                 lessons: Callable[[], Sequence[object]] = available_lessons,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        self.recent_source, self.lesson_source = recent, lessons
        self.switch: StartSwitch | None = None  # set by install_start_page
        side = QWidget(self)
        column = QVBoxLayout(side)
        column.setContentsMargins(4, 4, 10, 4)
        column.addWidget(_heading("Welcome to netbuilder", side, 1.5))
        intro = QLabel("Build a neural network from blocks, train it and look inside.", side)
        intro.setWordWrap(True)
        column.addWidget(intro)
        self.example_button = QToolButton(side)
        self.example_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.example_button.setText("Open the example: a small CNN\nfor the 8×8 handwritten digits")
        self.example_button.setToolTip("Ready to train: press Train (F5) once it is open")
        self.example_button.setIconSize(EXAMPLE_PICTURE)
        self.example_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.example_button.clicked.connect(self.example_chosen)
        column.addWidget(self.example_button)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("New design", side)
        self.new_button.clicked.connect(self.new_chosen)
        self.open_button = QPushButton("Open a file…", side)
        self.open_button.clicked.connect(self.open_chosen)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        column.addLayout(buttons)
        column.addWidget(_heading("Recent designs", side))
        self.recent_list = ChoiceList(side)
        self.recent_list.chosen.connect(self.recent_chosen)
        self.no_recent = QLabel("Designs you save or open will be listed here.", side)
        self.no_recent.setWordWrap(True)
        column.addWidget(self.recent_list)
        column.addWidget(self.no_recent)
        self.lessons_heading = _heading("Lessons", side)
        self.lesson_list = LessonList(side)
        self.lesson_list.chosen.connect(self.lesson_chosen)
        column.addWidget(self.lessons_heading)
        column.addWidget(self.lesson_list)
        column.addStretch(1)
        self.side = QScrollArea(self)
        self.side.setWidget(side)
        self.side.setWidgetResizable(True)
        self.side.setFrameShape(QFrame.Shape.NoFrame)
        self.side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side.setFixedWidth(SIDE_WIDTH)
        gallery = QVBoxLayout()
        gallery.addWidget(_heading("Start from a famous architecture", self))
        hint = QLabel("Click a card to open it; each picture is the design with its blocks collapsed.", self)
        hint.setWordWrap(True)
        gallery.addWidget(hint)
        self.presets = PresetGrid(self, choose_on_click=True)
        self.presets.chosen.connect(self.preset_chosen)
        gallery.addWidget(self.presets, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.side)
        layout.addLayout(gallery, 1)
        self.refresh()

    def focus_chain(self) -> list[QWidget]:
        """The page's fields that Tab stops at, in the window's focus order."""
        out: list[QWidget] = []
        w = self.nextInFocusChain()
        while w is not self and w not in out:
            if self.isAncestorOf(w) and w.isVisibleTo(self) and w.isEnabled() \
                    and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None:
                out.append(w)
            w = w.nextInFocusChain()
        return out

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        if self.switch is None or not self.switch.showing_start:
            return super().focusNextPrevChild(forward)
        chain = self.focus_chain()
        if not chain:
            return False
        current = QApplication.focusWidget()
        while current is not None and current not in chain and current is not self:
            current = current.parentWidget()  # (a field's inner part: the field)
        at = chain.index(current) if current in chain else (-1 if forward else 0)
        chain[(at + (1 if forward else -1)) % len(chain)].setFocus(
            Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        return True

    def refresh(self) -> None:
        """Read the recent designs and the lessons again, and draw the example's picture."""
        self.recent_list.clear()
        for path in self.recent_source():
            p = Path(path)
            item = QListWidgetItem(f"{p.name}\n{p.parent}", self.recent_list)
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            if not p.exists():
                item.setText(f"{p.name} (not found)\n{p.parent}")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        has_recent = self.recent_list.count() > 0
        self.recent_list.setVisible(has_recent)
        self.no_recent.setVisible(not has_recent)
        _fit_height(self.recent_list)
        self.lesson_list.clear()
        for lesson in self.lesson_source():  # a LessonEntry, or any object with id (or key) and title
            tip = lesson.summary if isinstance(lesson, LessonEntry) else str(getattr(lesson, "text", ""))
            item = QListWidgetItem(lesson.title, self.lesson_list)
            item.setData(PATH_ROLE, getattr(lesson, "key", None) or lesson.id)
            item.setData(SUMMARY_ROLE, tip)
            item.setToolTip(f"{lesson.title}: {tip}" if tip else lesson.title)
        has_lessons = self.lesson_list.count() > 0
        self.lesson_list.fit_rows()
        self.lessons_heading.setVisible(has_lessons)
        self.lesson_list.setVisible(has_lessons)
        self._draw_example()

    def recent_paths(self) -> list[str]:
        return self.recent_list.keys()

    def lesson_keys(self) -> list[str]:
        return self.lesson_list.keys()

    def _draw_example(self) -> None:
        from netbuilder.ui.app import default_example
        from netbuilder.ui.thumbnails import design_thumbnail

        ratio = self.devicePixelRatioF()
        image = design_thumbnail(default_example(), EXAMPLE_PICTURE * ratio)
        image.setDevicePixelRatio(ratio)
        self.example_picture = image
        self.example_button.setIcon(QIcon(QPixmap.fromImage(image)))


class StartSwitch(QObject):
    """Lays the start page over the window's working area (the canvas and the docks, between the
    toolbars and the status bar) and takes it away once a design is opened, any way: the page, the
    menus, a dropped file; or when the user switches workspace. The window's layout is never touched,
    so its docks, workspaces and minimum size stay as they are.

    While it shows, what it covers is out of reach of the keyboard too: the canvas and the docks are
    disabled (out of the Tab chain, their keys dead) and so are the actions that edit or look at the
    design (``COVERED_ACTIONS``, as one QActionGroup: an action the design disables, Undo with nothing
    to undo, stays disabled after)."""

    COVERED_ACTIONS = ("undo", "redo", "cut", "copy", "paste", "duplicate", "delete", "select_all",
                       "zoom_in", "zoom_out", "fit", "layout", "direction", "group", "ungroup", "collapse",
                       "connect_input", "find_layer", "select_up", "select_down", "select_left", "select_right")

    def __init__(self, window: MainWindow, page: StartPage) -> None:
        super().__init__(window)
        self.window, self.page = window, page
        page.setParent(window)
        page.setAutoFillBackground(True)
        page.hide()
        self.covered = QActionGroup(self)
        self.covered.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        actions = getattr(window, "actions_", {})
        freeze = getattr(getattr(window, "explore", None), "freeze_action", None)
        for action in [actions[k] for k in self.COVERED_ACTIONS if k in actions] + ([freeze] if freeze else []):
            if action.actionGroup() is None:
                self.covered.addAction(action)
        self._disabled: list[QWidget] = []
        window.document.design_replaced.connect(self.show_canvas)
        window.files.recent_changed.connect(lambda _paths: page.refresh() if self.showing_start else None)
        if (workspaces := getattr(window, "workspaces", None)) is not None and hasattr(workspaces, "changed"):
            workspaces.changed.connect(lambda _name: self.show_canvas())
            for action in getattr(workspaces, "actions", {}).values():  # (the current one too: no change)
                action.triggered.connect(lambda _checked=False: self.show_canvas())
        window.installEventFilter(self)

    @property
    def showing_start(self) -> bool:
        return not self.page.isHidden()

    def working_area(self) -> QRect:
        """The window less its menu bar, toolbars and status bar: where the canvas and docks are."""
        w = self.window
        top, bottom, left, right = 0, w.height(), 0, w.width()
        if (menu := w.menuWidget()) is not None and menu.isVisible():
            top = menu.geometry().bottom() + 1
        for bar in w.findChildren(QToolBar):
            if bar.parent() is not w or not bar.isVisible() or bar.isFloating():
                continue
            g, area = bar.geometry(), w.toolBarArea(bar)
            if area == Qt.ToolBarArea.TopToolBarArea:
                top = max(top, g.bottom() + 1)
            elif area == Qt.ToolBarArea.BottomToolBarArea:
                bottom = min(bottom, g.top())
            elif area == Qt.ToolBarArea.LeftToolBarArea:
                left = max(left, g.right() + 1)
            elif area == Qt.ToolBarArea.RightToolBarArea:
                right = min(right, g.left())
        if (status := w.statusBar()) is not None and status.isVisible():
            bottom = min(bottom, status.geometry().top())
        return QRect(left, top, max(0, right - left), max(0, bottom - top))

    def place(self) -> None:
        """Cover the working area (after the window resized or its bars changed)."""
        if self.showing_start:
            self.page.setGeometry(self.working_area())
            self.page.raise_()

    def show_start(self, refresh: bool = True) -> None:
        """Show the page (``refresh``: read the recent designs and lessons again first)."""
        if refresh:
            self.page.refresh()
        self.page.show()
        self.place()
        self._cover(True)
        self.page.presets.setFocus()

    def show_canvas(self) -> None:
        was_shown = self.showing_start
        self.page.hide()
        self._cover(False)
        view = getattr(self.window, "view", None)
        if was_shown and view is not None and self.window.isVisible():
            view.setFocus(Qt.FocusReason.OtherFocusReason)  # (the keyboard lands on the design)

    def covered_widgets(self) -> list[QWidget]:
        """What the page lies over: the canvas (the central widget) and the docks."""
        w = self.window
        docks = w.findChildren(QDockWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return [x for x in [w.centralWidget(), *docks] if x is not None]

    def _cover(self, on: bool) -> None:
        """Disable what the page covers (each widget that was enabled), or enable it again; no workspace
        is marked current while the page shows."""
        self.covered.setEnabled(not on)
        if (workspaces := getattr(self.window, "workspaces", None)) is not None and hasattr(workspaces, "mark_none"):
            workspaces.mark_none(on)
        if on:
            new = [x for x in self.covered_widgets() if x.isEnabled() and x not in self._disabled]
            for x in new:
                x.setEnabled(False)
            self._disabled += new
        else:
            for x in self._disabled:
                x.setEnabled(True)
            self._disabled = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest,
                                                        QEvent.Type.Show):
            self.place()
        return False


def install_start_page(window: MainWindow) -> StartPage:
    """Show a start page on ``window`` (a MainWindow) until a design is chosen; returns the page
    (``page.switch`` shows it again with ``show_start()``)."""
    page = StartPage(recent=window.files.recent_files, lessons=lambda: available_lessons(window.settings))
    page.switch = StartSwitch(window, page)

    def open_preset(name: str) -> None:
        from netbuilder.presets import build_preset

        if window.files.maybe_save():
            window.set_design(build_preset(name))

    def open_example() -> None:
        from netbuilder.ui.app import default_example

        if window.files.maybe_save():
            window.set_design(default_example())

    page.example_chosen.connect(open_example)
    page.preset_chosen.connect(open_preset)
    page.recent_chosen.connect(window.files.open_path)
    page.new_chosen.connect(window.new_design)
    page.open_chosen.connect(window.files.open_dialog)
    if (lessons := getattr(window, "lessons", None)) is not None:
        def open_lesson(key: str) -> None:
            if lessons.open_lesson(key):
                page.switch.show_canvas()
        page.lesson_chosen.connect(open_lesson)
    if (menu := getattr(window, "menus", {}).get("file")) is not None:
        menu.addAction("S&tart Page", lambda: page.switch.show_start())
    page.switch.show_start(refresh=False)  # the page has just read them
    return page
