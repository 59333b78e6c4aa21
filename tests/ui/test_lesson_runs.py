"""The Lesson panel and training runs: a step's run-based checks count only the runs started in that step
(and stay ticked once met), a new dataset forgets the old results, Show me's training starts from fresh
weights when the lesson asks and brings back the view the step is about; the panel's layout on a small
screen (choices that do not widen it, the introduction shortened after the first step)."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from netbuilder.ui.lessons.panel import intro_summary

TICK = "✔"
RUN = {"train_accuracy": 0.9, "val_accuracy": 0.9, "test_accuracy": 0.9, "train_loss": 0.3, "val_loss": 0.4,
       "test_loss": 0.4, "epochs": 3.0, "best_epoch": 2.0}


def _ticks(controller) -> list[bool]:
    return [label.text().startswith(TICK) for label in controller.panel.check_labels]


def _a_run(driver) -> None:
    """A run starts and finishes, as the training controller reports it."""
    driver._training_state("preparing")
    driver._run_finished(SimpleNamespace(kind="finished", **RUN))


def test_a_run_of_an_earlier_step_does_not_tick_this_steps_checks(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("softmax_loss")
    lc.go(1)
    _a_run(lc.driver)  # the cross-entropy run of step 2
    lc.go(2)  # "Now mean squared error": the loss check and "you trained with MSE"
    window.document.set_training_value("loss", "mse")
    qtbot.waitUntil(lambda: _ticks(lc)[0], timeout=2000)
    assert _ticks(lc) == [True, False]  # the cross-entropy run does not count
    assert "no run finished in this step" in lc.panel.check_labels[1].toolTip()
    _a_run(lc.driver)
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True], timeout=2000)
    lc.go(1)
    lc.go(2)  # back and forth: no new run, but the step's check was met and stays so
    assert _ticks(lc) == [True, True]


def test_a_run_of_another_lesson_does_not_count(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("pooling")
    _a_run(lc.driver)
    assert lc.open_lesson("feature_maps")  # step 1: "val_accuracy >= 0.75" after training
    assert _ticks(lc) == [False]
    _a_run(lc.driver)
    qtbot.waitUntil(lambda: _ticks(lc) == [True], timeout=2000)


def test_a_new_dataset_forgets_the_results(window, qtbot):
    driver = window.lessons.driver
    _a_run(driver)
    driver.prediction = {"original_class": 1, "adversarial_class": 2}
    assert driver.metrics
    window.document.design_field_changed.emit("dataset")
    assert driver.metrics == {} and driver.prediction == {}


def test_show_me_trains_from_fresh_weights_and_shows_the_steps_view_again(window, qtbot, monkeypatch):
    lc = window.lessons
    assert lc.open_lesson("neuron")
    lc.go(1)  # "Train it ... watch the decision boundary"
    calls = []
    training = window.training

    def train_and_show():  # what the Training controller does: the Train workspace, the curves forward
        calls.append("train")
        window.workspaces.show_dock("Curves")
        return True

    monkeypatch.setattr(training, "reset_weights", lambda: calls.append("reset"))
    monkeypatch.setattr(training, "train_and_show", train_and_show)
    monkeypatch.setattr(window.workbench, "ready", object())
    monkeypatch.setattr(window.workbench, "dataset", {"name": "gaussian"})
    lc.driver._fit_pending = False
    assert lc.driver.perform(lc.lesson.steps[1].show_me)
    assert calls == ["reset", "train"]
    qtbot.waitUntil(lambda: lc.driver.view_shown("Decision boundary"), timeout=2000)
    calls.clear()
    lc.go(2)  # the circle: the same neuron again, from fresh weights; no view to bring back
    monkeypatch.setattr(window.workbench, "dataset", {"name": "circle"})
    assert lc.driver.perform([a for a in lc.lesson.steps[2].show_me if a["do"] == "start_training"])
    assert calls == ["reset", "train"]


def test_a_long_choice_does_not_widen_the_panel(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("transfer")
    lc.go(2)  # its first choice is a long sentence
    box = next(entry for q, entry, _f in lc.panel.answers if "choices" in q)
    assert isinstance(box, QComboBox)
    assert box.sizeAdjustPolicy() == QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    assert box.minimumSizeHint().width() < 260
    scroll = lc.panel.findChild(type(lc.panel.layout().itemAt(0).widget()))
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_the_introduction_is_shortened_after_the_first_step(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("pooling")
    lc.go(0)
    full = lc.lesson.text
    assert lc.panel.intro.text() == full
    lc.go(1)
    assert lc.panel.intro.text() == intro_summary(full) != full
    assert not lc.panel.intro_toggle.isHidden()
    lc.panel.intro_toggle.click()  # More
    assert lc.panel.intro.text() == full
    lc.panel.intro_toggle.click()  # Less
    assert lc.panel.intro.text() == intro_summary(full)


def test_intro_summary_is_the_first_sentence():
    assert intro_summary("A **pooling** layer sums up: its max (0.5 or 1).\n\nMore.") == (
        "A **pooling** layer sums up: its max (0.5 or 1).")
    assert intro_summary("A neuron computes:\n\n    z = w·x + b") == "A neuron computes:"
    assert intro_summary("One sentence only") == "One sentence only"
    assert intro_summary("Each landmark network changed one idea. Compare them.") == (
        "Each landmark network changed one idea.")
