"""A small window: 1280×720 at 150 % is 853×480 logical pixels. Train's curves must still be readable there
(they were squeezed to a legend and three clipped titles, "Learning rat", under a Training panel that took
the rest), and a long message in the status bar ends in "…" with the whole text in its tooltip instead of
being cut mid-sentence."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from netbuilder.ui.applicability import PLOT_HEIGHT

pytestmark = pytest.mark.gui

SMALL = (853, 480)
MISFIT = ("The design does not fit digits: conv2d_1 expects 3 input channels but the images have 1; "
          "Train ▸ Fit Design to Dataset changes the first layer and the output to fit the data")


def settle(window, qtbot, size) -> None:
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=3000)
    QApplication.processEvents()
    QApplication.processEvents()


def assert_curves_readable(window, qtbot) -> None:
    curves, slot = window.training.curves, window.slots["Curves"]
    assert not window.docks["Curves"].visibleRegion().isEmpty()  # on top of its tab group
    qtbot.waitUntil(lambda: curves.plots_built, timeout=5000)
    QApplication.processEvents()
    # the dock has the room its plots need: no scrolling, the plots a readable height, the titles whole
    room = slot.scroll.viewport().height()
    assert room >= PLOT_HEIGHT["Curves"] and slot.scroll.verticalScrollBar().maximum() == 0, room
    for plot in (curves.loss_plot, curves.acc_plot, curves.lr_plot):
        box = plot.getViewBox().sceneBoundingRect()
        assert box.height() >= 50 and box.width() >= 70, (plot.titleLabel.text, box)
        assert plot.geometry().width() >= plot.titleLabel.item.boundingRect().width(), plot.titleLabel.text
    training = window.docks["Training"]
    assert training.height() >= 100 and training.width() >= window.width() - 4  # under both, scrolling
    assert window.view.width() >= 250 and window.view.height() >= 150  # and the canvas stays useful


def test_train_at_853x480_leaves_the_curves_readable(window, qtbot):
    settle(window, qtbot, SMALL)
    window.workspaces.switch("Train")
    window.workspaces.reset()  # the default layout, made for this size
    QApplication.processEvents()
    assert window.size().toTuple() == SMALL
    assert_curves_readable(window, qtbot)


def test_a_window_made_smaller_in_train_keeps_the_curves_readable(window, qtbot):
    settle(window, qtbot, (1280, 720))
    window.workspaces.switch("Train")
    window.workspaces.reset()
    settle(window, qtbot, (1024, 640))  # narrow: the Training panel under the canvas and the curves
    settle(window, qtbot, SMALL)  # and lower: the panel gives the curves the height they need
    assert_curves_readable(window, qtbot)
    settle(window, qtbot, (1280, 720))  # wide again: the curves full height at the right
    assert window.docks["Curves"].height() > window.height() / 2


def test_the_evaluation_scrolls_rather_than_squeeze_its_plots(window, qtbot):
    settle(window, qtbot, SMALL)
    window.workspaces.switch("Train")
    window.workspaces.reset()
    window.docks["Evaluation"].raise_()
    QApplication.processEvents()
    slot = window.slots["Evaluation"]
    assert slot.scroll.widget().height() >= PLOT_HEIGHT["Evaluation"]


def test_a_long_status_message_ends_in_an_ellipsis_with_the_whole_text_in_its_tooltip(window, qtbot):
    settle(window, qtbot, (1280, 720))
    bar = window.statusBar()
    bar.showMessage(MISFIT, 15000)
    shown = bar.currentMessage()
    assert shown != MISFIT and shown.endswith("…") and MISFIT.startswith(shown[:-1])
    assert bar.toolTip() == MISFIT and bar.full_message == MISFIT
    assert bar.fontMetrics().horizontalAdvance(shown) <= window.totals_label.x() - 8  # left of the totals
    assert window.totals_label.isVisible()

    settle(window, qtbot, (1800, 720))  # room enough: the whole message, no tooltip
    assert bar.currentMessage() == MISFIT and bar.toolTip() == ""
    settle(window, qtbot, SMALL)
    assert bar.currentMessage().endswith("…") and len(bar.currentMessage()) < len(shown)

    bar.showMessage("Saved", 4000)  # a short one: as it is
    assert bar.currentMessage() == "Saved" and bar.toolTip() == ""
    bar.clearMessage()
    assert bar.currentMessage() == "" and bar.toolTip() == ""
