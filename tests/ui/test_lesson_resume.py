"""A lesson resumed on another day opens at the step where it was left, but the network the earlier steps
built is gone (the window opened on the example). The panel says so and offers "Set up this step", which
builds that network again from the earlier steps' actions (their training too), without those runs ticking
the step's own checks; the student's own Show me then goes on from there."""

from __future__ import annotations

import json

import pytest

from netbuilder.ui.lessons import load_progress

pytestmark = pytest.mark.gui


def resume_at(window, lesson_id: str, step: int) -> None:
    """The progress a student left the lesson with: at ``step`` (0-based), the earlier steps done."""
    progress = load_progress(window.settings, lesson_id) | {"step": step, "done": list(range(step))}
    window.settings.setValue(f"lessons/{lesson_id}", json.dumps(progress))


def test_set_up_builds_the_earlier_steps_network_and_show_me_goes_on(window, qtbot):
    lc, doc = window.lessons, window.document
    resume_at(window, "lenet", 2)  # step 3: the second convolution block, after the first block
    assert lc.open_lesson("lenet")
    p = lc.panel
    assert lc.index == 2 and p.set_up.isVisible()
    assert p.status.text().startswith("Welcome back to step 3.") and "training" not in p.status.text()  # (none)
    p.set_up.click()
    qtbot.waitUntil(lambda: p.status.text().startswith("Set up as the earlier steps leave it"), timeout=10_000)
    assert not p.set_up.isVisible()
    kinds = [doc.graph.node(n).kind for n in doc.graph.topological_order()]
    assert kinds == ["input", "conv2d", "relu", "maxpool2d", "output"]  # what steps 1 and 2 built
    lc.show_me()
    assert "stopped" not in p.status.text()
    qtbot.waitUntil(lambda: all(label.text().startswith("✔") for label in p.check_labels), timeout=10_000)
    lc.go(3)  # another step: nothing to offer there (the student went on from the set-up network)
    assert not p.set_up.isVisible()


def test_nothing_is_offered_where_the_step_opens_its_own_design_or_the_lessons_network_is_open(window, qtbot):
    lc = window.lessons
    resume_at(window, "architectures", 3)  # every step opens its own preset
    assert lc.open_lesson("architectures")
    assert not lc.panel.set_up.isVisible() and lc.panel.status.text() == ""
    resume_at(window, "lenet", 0)
    assert lc.open_lesson("lenet")
    lc.show_me()  # the lesson's own network, open in this window
    lc.go(1)
    assert lc.open_lesson("lenet")  # opened again from the menu: at step 2, with its network still open
    assert lc.index == 1 and not lc.panel.set_up.isVisible()


def test_the_set_up_runs_do_not_tick_the_steps_checks(window, qtbot):
    lc = window.lessons
    training = window.training
    qtbot.waitUntil(lambda: training.wb.ready is not None and training.wb.dataset is not None, timeout=30_000)
    resume_at(window, "transfer", 2)  # step 3: freeze the digits' features and train on the shapes
    assert lc.open_lesson("transfer")
    assert "Set up this step builds it again (their training too)" in lc.panel.status.text()
    lc.panel.set_up.click()  # the digits CNN trained 3 epochs, then fitted to the shapes
    qtbot.waitUntil(lambda: lc.panel.status.text().startswith("Set up as"), timeout=60_000)
    assert window.document.design.dataset["name"] == "shapes"
    assert window.workbench.has_weights and window.document.graph.node("dense_2").params["units"] == 6
    assert lc.driver.runs == 1 and lc.driver.since == 1  # the set-up's run belongs to no step
    window.document.set_design_field("training", {**window.document.design.training,
                                                  "frozen": ["conv2d_1", "conv2d_2"]}, "freeze")
    qtbot.waitUntil(lambda: lc.panel.check_labels[0].text().startswith("✔"), timeout=5000)
    assert not lc.panel.check_labels[1].text().startswith("✔")  # no run of this step yet
    training.shutdown()


def test_a_set_up_with_runs_between_its_actions_ends_after_the_last(window, qtbot):
    lc = window.lessons
    training = window.training
    qtbot.waitUntil(lambda: training.wb.ready is not None and training.wb.dataset is not None, timeout=30_000)
    resume_at(window, "overfitting", 3)  # step 4: two runs, then early stopping and a BatchNorm1d added
    assert lc.open_lesson("overfitting")
    said = []
    lc.driver.message.connect(said.append)
    lc.panel.set_up.click()
    qtbot.waitUntil(lambda: lc.panel.status.text().startswith("Set up as"), timeout=90_000)
    assert said.count("Set up as the earlier steps leave it: go on with this step.") == 1  # (not before its end)
    assert lc.driver.runs == 2 and lc.driver.since == 2 and training.state == "idle"
    assert any(n.kind == "batchnorm1d" for n in window.document.graph.iter_nodes())
    assert not any(label.text().startswith("✔") for label in lc.panel.check_labels)  # no run of this step
    training.shutdown()


def test_the_panels_status_line_reads_on_its_background(window, qtbot):
    """What the panel says under Show me (welcome back, what Show me could not do) was light grey on light
    grey, 1.7:1: its darkest pixels now stand out from the background as text must (4.5:1)."""
    from PySide6.QtGui import QColor

    from netbuilder.ui import theme

    lc = window.lessons
    resume_at(window, "lenet", 2)
    assert lc.open_lesson("lenet")
    label = lc.panel.status
    qtbot.waitUntil(label.isVisible, timeout=5000)
    image = label.grab().toImage()
    background = QColor(image.pixel(1, 1))
    darkest = min((QColor(image.pixel(x, y)) for x in range(0, image.width(), 2) for y in range(image.height())),
                  key=lambda c: c.lightness())
    assert theme.contrast_ratio(darkest, background) >= 4.5


def test_a_set_up_whose_run_cannot_start_says_it_stopped(window, qtbot, monkeypatch):
    lc = window.lessons
    qtbot.waitUntil(lambda: window.workbench.ready is not None and window.workbench.dataset is not None,
                    timeout=30_000)
    resume_at(window, "feature_maps", 1)  # step 2 builds on the trained Digits CNN
    assert lc.open_lesson("feature_maps")
    monkeypatch.setattr(window.training, "train_and_show", lambda: False)  # (refused: the panel says why)
    lc.panel.set_up.click()
    qtbot.waitUntil(lambda: "stopped" in lc.panel.status.text(), timeout=10_000)
    assert lc.panel.status.text() == "Set up stopped: training did not start; the Training panel says why."
    assert not lc.driver._setting_up
