"""Keyboard focus and text contrast: Tab leaves the Summary table, dock wrappers and plots are no invisible Tab
stops, opening a lesson takes the keyboard into the panel in reading order, and every text colour pair is at
least 4.5:1 (WCAG AA) in both themes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget

from netbuilder.ui import theme

AA = 4.5
LIGHT = {"window": "#efefef", "base": "#ffffff"}  # Fusion's light palette
DARK = {"window": "#2b2d31", "base": "#1e1f22"}  # theme._dark_palette


def test_contrast_ratio_matches_wcag():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#2a82da") == pytest.approx(3.96, abs=0.01)  # the old selection
    assert theme.contrast_ratio("#d33c3c", "#ffb0b0") == pytest.approx(2.70, abs=0.01)  # the old error text


def _pairs(qapp) -> list[tuple[str, str, str]]:
    from netbuilder.ui.canvas.badges import HEALTH_COLOURS
    from netbuilder.ui.param_editors import UNFIT, UNFIT_BASE

    pairs = []
    for dark, bg in ((False, LIGHT), (True, DARK)):
        name = "dark" if dark else "light"
        error = theme.error_text(dark)
        pairs += [(f"{name} error on a red node", error, theme.ERROR_NODE_BODY[dark]),
                  (f"{name} error in a dialog", error, bg["window"]),
                  (f"{name} invalid value in a field", error, bg["base"])]
        for good in (True, False):
            for where in ("window", "base"):
                pairs.append((f"{name} verdict {good} on {where}", theme.verdict_colour(good, dark), bg[where]))
    pairs.append(("unfit field", UNFIT, UNFIT_BASE))
    for level, colour in HEALTH_COLOURS.items():
        pairs.append((f"health badge {level}", "#000000" if level == "warn" else "#ffffff", colour))
    for name, palette in (("dark", theme._dark_palette()), ("light", theme._light_palette(qapp))):
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            pairs.append((f"{name} selected text", palette.color(group, QPalette.ColorRole.HighlightedText).name(),
                          palette.color(group, QPalette.ColorRole.Highlight).name()))
    return pairs


def test_every_text_colour_pair_is_at_least_aa(qapp):
    low = [(what, fg, bg, round(theme.contrast_ratio(fg, bg), 2)) for what, fg, bg in _pairs(qapp)
           if theme.contrast_ratio(fg, bg) < AA]
    assert not low


def test_the_red_nodes_text_is_the_readable_error_colour(qapp):
    from netbuilder.ui.canvas import items

    source = open(items.__file__, encoding="utf-8").read()
    assert "setPen(theme.ERROR_COLOUR if error" not in source  # the border red is not a text colour


def test_tab_leaves_the_summary_table(window, qtbot):
    summary = window.summary
    window.docks["Summary"].raise_()
    qtbot.wait(10)
    assert summary.model().rowCount() > 1
    summary.setFocus(Qt.FocusReason.TabFocusReason)
    summary.setCurrentIndex(summary.model().index(0, 0))
    assert window.focusWidget() is summary
    qtbot.keyClick(summary, Qt.Key.Key_Tab)
    assert window.focusWidget() is not summary
    summary.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(summary, Qt.Key.Key_Down)  # arrows still move inside
    assert window.focusWidget() is summary and summary.currentIndex().row() == 1


def test_dock_wrappers_are_no_tab_stops(window):
    assert len(window.slots) > 10
    for title, slot in window.slots.items():
        assert slot.scroll.focusPolicy() == Qt.FocusPolicy.NoFocus, title


def test_plots_are_no_invisible_tab_stops(window):
    import pyqtgraph as pg

    from netbuilder.ui.explore.lab_views import OverfitLab
    from netbuilder.ui.training.boundary_view import BoundaryView
    from netbuilder.ui.training.curves import CurvesView
    from netbuilder.ui.training.evaluation_view import EvaluationView
    from netbuilder.ui.training.features_view import FeatureMapsView
    from netbuilder.ui.training.filters_view import FiltersView

    plots = []
    for cls in (EvaluationView, FeatureMapsView, BoundaryView, FiltersView, CurvesView, OverfitLab):
        for view in window.findChildren(cls):
            view.ensure_plots()  # (made when first shown)
            plots += view.findChildren(pg.GraphicsView)
    assert len(plots) >= 8
    assert all(p.focusPolicy() == Qt.FocusPolicy.NoFocus for p in plots)


def _reading_order(p) -> list[QWidget]:
    """More/Less, Show me, the answers, Back, Next."""
    return [p.intro_toggle, p.show_me, *(entry for _q, entry, _f in p.answers), p.back, p.next]


def _open(window, qtbot, key="pooling"):
    lc = window.lessons
    window.view.setFocus()
    assert lc.open_lesson(key)
    qtbot.wait(10)
    return lc


def test_opening_a_lesson_gives_the_panel_the_keyboard(window, qtbot):
    lc = _open(window, qtbot)
    focused = window.focusWidget()
    assert focused is not None and lc.panel.isAncestorOf(focused)
    assert focused is next(w for w in _reading_order(lc.panel) if w.isVisibleTo(lc.panel) and w.isEnabled())


def test_the_lesson_panel_tabs_in_reading_order(window, qtbot):
    lc = _open(window, qtbot)
    p = lc.panel
    for step in range(len(lc.lesson.steps)):
        lc.go(step)
        controls = _reading_order(p)
        order: list[QWidget] = []
        widget = controls[0]
        for _ in range(500):
            if widget in controls and widget not in order:
                order.append(widget)
            widget = widget.nextInFocusChain()
            if widget is controls[0]:
                break
        assert order == controls, step


def test_the_canvas_shows_when_it_has_the_keyboard(window, qtbot):
    view = window.view
    window.show()
    qtbot.waitExposed(window)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=5000)
    focused = view.grab().toImage()
    window.palette_widget.search.setFocus() if hasattr(window, "palette_widget") else view.clearFocus()
    qtbot.waitUntil(lambda: not view.hasFocus(), timeout=5000)
    plain = view.grab().toImage()
    corner = [(x, y) for x in range(0, 3) for y in range(10, 20)]
    assert any(focused.pixel(x, y) != plain.pixel(x, y) for x, y in corner)  # the frame comes and goes
