"""The start page: the example, every preset as a picture, recent designs from QSettings, lessons
only when there are some; a choice opens in the window; it fits 1024×640 without widening it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt

from netbuilder.presets import build_preset, list_presets

pytestmark = pytest.mark.gui


@pytest.fixture
def fresh_pictures(monkeypatch):
    """An empty picture cache for this test (the application keeps one for its lifetime)."""
    from netbuilder.ui import thumbnails

    monkeypatch.setattr(thumbnails, "_PICTURES", None)
    yield
    monkeypatch.setattr(thumbnails, "_PICTURES", None)


def _saved(tmp_path, name: str) -> str:
    from netbuilder.io import save_design

    path = tmp_path / name
    save_design(build_preset("mlp"), path)
    return str(path.resolve())


def test_the_page_lists_the_example_presets_and_recent_designs(window, tmp_path):
    from netbuilder.ui.start_page import install_start_page
    from netbuilder.ui.thumbnails import drawn_fraction

    mine = _saved(tmp_path, "mine.nbd")
    window.files.add_recent(tmp_path / "gone.nbd")
    window.files.add_recent(mine)
    page = install_start_page(window)
    assert window.settings.value("recent_files")[0] == mine  # what the page read is what QSettings holds
    assert page.recent_paths() == window.files.recent_files()
    assert page.recent_paths()[0] == mine and page.recent_list.isVisibleTo(page)
    gone = page.recent_list.item(1)
    assert "not found" in gone.text() and not gone.flags() & Qt.ItemFlag.ItemIsEnabled
    assert drawn_fraction(page.example_picture) > 0.05
    assert "example" in page.example_button.text()
    assert page.presets.names() == [info.name for info in list_presets()]
    assert page.lesson_keys()[:2] == ["neuron", "softmax_loss"] and len(page.lesson_keys()) >= 12  # the course's


def test_without_recent_designs_the_page_says_so(qtbot):
    from netbuilder.ui.start_page import StartPage

    page = StartPage(recent=list)
    qtbot.addWidget(page)
    assert page.recent_list.isHidden() and not page.no_recent.isHidden()


def test_lessons_are_listed_when_there_are_some(qtbot):
    from netbuilder.ui.start_page import LessonEntry, StartPage, available_lessons

    bundled = available_lessons()
    assert len(bundled) >= 12 and all("min" in e.summary for e in bundled)  # with time and progress
    empty = StartPage(lessons=lambda: [])
    qtbot.addWidget(empty)
    assert empty.lesson_list.isHidden() and empty.lessons_heading.isHidden()  # none: the section hides
    page = StartPage(lessons=lambda: [LessonEntry("neuron", "Your first neuron", "one weight at a time")])
    qtbot.addWidget(page)
    assert page.lesson_keys() == ["neuron"] and not page.lesson_list.isHidden()
    with qtbot.waitSignal(page.lesson_chosen) as blocker:
        page.lesson_list.itemClicked.emit(page.lesson_list.item(0))
    assert blocker.args == ["neuron"]


def test_every_preset_has_a_picture_with_its_blocks_collapsed(qapp):
    from netbuilder.ui.thumbnails import (
        PICTURE_H,
        collapsed_copy,
        drawn_fraction,
        picture_key,
        preset_pictures,
    )

    cache = preset_pictures()
    for info in list_presets():
        image = cache.image(picture_key(info.name, 240))
        assert image.size() == QSize(240, PICTURE_H) and drawn_fraction(image) > 0.05, info.name
    preset = build_preset("resnet18")
    for group in preset.graph.groups.values():
        group.collapsed = False
    before = preset.graph.to_dict()
    design = collapsed_copy(preset, aspect=2.0)
    assert design.graph.groups and all(g.collapsed for g in design.graph.groups.values())
    boxes = {tuple(n.pos) for n in design.graph.iter_nodes()}
    assert len(boxes) < len(design.graph) / 3  # the members of a collapsed block share its place
    assert preset.graph.to_dict() == before  # the design drawn is left as it was


def test_pictures_are_drawn_only_for_visible_cards(qtbot, fresh_pictures):
    from netbuilder.ui.start_page import StartPage
    from netbuilder.ui.thumbnails import preset_pictures

    page = StartPage()
    qtbot.addWidget(page)
    page.resize(1024, 560)
    page.show()
    qtbot.waitExposed(page)
    cache = preset_pictures()
    qtbot.waitUntil(lambda: bool(cache.images) and not cache.pending, timeout=10_000)
    drawn = {key[0] for key in cache.images}
    visible = set(page.presets.visible_names())
    assert drawn <= visible and len(drawn) < len(list_presets())


def test_choosing_a_preset_opens_it_on_the_canvas(window, qtbot):
    from netbuilder.ui.start_page import install_start_page

    page = install_start_page(window)
    assert page.switch.showing_start and page.isVisible()
    assert page.geometry().contains(window.centralWidget().geometry())  # it covers the canvas
    grid = page.presets
    qtbot.waitUntil(lambda: grid.viewport().isVisible())
    rect = grid.visualRect(grid.model().index(3, 0))
    chosen: list[str] = []
    page.preset_chosen.connect(chosen.append)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == [grid.names()[3]]  # once, though a click may also activate the card
    assert window.document.design.meta.get("preset") == grid.names()[3]
    assert not page.switch.showing_start and not page.isVisible()


def test_enter_chooses_the_current_card_and_recent_design(qtbot, tmp_path):
    from netbuilder.ui.start_page import StartPage

    mine = _saved(tmp_path, "mine.nbd")
    page = StartPage(recent=lambda: [mine])
    qtbot.addWidget(page)
    page.presets.select("lenet5")
    with qtbot.waitSignal(page.preset_chosen) as blocker:
        qtbot.keyClick(page.presets, Qt.Key.Key_Return)
    assert blocker.args == ["lenet5"]
    page.recent_list.setCurrentRow(0)
    with qtbot.waitSignal(page.recent_chosen) as blocker:
        qtbot.keyClick(page.recent_list, Qt.Key.Key_Return)
    assert blocker.args == [mine]


def test_the_example_and_a_recent_design_open(window, qtbot, tmp_path):
    from netbuilder.ui.app import default_example
    from netbuilder.ui.start_page import install_start_page

    mine = _saved(tmp_path, "mine.nbd")
    window.files.add_recent(mine)
    window.set_design(build_preset("lenet5"))
    page = install_start_page(window)
    qtbot.mouseClick(page.example_button, Qt.MouseButton.LeftButton)
    assert window.document.design.name == default_example().name and not page.switch.showing_start
    start = next(a for a in window.menus["file"].actions() if a.text().replace("&", "") == "Start Page")
    start.trigger()
    assert page.switch.showing_start
    page.recent_list.itemClicked.emit(page.recent_list.item(0))
    assert str(window.document.path) == mine and not page.switch.showing_start


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)])
def test_the_page_fits_the_screen_without_widening_the_window(window, qtbot, size):
    from netbuilder.ui.start_page import install_start_page

    page = install_start_page(window)
    window.resize(*size)
    qtbot.wait(50)
    hint = page.minimumSizeHint()
    assert hint.width() <= size[0] - 100 and hint.height() <= size[1] - 200
    assert window.minimumSizeHint().width() <= size[0]
    assert window.width() <= size[0] and window.height() <= size[1]
    assert window.rect().contains(page.geometry()) and page.width() == window.width()
    assert page.height() >= hint.height() and page.presets.height() > 150
    assert page.presets.visible_names()  # at least one card shows without scrolling the window


def test_the_page_leaves_the_window_layout_alone(window):
    from netbuilder.ui.start_page import install_start_page

    central = window.centralWidget()
    shown = {t for t, d in window.docks.items() if not d.isHidden()}
    page = install_start_page(window)
    assert window.centralWidget() is central
    assert {t for t, d in window.docks.items() if not d.isHidden()} == shown
    page.example_chosen.emit()
    assert window.centralWidget() is central and not page.switch.showing_start


def test_a_design_picture_fits_any_size(qapp):
    from netbuilder.ui.app import default_example
    from netbuilder.ui.thumbnails import design_thumbnail, drawn_fraction

    for size in (QSize(60, 200), QSize(300, 40)):
        image = design_thumbnail(default_example(), size)
        assert image.size() == size and drawn_fraction(image) > 0.02


def test_switching_workspace_leaves_the_start_page(window):
    from netbuilder.ui.start_page import install_start_page

    if not hasattr(window, "workspaces"):
        pytest.skip("the window has no workspaces")
    page = install_start_page(window)
    window.workspaces.switch("Train")
    assert not page.switch.showing_start


def test_no_workspace_is_marked_while_the_page_shows_and_any_button_leaves_it(window):
    """The page covers the workspaces: no button is checked (a highlighted "Train" said the student was in
    it); pressing one, the current one too, shows the canvas in it, marked again."""
    from netbuilder.ui.start_page import install_start_page

    if not hasattr(window, "workspaces"):
        pytest.skip("the window has no workspaces")
    ws = window.workspaces
    ws.switch("Train")
    page = install_start_page(window)
    assert page.switch.showing_start
    assert not any(action.isChecked() for action in ws.actions.values())
    ws.actions["Train"].trigger()  # the workspace it was in: no switch, but the page goes
    assert not page.switch.showing_start and ws.current == "Train"
    assert [n for n, a in ws.actions.items() if a.isChecked()] == ["Train"]
    page.switch.show_start()
    assert not any(action.isChecked() for action in ws.actions.values())
    ws.actions["Build"].trigger()
    assert not page.switch.showing_start and [n for n, a in ws.actions.items() if a.isChecked()] == ["Build"]
    page.switch.show_start()
    page.example_chosen.emit()  # a design opened: the workspace it is in marked again
    assert [n for n, a in ws.actions.items() if a.isChecked()] == ["Build"]


def test_every_lesson_title_is_whole_with_its_time_and_progress_below(qtbot):
    """Long titles wrap inside the page's column (no sideways scrolling, nothing cut), every lesson is
    shown (the column scrolls, not the list), and each shows its time and progress under its title."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFontMetrics

    from netbuilder.ui.start_page import SUMMARY_ROLE, StartPage, available_lessons

    page = StartPage(recent=list)
    qtbot.addWidget(page)
    page.resize(1280, 660)
    page.show()
    qtbot.waitExposed(page)
    lessons = page.lesson_list
    assert lessons.count() == len(available_lessons()) >= 12
    width = lessons.viewport().width()
    metrics = QFontMetrics(lessons.font())
    assert max(metrics.horizontalAdvance(lessons.item(i).text()) for i in range(lessons.count())) > width
    shown = 0
    for i in range(lessons.count()):
        item = lessons.item(i)
        assert item.data(SUMMARY_ROLE).startswith(tuple("0123456789")) and " min · " in item.data(SUMMARY_ROLE)
        rect = lessons.visualItemRect(item)
        wrapped = metrics.boundingRect(QRect(0, 0, width - 8, 10_000), Qt.TextFlag.TextWordWrap, item.text())
        assert rect.height() >= wrapped.height() + metrics.height() * 0.8  # the title, then the summary
        shown += rect.height()
    assert lessons.horizontalScrollBar().maximum() == 0 and lessons.verticalScrollBar().maximum() == 0
    assert lessons.viewport().height() >= shown  # all of them, one after another
