"""The Lesson panel offscreen: Show me does the step in the window (undoably), checks tick live, questions
answer at once, progress is kept per user, a broken lesson file is one message, the dock stays in every
workspace, and ``netbuilder --lesson`` reaches the window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from netbuilder.lessons import expected_answer, find_lesson

TICK = "✔"


def _ticks(controller) -> list[bool]:
    return [label.text().startswith(TICK) for label in controller.panel.check_labels]


def _open_pooling(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("pooling")
    qtbot.wait(10)
    return lc


def test_show_me_does_the_step_through_the_document_and_undo_takes_it_back(window, qtbot):
    lc = _open_pooling(window, qtbot)
    doc = window.document
    assert "maxpool2d_2" not in doc.graph.nodes  # the window's own example has one pooling layer
    lc.show_me()
    assert "maxpool2d_2" in doc.graph.nodes  # the Digits CNN example was opened
    assert doc.selection == ["maxpool2d_1"]
    lc.go(1)
    undo_before = doc.undo_stack.count()
    lc.show_me()
    assert "maxpool2d_2" not in doc.graph.nodes
    assert doc.undo_stack.count() == undo_before + 1  # one undo step
    doc.undo_stack.undo()
    assert "maxpool2d_2" in doc.graph.nodes
    lc.go(2)
    lc.driver._train_pending = False  # (no training here: the Xvfb test trains)
    steps = lc.lesson.steps[2].show_me
    assert lc.driver.perform([a for a in steps if a["do"] != "start_training"])
    assert any(n.kind == "avgpool2d" for n in doc.graph.iter_nodes())
    assert doc.design.training["lr"] == 0.01
    while doc.undo_stack.canUndo() and doc.undo_stack.index() > undo_before:
        doc.undo_stack.undo()
    assert not any(n.kind == "avgpool2d" for n in doc.graph.iter_nodes())


def test_checks_tick_live_as_the_student_works(window, qtbot):
    lc = _open_pooling(window, qtbot)
    assert _ticks(lc) == [False, False]
    from netbuilder.io import load_design
    from netbuilder.paths import resource

    window.set_design(load_design(resource("examples", "digits_cnn.nbd")))
    qtbot.waitUntil(lambda: _ticks(lc) == [True, False], timeout=2000)
    window.document.select(["maxpool2d_1"])
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True], timeout=2000)
    window.document.select(["conv2d_1"])
    qtbot.waitUntil(lambda: _ticks(lc) == [True, False], timeout=2000)


def test_view_checks_follow_the_workspace_and_docks(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("feature_maps")
    step = next(i for i, s in enumerate(lc.lesson.steps) if any(c["check"] == "view" for c in s.checks))
    lc.go(step)
    view = next(c["view"] for c in lc.lesson.steps[step].checks if c["check"] == "view")
    i = next(k for k, c in enumerate(lc.lesson.steps[step].checks) if c["check"] == "view")
    window.workspaces.switch("Build")
    qtbot.waitUntil(lambda: not _ticks(lc)[i], timeout=2000)
    window.workspaces.show_dock(view)
    qtbot.waitUntil(lambda: _ticks(lc)[i], timeout=2000)


def test_questions_give_instant_feedback_and_are_remembered(window, qtbot):
    lc = _open_pooling(window, qtbot)
    lc.show_me()
    question, entry, feedback = lc.panel.answers[0]
    right = expected_answer(question, lc.driver.state())
    entry.setText("1×1×1")
    entry.returnPressed.emit()
    assert feedback.text().startswith("✘")
    entry.setText("×".join(str(v) for v in right))
    entry.returnPressed.emit()
    assert feedback.text().startswith(TICK)
    assert "pool_shape" in lc.progress["answers"]["0"]
    lc.go(1)
    question, box, feedback = lc.panel.answers[1]
    box.setCurrentIndex(1)  # "The mean of the four values": wrong
    assert feedback.text().startswith("✘")
    box.setCurrentIndex(2)  # "The largest of the four values"
    assert feedback.text().startswith(TICK)


def test_wrong_tries_get_a_hint_then_the_answer_counted_per_step_visit(window, qtbot):
    """Each wrong try at a typed question counts (an empty Enter does not): the first two get a hint, the
    third the answer, so no student is stuck; back on the step, the count starts again."""
    from netbuilder.lessons.questions import REVEAL_AFTER

    lc = _open_pooling(window, qtbot)
    lc.show_me()
    question, entry, feedback = lc.panel.answers[0]
    right = "×".join(str(v) for v in expected_answer(question, lc.driver.state()))
    entry.setText("")
    entry.returnPressed.emit()
    for _ in range(REVEAL_AFTER - 1):
        entry.setText("1×1×1")
        entry.returnPressed.emit()
        assert feedback.text().startswith("✘ Not quite; try again. Hint:") and right not in feedback.text()
    entry.setText("1×1×1")
    entry.returnPressed.emit()
    assert feedback.text().startswith(f"✘ Not quite. The answer is {right} (select maxpool2d_1")
    lc.go(1)
    lc.go(0)
    question, entry, feedback = lc.panel.answers[0]
    entry.setText("1×1×1")
    entry.returnPressed.emit()
    assert "Hint:" in feedback.text() and right not in feedback.text()


def test_a_wrong_answer_on_another_network_points_to_show_me(window, qtbot):
    """Lesson 4, step 1 asks for the MLP's parameters: on the window's CNN a wrong answer says the question
    is about the step's network (its checks not met) and Show me builds it; on the MLP it does not."""
    from netbuilder.lessons.questions import OTHER_NETWORK

    lc = window.lessons
    assert lc.open_lesson("convolution")
    question, entry, feedback = lc.panel.answers[0]
    entry.setText("1")
    entry.returnPressed.emit()
    assert feedback.text().endswith(OTHER_NETWORK)
    lc.show_me()
    qtbot.waitUntil(lambda: "conv2d_1" not in window.document.graph.nodes, timeout=5000)
    entry.setText("1")
    entry.returnPressed.emit()
    assert feedback.text().startswith("✘") and OTHER_NETWORK not in feedback.text()


