"""Workspaces (Build, Train, Explore): the bar and Ctrl+1/2/3, each workspace's own remembered layout,
the window inside the screen at 1280×720 and 1024×640, F5 and F6, and views that do not apply to
the data showing why."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from netbuilder.ui.applicability import reason
from netbuilder.ui.workspaces import WORKSPACE_OF, WORKSPACES, fit_to_screen

pytestmark = pytest.mark.gui

LONG = "A long message that must wrap rather than widen the window: " + "conv2d_1 does not fit its input " * 12


@pytest.fixture
def trainer(window, qtbot):
    """The window's training controller once the workbench has torch and the dataset (as in
    tests/ui/training/conftest.py)."""
    controller = window.training
    qtbot.waitUntil(lambda: controller.wb.ready is not None, timeout=30_000)
    qtbot.waitUntil(lambda: controller.panel.dataset_info.text() != "", timeout=30_000)
    controller.panel.fields["epochs"].setValue(2)
    yield controller
    controller.shutdown()


def shown(window) -> set[str]:
    return {t for t, d in window.docks.items() if not d.isHidden()}


def on_top(dock) -> bool:
    """The dock is on screen and is its tab group's current tab."""
    return not dock.isHidden() and not dock.visibleRegion().isEmpty()


def test_bar_and_ctrl_1_2_3_switch_workspaces(window, qtbot):
    ws = window.workspaces
    assert ws.current == "Build" and ws.bar.isVisible()
    assert [a.text().strip("&") for a in ws.bar.actions()] == list(WORKSPACES)
    assert shown(window) == {"Palette", "Inspector", "Problems", "Summary", "Code"}
    assert on_top(window.docks["Problems"])  # a sensible first tab, not "Inside the network"
    window.activateWindow()
    window.view.setFocus()
    for key, name in ((Qt.Key.Key_2, "Train"), (Qt.Key.Key_3, "Explore"), (Qt.Key.Key_1, "Build")):
        qtbot.keyClick(window.view, key, Qt.KeyboardModifier.ControlModifier)
        assert ws.current == name and ws.actions[name].isChecked()
        assert shown(window) == {t for t in window.docks if WORKSPACE_OF.get(t, "Explore") == name}
        assert window.view.isVisible()  # the canvas is in every workspace
    # Back in Build no view of the other workspaces counts as shown, so none computes.
    assert not any(window.training._shown.values()) and not any(window.explore.shown.values())
    ws.bar.widgetForAction(ws.actions["Train"]).click()
    assert ws.current == "Train" and on_top(window.docks["Curves"])
    assert window.training._shown.get("evaluation") is False and not any(window.explore.shown.values())


def test_each_workspace_remembers_its_own_layout(window, qtbot, settings):
    ws = window.workspaces
    ws.switch("Train")
    window.docks["Evaluation"].close()
    ws.switch("Build")
    window.docks["Palette"].close()
    assert window.docks["Evaluation"].isHidden() and not window.docks["Problems"].isHidden()
    ws.switch("Train")
    assert window.docks["Evaluation"].isHidden() and not window.docks["Curves"].isHidden()
    assert window.docks["Palette"].isHidden()
    ws.switch("Build")
    assert window.docks["Palette"].isHidden() and not window.docks["Inspector"].isHidden()
    ws.switch("Train")
    window.close()  # saves the layouts and the workspace it was closed in

    from netbuilder.ui.main_window import MainWindow

    again = MainWindow(settings=settings, probe_device=False)
    qtbot.addWidget(again)
    try:
        assert again.workspaces.current == "Train"
        assert again.docks["Evaluation"].isHidden() and not again.docks["Curves"].isHidden()
        again.workspaces.switch("Build")
        assert again.docks["Palette"].isHidden() and not again.docks["Inspector"].isHidden()
        again.workspaces.reset()
        assert not again.docks["Palette"].isHidden()
    finally:
        again.files.ask_unsaved = lambda: "discard"
        again.close()


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)])
def test_every_workspace_fits_the_screen(window, qtbot, size):
    """Each workspace at the size, with a design error and long one-line messages in the views: the
    window stays that size (nothing pushes it wider or taller), no shown dock is under its minimum."""
    width, height = size
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=3000)
    window.document.set_param("dense_2", "units", 0)  # a design error
    for view in (window.training.filters, window.training.features, window.training.evaluation):
        view.info.setText(LONG)
    for name in WORKSPACES:
        window.workspaces.switch(name)
        window.workspaces.reset()  # the default layout, made for this size
        QApplication.processEvents()
        assert window.size().toTuple() == size, name
        assert window.minimumSizeHint().width() <= width and window.minimumSizeHint().height() <= height, name
        assert window.view.isVisible() and window.view.height() >= 150, name
        for title, dock in window.docks.items():
            if on_top(dock):
                hint = dock.minimumSizeHint()
                assert dock.width() >= hint.width() and dock.height() >= hint.height(), (name, title)
                slot = window.slots.get(title)
                if width >= 1280 and slot is not None:  # room enough: no view needs to scroll
                    need, room = slot.view.minimumSizeHint(), slot.scroll.viewport().size()
                    assert room.width() >= need.width() and room.height() >= need.height(), (name, title)
        if name == "Build":
            top = window.menuBar().height() + window.workspaces.bar.height()
            assert window.view.height() >= (height - top - window.statusBar().height()) / 2
    for title in ("Filters", "Feature maps", "Evaluation"):  # every long message shown, wrapped
        window.workspaces.show_dock(title)
        QApplication.processEvents()
        assert window.size().toTuple() == size, title


