"""The window driven by the keyboard alone: Tab reaches the inspector's fields, Alt+arrows select a layer
on the canvas, Ctrl+I connects two layers (one undo step), the start page keeps the keyboard to itself,
Enter in the palette's search adds the layer named, Ctrl+F finds the search box, every menu item has an
Alt-letter of its own, and the inspector's problem colours read on both themes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QMenu

pytestmark = pytest.mark.gui

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def active(window, qtbot):
    """The window, active, so that keys reach its focus widget and its shortcuts."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def press(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget(), key, modifier)


# ----- 1. Tab goes from the inspector into its fields --------------------------------------------
def test_tab_from_the_inspector_goes_through_its_fields_in_order(active):
    w = active
    w.document.select(["conv2d_1"])
    QApplication.processEvents()
    inspector = w.inspector
    inspector.setFocus()
    fields = [*getattr(inspector, "input_boxes", []), *inspector.editors.values()]
    assert len(fields) > 3
    for field in fields:
        press(Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is field, (QApplication.focusWidget(), field)
    press(Qt.Key.Key_Tab)  # and out, on to the next panel
    assert not inspector.isAncestorOf(QApplication.focusWidget())
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is fields[-1]


def test_the_fields_of_a_newly_selected_layer_follow_the_inspector_too(active):
    w = active
    w.document.select(["conv2d_1"])
    w.document.select(["dense_1"])
    QApplication.processEvents()  # (a field added to a shown form shows once events are processed)
    w.inspector.setFocus()
    press(Qt.Key.Key_Tab)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is w.inspector.editors["units"]


# ----- 2. selecting and connecting layers from the keyboard --------------------------------------
def test_alt_arrows_walk_the_design_from_its_first_layer(active):
    w = active
    order = w.document.graph.topological_order()
    w.view.setFocus()
    w.document.select([])
    press(Qt.Key.Key_Down, ALT)
    assert w.document.selection == [order[0]]  # nothing selected: the Input
    press(Qt.Key.Key_Down, ALT)
    assert w.document.selection == [order[1]]
    press(Qt.Key.Key_Down, ALT)
    assert w.document.selection == [order[2]]
    press(Qt.Key.Key_Up, ALT)
    assert w.document.selection == [order[1]]
    assert not w.document.undo_stack.count()  # selecting moved nothing


def test_alt_arrows_reach_a_parallel_branch_and_a_collapsed_group(active):
    w = active
    doc = w.document
    x, y = doc.graph.node("relu_1").pos
    side = doc.add_node("dropout", (x + 400, y))
    w.view.setFocus()
    doc.select(["relu_1"])
    press(Qt.Key.Key_Right, ALT)
    assert doc.selection == [side]
    press(Qt.Key.Key_Right, ALT)  # nothing further right: the selection stays
    assert doc.selection == [side]
    group = doc.group_nodes(["dense_1", "relu_2"])
    doc.set_collapsed(group, True)
    doc.select(["flatten_1"])
    press(Qt.Key.Key_Down, ALT)
    assert set(doc.selection) == {"dense_1", "relu_2"}  # the collapsed box, as a click selects it


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # (offscreen popups)
def test_ctrl_i_connects_the_selected_layer_in_one_undo_step(active, qtbot):
    w = active
    doc = w.document
    x, y = doc.graph.node("relu_1").pos
    relu = doc.add_node("relu", (x + 400, y))
    stack_before = doc.undo_stack.count()
    w.view.setFocus()
    doc.select([relu])
    press(Qt.Key.Key_I, CTRL)
    box = w.inspector.input_boxes[0]
    assert isinstance(box, QComboBox) and box.view().isVisible()  # its list is open, with the keyboard in it
    assert QApplication.focusWidget() in (box, box.view())
    assert box.itemData(1) == "input_1"  # the layers that may feed it, in the design's order
    assert relu not in [box.itemData(i) for i in range(box.count())]
    QTest.keyClick(box.view(), Qt.Key.Key_Down)
    QTest.keyClick(box.view(), Qt.Key.Key_Return)
    assert [(e.src, e.port) for e in doc.graph.incoming(relu)] == [("input_1", 0)]
    assert doc.undo_stack.count() == stack_before + 1
    assert QApplication.focusWidget() is box and box.currentData() == "input_1"
    doc.undo_stack.undo()
    assert doc.graph.incoming(relu) == [] and relu in doc.graph
    assert box.currentData() is None


def test_choosing_another_source_reconnects_in_one_step_and_a_cycle_is_not_offered(active):
    w = active
    doc = w.document
    doc.select(["relu_1"])
    box = w.inspector.input_boxes[0]
    assert box.currentData() == "conv2d_1"
    offered = [box.itemData(i) for i in range(box.count())]
    assert "input_1" in offered and "maxpool2d_1" not in offered and "output_1" not in offered
    before = doc.undo_stack.count()
    box.setFocus()
    box.setCurrentIndex(box.findData("input_1"))
    box.activated.emit(box.currentIndex())
    assert [e.src for e in doc.graph.incoming("relu_1")] == ["input_1"]
    assert doc.undo_stack.count() == before + 1
    doc.undo_stack.undo()
    assert [e.src for e in doc.graph.incoming("relu_1")] == ["conv2d_1"]


def test_ctrl_i_without_a_layer_says_what_to_do(active):
    w = active
    w.document.select([])
    w.view.setFocus()
    press(Qt.Key.Key_I, CTRL)
    assert "Select one layer" in w.statusBar().currentMessage()
    w.document.select(["input_1"])
    w.view.setFocus()
    press(Qt.Key.Key_I, CTRL)
    assert "takes no input" in w.statusBar().currentMessage()


def test_the_new_keys_are_in_the_shortcuts_list(window):
    rows = dict(window.shortcut_rows())
    assert rows["Select Layer Below"] == "Alt+Down" and rows["Select Layer Above"] == "Alt+Up"
    assert rows["Connect Input"] == "Ctrl+I" and rows["Find Layer"] == "Ctrl+F"


# ----- 3. the start page keeps the keyboard ------------------------------------------------------
def test_on_the_start_page_editing_keys_change_nothing_and_tab_stays_on_the_page(active):
    from netbuilder.ui.start_page import install_start_page

    w = active
    page = install_start_page(w)
    assert page.switch.showing_start
    nodes, edges = list(w.document.graph.nodes), list(w.document.graph.edges)
    press(Qt.Key.Key_A, CTRL)
    press(Qt.Key.Key_Delete)
    press(Qt.Key.Key_Backspace)
    assert list(w.document.graph.nodes) == nodes and list(w.document.graph.edges) == edges
    assert not w.document.is_modified and not w.document.undo_stack.count()
    seen = []
    for _ in range(2 * len(page.focus_chain()) + 2):
        press(Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
        assert page.isAncestorOf(QApplication.focusWidget()), QApplication.focusWidget()
    assert len(set(seen)) == len(page.focus_chain()) > 3  # round every field of the page
    for _ in range(len(seen)):
        press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert page.isAncestorOf(QApplication.focusWidget())
    assert not w.actions_["select_all"].isEnabled() and not w.view.isEnabled()


def test_leaving_the_start_page_gives_the_keys_back(active):
    from netbuilder.ui.start_page import install_start_page

    w = active
    page = install_start_page(w)
    page.example_chosen.emit()
    assert not page.switch.showing_start
    assert w.view.isEnabled() and all(d.isEnabled() for d in w.docks.values())
    assert w.actions_["select_all"].isEnabled() and w.actions_["delete"].isEnabled()
    assert not w.actions_["undo"].isEnabled()  # nothing to undo: as the undo stack says
    assert QApplication.focusWidget() is w.view
    press(Qt.Key.Key_A, CTRL)
    assert len(w.document.selection) == len(w.document.graph.nodes)
    press(Qt.Key.Key_Delete)
    assert len(w.document.graph.nodes) == 0
    assert w.actions_["undo"].isEnabled()


# ----- 4. Enter in the palette's search adds the layer named -------------------------------------
@pytest.mark.parametrize("typed, kind", [("flatten", "flatten"), ("Flatten", "flatten"), ("relu", "relu"),
                                         ("dropo", "dropout"), ("linear", "dense"), ("maxpool", "maxpool2d")])
def test_enter_in_the_search_adds_the_layer_named(window, qtbot, typed, kind):
    palette = window.palette_view
    emitted: list[str] = []
    palette.kind_activated.connect(emitted.append)
    palette.search.setText(typed)
    assert palette.tree.currentItem() is palette.items[kind]  # the list shows which one Enter adds
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert emitted == [kind]


def test_flatten_and_enter_add_a_flatten_layer(window, qtbot):
    doc = window.document
    doc.select(["output_1"])
    before = sum(n.kind == "flatten" for n in doc.graph.iter_nodes())
    window.palette_view.search.setText("flatten")
    qtbot.keyClick(window.palette_view.search, Qt.Key.Key_Return)
    assert sum(n.kind == "flatten" for n in doc.graph.iter_nodes()) == before + 1
    assert not any(n.kind == "global_avgpool" for n in doc.graph.iter_nodes())


# ----- 5. Ctrl+F and the menus' Alt-letters ------------------------------------------------------
def test_ctrl_f_puts_the_keyboard_in_the_palette_search(active):
    w = active
    w.docks["Palette"].hide()
    w.view.setFocus()
    press(Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is w.palette_view.search and w.docks["Palette"].isVisible()


def _mnemonic(text: str) -> str | None:
    from netbuilder.ui.actions import mnemonic

    return mnemonic(text)


def test_every_menu_item_has_an_alt_letter_of_its_own(window):
    from netbuilder.ui.start_page import install_start_page

    install_start_page(window)
    menus = [m for m in window.findChildren(QMenu) if m.actions() and m is not window.menus["recent"]]
    titles = {m.title().replace("&", "") for m in menus}
    assert {"File", "Panels", "Views", "Lessons"} <= titles
    missing, clashes = [], []
    for menu in menus:
        letters: dict[str, str] = {}
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible() or not action.text():
                continue
            letter = _mnemonic(action.text())
            if letter is None:
                missing.append(f"{menu.title()}: {action.text()}")
            elif letter in letters:
                clashes.append(f"{menu.title()}: {letters[letter]} / {action.text()}")
            else:
                letters[letter] = action.text()
    assert not missing, missing
    assert not clashes, clashes
    start = next(a for a in window.menus["file"].actions() if a.text().replace("&", "") == "Start Page")
    assert _mnemonic(start.text())


def test_a_dock_renamed_later_gets_a_letter_again(window):
    dock = window.docks["Summary"]
    dock.setWindowTitle("Totals")
    assert _mnemonic(dock.toggleViewAction().text())


# ----- 6. the inspector's problem colours read on both themes -----------------------------------
def _luminance(colour) -> float:
    from PySide6.QtGui import QColor

    c = QColor(colour)

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.redF()) + 0.7152 * linear(c.greenF()) + 0.0722 * linear(c.blueF())


def contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_is_measured_as_wcag_does():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#c98a00", "#efefef"), 2) == 2.57  # the old warning colour, as the tester measured


@pytest.mark.parametrize("severity", ["error", "warning"])
def test_problem_colours_read_on_the_light_and_the_dark_theme(qapp, severity):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyleFactory

    from netbuilder.ui import theme
    from netbuilder.ui.inspector import problem_colour

    light = QStyleFactory.create("Fusion").standardPalette().color(QPalette.ColorRole.Window)
    dark = theme._dark_palette().color(QPalette.ColorRole.Window)
    for background, is_dark in ((light, False), (dark, True)):
        colour = problem_colour(severity, dark=is_dark)
        assert contrast(colour, background) >= 4.5, (severity, is_dark, colour, background.name())


def test_the_inspector_draws_its_problems_in_those_colours(window):
    from netbuilder.ui.inspector import problem_colour

    doc = window.document
    relu = doc.add_node("relu", (900.0, 0.0))  # unconnected: a warning
    doc.disconnect_edge(doc.graph.edge_into("relu_1", 0))  # fed by nothing, feeding the rest: an error
    doc.flush()
    for node_id, severity in ((relu, "warning"), ("relu_1", "error")):
        doc.select([node_id])
        window.inspector.refresh_results()
        text = window.inspector.problems.text()
        assert f"color:{problem_colour(severity)}" in text, text
        assert "#d33c3c" not in text and "#c98a00" not in text
    assert "fix:</i> connect" in text and "Ctrl+I" in text  # how to connect from the keyboard


def test_each_from_list_is_labelled_with_its_input(window):
    from PySide6.QtWidgets import QLabel

    doc = window.document
    add = doc.add_node("add", (900.0, 0.0))
    doc.select([add])
    inspector = window.inspector
    labels = [inspector.inputs_form.labelForField(b) for b in inspector.input_boxes]
    assert [lab.text() for lab in labels if isinstance(lab, QLabel)] == ["Input 0 from", "Input 1 from"]  # as the ports
    doc.connect_nodes("relu_1", add, 0)
    doc.connect_nodes("relu_2", add, 1)
    assert len(inspector.input_boxes) == 3  # a merge takes one more
    assert [b.currentData() for b in inspector.input_boxes] == ["relu_1", "relu_2", None]