def test_progress_is_kept_per_user_and_restored(window, qtbot, settings):
    from netbuilder.ui.lessons import lesson_progress

    lc = _open_pooling(window, qtbot)
    lc.show_me()
    _answer_all(lc)
    lc.next()
    assert lc.index == 1
    assert lesson_progress(settings)["pooling"] == (1, 3)
    assert lc.open_lesson("convolution") and lc.index == 0
    assert lc.open_lesson("pooling")
    assert lc.index == 1  # back where the student was
    saved = json.loads(settings.value("lessons/pooling"))
    assert saved["checks"]["0"] == [0, 1] and saved["done"] == [0]
    window.menus["lessons"].aboutToShow.emit()  # the menu lists the progress as it opens
    assert "Pooling    1/3" in " ".join(a.text() for a in window.menus["lessons"].actions())


def _answer_all(lc) -> None:
    """Answer each of the step's questions right, as the student would."""
    for question, entry, _feedback in lc.panel.answers:
        if "choices" in question:
            entry.setCurrentIndex(question["answer"] + 1)
        else:
            right = expected_answer(question, lc.driver.state())
            entry.setText("×".join(map(str, right)) if isinstance(right, (list, tuple)) else str(right))
            entry.returnPressed.emit()


def test_a_step_is_done_when_its_checks_are_met_and_its_questions_answered(window, qtbot, monkeypatch):
    lc = _open_pooling(window, qtbot)
    lc.show_me()
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True], timeout=2000)
    assert lc.open_questions() == 2
    assert lc.panel.done_label.text() == "All checks met: now answer the 2 open questions above, then Next."
    assert 0 not in lc.progress["done"]
    asked = []
    monkeypatch.setattr("netbuilder.ui.lessons.controller.QMessageBox.question",
                        lambda _parent, _title, text, *a: asked.append(text) or QMessageBox.StandardButton.No)
    lc.next()
    assert lc.index == 0 and asked == ["2 questions are not answered yet. Go on anyway?"]
    question, entry, _feedback = lc.panel.answers[0]
    entry.setText("×".join(str(v) for v in expected_answer(question, lc.driver.state())))
    entry.returnPressed.emit()
    assert lc.panel.done_label.text() == "All checks met: now answer the question above, then Next."
    _answer_all(lc)
    assert lc.open_questions() == 0 and 0 in lc.progress["done"]
    assert lc.panel.done_label.text() == "All checks met: go on with Next."
    lc.next()
    assert lc.index == 1 and len(asked) == 1  # nothing left to ask about
    lc.next()  # step 2: neither its checks nor its questions
    assert asked[-1] == "Not every check of this step is met yet and 2 questions are not answered yet. Go on anyway?"