def test_a_message_in_the_training_panel_scrolls_it_down_never_sideways(window, qtbot):
    """At 1280×720 a four-line message over the Training panel makes it taller than its dock: it scrolls
    up and down, and the vertical scroll bar's width does not push the form into a sideways scroll (it
    did: the device label was cut and an 8 px horizontal bar appeared)."""
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1280, 720), timeout=3000)
    window.workspaces.switch("Train")
    window.workspaces.reset()
    panel, slot = window.training.panel, window.slots["Training"]
    panel.messages.show_message(LONG, "warning", (("fit", "Fit the design to the dataset"),))
    qtbot.waitUntil(lambda: slot.scroll.verticalScrollBar().isVisible(), timeout=3000)
    QApplication.processEvents()
    assert slot.scroll.horizontalScrollBar().maximum() == 0
    label = panel.device_label
    right = label.mapTo(slot.scroll.viewport(), label.rect().topRight()).x()
    assert right < slot.scroll.viewport().width()


def test_a_resized_window_keeps_its_panels_shares(window, qtbot):
    """Resizing the window scales the docked panels with it (Qt alone gives the whole change to the canvas,
    which a smaller window crushed while the Training panel was cut): the canvas keeps a useful size,
    the Training panel never shrinks below what its form needs (up to half the window), Train switches to
    its narrow layout below 1150 px and back, and a round trip ends where it started."""
    from netbuilder.ui.workspaces import WIDE_TRAIN

    def settle(size):
        window.setWindowState(Qt.WindowState.WindowNoState)
        window.resize(*size)
        qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=3000)
        QApplication.processEvents()

    settle((1280, 720))
    window.workspaces.switch("Build")
    window.workspaces.reset()
    QApplication.processEvents()
    palette, inspector = window.docks["Palette"].width(), window.docks["Inspector"].width()
    settle((1600, 900))
    assert window.docks["Palette"].width() == pytest.approx(palette * 1.25, abs=8)
    assert window.docks["Inspector"].width() == pytest.approx(inspector * 1.25, abs=8)

    window.workspaces.switch("Train")
    window.workspaces.reset()
    settle((1280, 720))
    training, curves = window.docks["Training"], window.docks["Curves"]
    start = (training.size().toTuple(), curves.size().toTuple(), window.view.size().toTuple())
    needs = window.workspaces.needs("Training")
    settle((1600, 900))
    assert curves.width() == pytest.approx(start[1][0] * 1.25, abs=8)
    assert window.view.width() == pytest.approx(start[2][0] * 1.25, abs=8)
    settle((1280, 720))  # and back: where it started
    for before, now in zip(start, (training.size(), curves.size(), window.view.size()), strict=True):
        assert now.toTuple() == pytest.approx(before, abs=3)
    settle((1180, 660))  # smaller, still wide: the form keeps the height it needs
    assert training.height() >= min(needs.height(), 330) - 2 and window.view.width() >= 400
    settle((1024, 640))  # narrow: the Training panel runs the whole width, under the canvas and curves
    assert 1024 < WIDE_TRAIN and training.width() >= window.width() - 4
    assert window.view.width() >= 300 and window.view.height() >= 150
    settle((1280, 720))  # wide again: the curves take the right side, full height
    assert training.width() < window.width() - 300 and curves.height() > window.height() / 2
    assert window.view.width() >= 400 and window.view.height() >= 150


def test_window_opens_inside_the_available_screen(window):
    small = QRect(0, 0, 1280, 720)
    window.setWindowState(Qt.WindowState.WindowNoState)
    fit_to_screen(window, small)
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert small.contains(window.geometry())
    window.setWindowState(Qt.WindowState.WindowNoState)
    large = QRect(0, 0, 2560, 1440)
    fit_to_screen(window, large)
    assert not window.windowState() & Qt.WindowState.WindowMaximized
    assert large.contains(window.geometry()) and window.width() <= 1400
    assert window.geometry().center() == large.center() or abs(window.geometry().center().x() - 1280) <= 1


def test_f5_switches_to_train_and_brings_the_curves_forward(window, trainer, qtbot):
    ws = window.workspaces
    ws.switch("Explore")
    trainer.panel.fields["epochs"].setValue(200)
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    assert ws.current == "Train"
    assert on_top(trainer.docks["Curves"]) and trainer.curves.isVisible()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    trainer.actions["stop"].trigger()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=20_000)


def test_f6_toggles_pause_and_resume(window, trainer, qtbot):
    pause = trainer.actions["pause"]
    assert pause in window.toolbar.actions() and trainer.actions["stop"] in window.toolbar.actions()
    assert trainer.actions["resume"] not in window.toolbar.actions()  # one toggle, not two buttons
    trainer.panel.fields["epochs"].setValue(200)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: trainer.state == "paused", timeout=10_000)
    assert pause.isEnabled() and pause.text() == "&Resume"
    qtbot.keyClick(window.view, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=10_000)
    assert pause.text() == "&Pause"
    trainer.actions["stop"].trigger()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=20_000)


def test_reason_a_view_does_not_apply():
    digits = {"name": "digits", "kind": "image", "is_image": True, "input_shape": [1, 8, 8]}
    circle = {"name": "circle", "kind": "points", "is_image": False, "input_shape": [2]}
    assert "two input features" in reason("Decision boundary", digits)
    assert reason("Decision boundary", circle) is None
    for title in ("Explain", "Adversarial", "Augmentation", "Inside the network"):
        assert reason(title, digits) is None and "needs images" in reason(title, circle)
    for title in ("Curves", "Evaluation", "Feature maps", "Filters"):
        assert reason(title, digits) is None and reason(title, circle) is None
    assert reason("Decision boundary", None) is None  # still loading: nothing to say yet


def test_views_that_do_not_apply_show_why(window, trainer, qtbot):
    slots = window.slots
    qtbot.waitUntil(lambda: window.workbench.dataset is not None, timeout=30_000)
    assert not slots["Decision boundary"].applies and slots["Explain"].applies
    assert "two input features" in slots["Decision boundary"].reason_label.text()
    window.workspaces.show_dock("Decision boundary")
    assert slots["Decision boundary"].reason_label.isVisible() and not trainer.boundary.isVisible()
    window.document.set_design_field("dataset", {"name": "circle"}, "train on circle")
    qtbot.waitUntil(lambda: (window.workbench.dataset or {}).get("name") == "circle", timeout=30_000)
    qtbot.waitUntil(lambda: slots["Decision boundary"].applies, timeout=5000)
    assert trainer.boundary.isVisible()
    for title in ("Explain", "Adversarial", "Augmentation", "Inside the network"):
        assert not slots[title].applies and "needs images" in slots[title].reason_label.text()


def test_a_warning_never_pulls_the_student_out_of_their_workspace(window, trainer, qtbot):
    from PySide6.QtWidgets import QAbstractSpinBox

    ws = window.workspaces
    window.document.select(["dense_1"])
    field = next(w for w in window.inspector.findChildren(QAbstractSpinBox) if w.isVisible())
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=3000)
    window.document.set_param("input_1", "shape", [1, 12, 12])  # the design stops fitting the digits
    qtbot.waitUntil(lambda: "does not fit" in window.statusBar().currentMessage(), timeout=15_000)
    assert ws.current == "Build" and window.docks["Inspector"].isVisible()
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view, timeout=3000)
    window.document.set_param("input_1", "shape", [1, 10, 10])  # another misfit, not typed in the inspector
    qtbot.waitUntil(lambda: "1×10×10" in window.statusBar().currentMessage(), timeout=15_000)
    assert ws.current == "Build"  # said in the status bar; the Training panel holds it, with Fit
    assert "1×10×10" in trainer.panel.messages.label.text()
    ws.switch("Train")
    qtbot.waitUntil(lambda: trainer.panel.messages.isVisible(), timeout=5000)
    assert trainer.panel.messages.buttons[0].isVisible()