def test_next_asks_before_skipping_a_step_whose_checks_are_not_met(window, qtbot, monkeypatch):
    lc = _open_pooling(window, qtbot)
    asked = []
    monkeypatch.setattr(lc, "confirm_skip", lambda: asked.append(1) or False)
    lc.next()
    assert lc.index == 0 and asked == [1]
    monkeypatch.setattr(lc, "confirm_skip", lambda: True)
    lc.next()
    assert lc.index == 1
    assert 0 not in lc.progress["done"]  # skipped, not done


def test_a_broken_lesson_file_is_one_message_naming_the_file_and_place(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    bad = tmp_path / "mine.json"
    lesson = json.loads(find_lesson("pooling").path and open(find_lesson("pooling").path, encoding="utf-8").read())
    lesson["steps"][1]["checks"][0]["kind"] = "MaxPool"
    bad.write_text(json.dumps(lesson), encoding="utf-8")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    assert not window.lessons.open_lesson(str(bad))
    assert len(shown) == 1
    assert "mine.json" in shown[0] and "steps[1].checks[0].kind" in shown[0]
    assert window.lessons.lesson is None
    assert window.isVisible()


def test_the_lesson_dock_stays_in_every_workspace(window, qtbot):
    from PySide6.QtCore import Qt

    _open_pooling(window, qtbot)
    dock = window.docks["Lesson"]
    for name in ("Train", "Explore", "Build", "Train"):
        window.workspaces.switch(name)
        qtbot.wait(10)
        assert not dock.isHidden(), name
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
        window.layout().activate()
        others = [d for t, d in window.docks.items() if t != "Lesson" and d.isVisible() and not d.isFloating()]
        if name == "Train":  # under the curves: the Training panel stays whole
            panel = window.docks["Training"]
            assert panel.width() >= window.workspaces.needs("Training").width() - 8
            assert dock.geometry().top() > window.docks["Curves"].geometry().top()
        else:  # at the right edge, full height
            assert all(d.geometry().right() <= dock.geometry().left() + 8 for d in others), name
            assert dock.height() >= window.centralWidget().height(), name
    dock.close()
    window.workspaces.switch("Explore")
    assert dock.isHidden()  # closed stays closed


def test_cli_lesson_opens_the_window_with_the_lesson(monkeypatch):
    from netbuilder import cli

    calls = []
    monkeypatch.setattr(cli, "_open_window", lambda path, lesson=None: calls.append((path, lesson)) or 0)
    assert cli.main(["--lesson", "pooling"]) == 0
    assert calls[0] == (None, "pooling")
    assert cli.main(["--lesson"]) == 2


@pytest.mark.parametrize("argv", [["--lesson", "x.json", "a.nbd"], ["a.nbd", "--lesson", "x.json"]])
def test_cli_lesson_with_a_design(monkeypatch, tmp_path, argv):
    from netbuilder import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.nbd").write_text("{}")
    calls = []
    monkeypatch.setattr(cli, "_open_window", lambda path, lesson=None: calls.append((path, lesson)) or 0)
    assert cli.main(argv) == 0
    assert calls == [("a.nbd", "x.json")]


@pytest.mark.slow
@pytest.mark.parametrize("broken", [False, True])
def test_run_app_opens_the_lesson_and_a_broken_one_is_one_message(qapp, tmp_path, monkeypatch, broken):
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from netbuilder.ui import app as app_module
    from netbuilder.ui.files import FileController
    from netbuilder.ui.main_window import MainWindow

    monkeypatch.setenv("NETBUILDER_DATA_DIR", str(tmp_path / "data"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "cfg"))
    monkeypatch.setattr(FileController, "ask_recover", lambda self, when: False)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    lesson = "pooling"
    if broken:
        lesson = str(tmp_path / "teacher.json")
        (tmp_path / "teacher.json").write_text('{"format": "netbuilder-lesson", "version": 1, "id": "x",\n "stepz": []}')
    seen = {}

    def finish():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["windows"] = len(windows)
        seen["lesson"] = windows[0].lessons.lesson.id if windows and windows[0].lessons.lesson else None
        seen["dock"] = bool(windows) and not windows[0].docks["Lesson"].isHidden()
        for w in windows:
            w.files.ask_unsaved = lambda: "discard"
            w.close()

    QTimer.singleShot(600, finish)
    try:
        assert app_module.run_app(None, lesson=lesson) == 0
    finally:
        QSettings.setDefaultFormat(QSettings.Format.NativeFormat)
    assert seen["windows"] == 1
    if broken:
        assert seen["lesson"] is None and not seen["dock"]
        assert len(shown) == 1 and "teacher.json" in shown[0] and "stepz" in shown[0]
    else:
        assert seen["lesson"] == "pooling" and seen["dock"] and not shown


@pytest.mark.parametrize(("argv", "expected"), [
    (["--lesson", "pooling"], (None, "pooling")),
    (["a.nbd", "--lesson=x.json"], ("a.nbd", "x.json")),
    (["--lesson", "x.json", "a.nbd"], ("a.nbd", "x.json")),
    (["a.nbd"], ("a.nbd", None)),
])
def test_the_gui_script_takes_lesson_too(monkeypatch, argv, expected):
    import sys

    from netbuilder.ui import app as app_module

    calls = []
    monkeypatch.setattr(app_module, "run_app", lambda path, lesson=None: calls.append((path, lesson)) or 0)
    monkeypatch.setattr(sys, "argv", ["netbuilder-gui", *argv])
    assert app_module.main() == 0
    assert calls == [expected]


def test_the_last_step_done_says_finish_the_button_there_is(window, qtbot, tmp_path):
    """On the last step the button is Finish, and the line under the questions names it (it said Next)."""
    from netbuilder.paths import resource

    lesson = json.loads(resource("lessons", "05_pooling.json").read_text())
    lesson["id"], lesson["steps"] = "pooling_one_step", lesson["steps"][:1]
    path = tmp_path / "one_step.json"
    path.write_text(json.dumps(lesson))
    lc = window.lessons
    assert lc.open_lesson(path)
    assert lc.panel.next.text().replace("&", "") == "Finish ✔"
    lc.show_me()
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True], timeout=2000)
    assert lc.panel.done_label.text() == "All checks met: now answer the 2 open questions above, then Finish."
    _answer_all(lc)
    assert lc.panel.done_label.text() == "All checks met: go on with Finish."