def test_the_status_bar_takes_back_a_warning_once_the_design_fits(window, trainer, qtbot):
    window.workspaces.switch("Build")
    window.view.setFocus()
    window.document.set_param("input_1", "shape", [1, 10, 10])  # the design stops fitting the digits
    qtbot.waitUntil(lambda: "does not fit" in window.statusBar().currentMessage(), timeout=15_000)
    window.document.undo_stack.undo()  # fits again: neither the bar nor the panel still says it does not
    qtbot.waitUntil(lambda: trainer.panel.messages.isHidden(), timeout=15_000)
    assert "does not fit" not in window.statusBar().currentMessage()
    window.statusBar().showMessage("Saved", 6000)  # a later message is not taken back by the next check
    window.document.set_param("dense_1", "units", 33)
    qtbot.wait(300)
    assert window.statusBar().currentMessage() == "Saved"


def test_a_view_fills_its_dock_and_scrolls_only_below_its_minimum(qtbot):
    """A view with a wrapped note beside a plot (which prefers 480 px) in a 330 px dock is shown whole,
    the plot at the dock's height (a scroll area alone made the view 518 px tall and hid most of the
    Overfitting lab's plot); a note too long for the dock's height makes the view scroll instead of
    cutting the text."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

    from netbuilder.ui.applicability import ViewSlot

    class Plot(QWidget):
        def sizeHint(self):  # noqa: N802
            return QSize(600, 480)

        def minimumSizeHint(self):  # noqa: N802
            return QSize(100, 120)

    view = QWidget()
    left = QVBoxLayout()
    plot, note = Plot(), QLabel("Train to see the training and validation losses. " * 2)
    note.setWordWrap(True)
    left.addWidget(plot, 1)
    left.addWidget(note)
    QHBoxLayout(view).addLayout(left)
    slot = ViewSlot(view, "Overfitting lab")
    qtbot.addWidget(slot)
    slot.resize(1280, 318)
    slot.show()
    qtbot.waitExposed(slot)
    QApplication.processEvents()
    assert slot.scroll.verticalScrollBar().maximum() == 0 and view.height() == slot.scroll.viewport().height()
    assert plot.height() >= 200  # the plot takes the room the note leaves

    note.setText("A long explanation that wraps over many lines in a narrow dock. " * 12)
    slot.resize(300, 318)
    QApplication.processEvents()
    QApplication.processEvents()
    width = note.width()
    assert note.height() >= note.heightForWidth(width) - 1  # the whole text, however many lines
    assert slot.scroll.verticalScrollBar().maximum() > 0  # so the view scrolls
    assert plot.height() >= 120


@pytest.mark.parametrize("level", ["info", "warning", "error"])
def test_a_message_reads_in_a_dark_theme(qtbot, level):
    """The message bar is light in both themes, so its text and close button are dark in both: in a dark
    theme they took the palette's light text, unreadable on the light bar."""
    from PySide6.QtGui import QPalette

    from netbuilder.ui import theme
    from netbuilder.ui.training.widgets import MessageBar

    app = QApplication.instance()
    before = app.palette()
    app.setPalette(theme._dark_palette())
    try:
        bar = MessageBar()
        qtbot.addWidget(bar)
        bar.show_message("Loading PyTorch and the dataset… press Train again in a moment.", level)
        qtbot.waitExposed(bar)
        image = bar.grab().toImage()
        background = image.pixelColor(image.width() // 2, 2)
        close = next(b for b in bar.findChildren(type(bar.buttons[0])) if b.text() == "✕")
        for widget in (bar.label, close):
            widget.ensurePolished()
            text = widget.palette().color(QPalette.ColorRole.WindowText if widget is bar.label
                                          else QPalette.ColorRole.ButtonText)
            assert background.lightness() > 180 and text.lightness() < 100, (level, widget)
    finally:
        app.setPalette(before)


def test_a_lessons_ticks_and_answers_read_in_either_theme():
    """Met checks and right or wrong answers are coloured to read on the theme's background: dark on
    light, light on dark (the light theme's dark green was dim on the dark grey)."""
    from PySide6.QtGui import QColor, QPalette

    from netbuilder.ui import theme

    app = QApplication.instance()
    before = app.palette()
    try:
        for palette in (app.style().standardPalette(), theme._dark_palette()):
            app.setPalette(palette)
            theme._dark_now.clear()
            window = palette.color(QPalette.ColorRole.Window).lightness()
            for good in (True, False):
                colour = QColor(theme.verdict_colour(good)).lightness()
                assert abs(colour - window) > 70, (window, good, colour)
    finally:
        app.setPalette(before)
        theme._dark_now.clear()