def test_a_finished_lesson_goes_on_to_the_next_one_of_the_course(window, qtbot, monkeypatch):
    """Finish on a bundled lesson's last step turns the button into "Next lesson", which opens the next lesson
    of the course (the panel said only "choose another in the Lessons menu"); the last lesson has none."""
    from netbuilder.lessons import load_lessons

    monkeypatch.setattr("netbuilder.ui.lessons.controller.QMessageBox.question",
                        lambda *_a: QMessageBox.StandardButton.Yes)  # (skip the steps: their work is not the point)
    course = load_lessons()
    lc = _open_pooling(window, qtbot)
    after = course[[lesson.id for lesson in course].index("pooling") + 1]
    lc.go(len(lc.lesson.steps) - 1)
    lc.next()
    assert lc.progress["finished"]
    assert lc.panel.next.text().replace("&", "") == "Next lesson ▸" and lc.panel.next.toolTip() == after.title
    assert f"Next: {after.title}" in lc.panel.done_label.text()
    lc.next()
    assert lc.lesson.id == after.id and lc.index == 0
    assert lc.panel.next.text().replace("&", "") == "Next ▸"
    assert lc.open_lesson(course[-1].id)
    lc.go(len(lc.lesson.steps) - 1)
    lc.next()
    assert lc.panel.done_label.text() == f"Lesson complete: {course[-1].title}. Choose another in Help ▸ Lessons."
    assert lc.panel.next.text().replace("&", "") == "Finish ✔"
