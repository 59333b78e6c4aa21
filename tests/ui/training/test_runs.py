"""Runs kept with the design: the runs file beside the design (round trip, thinned steps, a broken file),
runs saved with the design and reloaded when it opens, overlaid with their settings in the legend, and
hidden / renamed / deleted in the run list, each change kept in the file."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _fake_run(number: int, steps: int = 1000, epochs: int = 3, lr: float = 0.01):
    from netbuilder.ui.training.curves import RunCurves

    run = RunCurves(f"run {number}", number, {"optimizer": "adam", "lr": lr, "batch_size": 16, "epochs": epochs})
    for i in range(steps):
        epoch = i * epochs // steps
        run.add_step((i + 1) / steps * epochs, {"epoch": epoch, "step": i + 1, "loss": 2.0 / (1 + i),
                                                  "accuracy": i / steps, "lr": lr})
    for e in range(epochs):
        run.add_epoch({"epoch": e, "train_loss": 1.0 / (e + 1), "train_accuracy": 0.5 + e / 10,
                       "val_loss": 1.2 / (e + 1), "val_accuracy": 0.4 + e / 10 if e else math.nan, "lr": lr})
    return run


def test_runs_file_round_trip_keeps_epoch_rows_and_thins_steps(qapp, tmp_path):
    from netbuilder.ui.training.run_history import (
        MAX_STEP_POINTS,
        legend_text,
        load_runs,
        runs_path_for,
        save_runs,
    )

    path = runs_path_for(tmp_path / "mynet.nbd")
    assert path.name == "mynet.runs.json"
    first, second = _fake_run(1), _fake_run(2, lr=0.1)
    second.name, second.visible = "wide lr", False
    second.outcome = {"reason": "completed", "epochs": 3, "val_accuracy": 0.6, "test_accuracy": math.nan}
    save_runs(path, [first, second])
    assert "NaN" not in path.read_text()  # strict JSON
    loaded = load_runs(path)
    assert [r.number for r in loaded] == [1, 2]
    again = loaded[1]
    assert again.name == "wide lr" and not again.visible and again.settings["lr"] == 0.1
    assert again.outcome == {"reason": "completed", "epochs": 3, "val_accuracy": 0.6}
    rows = [r for r in again.rows if r["kind"] == "epoch"]
    assert [set(r) >= {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} for r in rows] == [True] * 3
    assert rows[2]["val_accuracy"] == pytest.approx(0.6) and math.isnan(rows[0]["val_accuracy"])
    assert np.allclose(again.val_loss.y, second.val_loss.y)
    assert 2 < again.loss.n <= MAX_STEP_POINTS and again.loss.x[-1] == second.loss.x[-1]
    assert path.stat().st_size < 120_000
    assert legend_text(loaded[0]) == "run 1 · adam lr 0.01 · batch 16"


@pytest.mark.parametrize("text", ["{not json", '{"format": "netbuilder-runs", "version": 1, "runs": [{"x": 1}]}',
                                  '{"format": "something else"}', ""])
def test_a_broken_runs_file_is_one_line(qapp, tmp_path, text):
    from netbuilder.ui.training.run_history import RunsFileError, load_runs

    path = tmp_path / "mynet.runs.json"
    path.write_text(text)
    with pytest.raises(RunsFileError) as e:
        load_runs(path)
    assert "\n" not in str(e.value) and "mynet.runs.json" in str(e.value)


def test_the_design_opens_despite_a_broken_runs_file(window, trainer, tmp_path):
    path = tmp_path / "net.nbd"
    assert window.files.save_to(path)
    (tmp_path / "net.runs.json").write_text("[1, 2")
    assert window.files.open_path(path, ask=False)
    assert window.document.path is not None and "dense_1" in window.document.graph
    text = trainer.panel.messages.label.text()
    assert "earlier runs could not be read" in text and "\n" not in text
    assert trainer.curves.history == [] and trainer.curves.run is None


def test_runs_are_saved_with_the_design_overlaid_and_edited(window, trainer, run_to_end, qtbot, tmp_path):
    curves, doc = trainer.curves, window.document
    trainer.docks["Curves"].show()
    trainer.docks["Curves"].raise_()
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    doc.set_training_value("lr", 0.05, "set the learning rate")
    assert run_to_end(trainer)["kind"] == "finished"
    assert [r.number for r in curves.all_runs()] == [1, 2]
    path = tmp_path / "net.nbd"
    assert window.files.save_to(path)
    saved = json.loads((tmp_path / "net.runs.json").read_text())
    assert [r["name"] for r in saved["runs"]] == ["run 1", "run 2"]
    epoch = saved["runs"][0]["epochs"][0]
    assert set(epoch) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"} and epoch["epoch"] == 1
    assert saved["runs"][1]["settings"]["lr"] == 0.05 and saved["runs"][1]["outcome"]["reason"] == "completed"

    window.files.open_path(path, ask=False)  # reopened: run 1 overlaid, run 2 the current run
    assert curves.run.number == 2 and [r.number for r in curves.history] == [1]
    assert "run 1 · adam lr 0.01 · batch 16" in curves.legend_names()
    assert curves.run_list.list.count() == 2
    curves.refresh()
    curves.grab().save(str(tmp_path / "curves_runs.png"))

    item = curves.run_list.item_for(1)
    item.setCheckState(Qt.CheckState.Unchecked)  # hide
    assert not curves.history[0].visible and not any(n.startswith("run 1") for n in curves.legend_names())
    item.setText("baseline")  # rename
    curves.run_list.item_for(1).setCheckState(Qt.CheckState.Checked)
    assert "baseline · adam lr 0.01 · batch 16" in curves.legend_names()
    on_disk = json.loads((tmp_path / "net.runs.json").read_text())["runs"]
    assert on_disk[0]["name"] == "baseline" and on_disk[0]["visible"]
    curves.run_list.list.setCurrentItem(curves.run_list.item_for(2))
    curves.run_list.delete_button.click()  # delete the current run
    assert curves.run is None and [r.number for r in curves.all_runs()] == [1]

    window.files.open_path(path, ask=False)
    assert [(r.number, r.name) for r in curves.all_runs()] == [(1, "baseline")]
    assert run_to_end(trainer)["kind"] == "finished"
    assert curves.run.name == "run 2" and curves.history[0].name == "baseline"  # numbered after the kept runs


def test_run_list_delete_key_and_the_live_run(qtbot):
    from netbuilder.ui.training.curves import CurvesView

    view = CurvesView()
    qtbot.addWidget(view)
    view.set_design_runs([_fake_run(1, 50, 2), _fake_run(2, 50, 2, lr=0.1)])
    edits: list[int] = []
    view.runs_edited.connect(lambda: edits.append(1))
    view.show()
    assert [view.run_list.list.item(i).text() for i in range(2)] == ["run 2", "run 1"]  # newest first
    view.start_run(None, {"optimizer": "sgd", "lr": 0.5, "batch_size": 8})
    view.training = True
    assert view.run.name == "run 3" and "run 2 · adam lr 0.1 · batch 16" in view.legend_names()
    view._sync_list()
    live = view.run_list.item_for(3)
    view.run_list.list.setCurrentItem(live)
    assert not view.run_list.delete_button.isEnabled()  # the run that trains stays
    view.run_list.list.setCurrentItem(view.run_list.item_for(1))
    view.run_list.list.setFocus()
    qtbot.keyClick(view.run_list.list, Qt.Key.Key_Delete)
    assert [r.number for r in view.history] == [2] and edits == [1]
    view.finish_run({"kind": "finished", "reason": "completed", "epochs": 2, "val_accuracy": 0.9})
    assert "completed after 2 epochs, validation accuracy 90.0%" in view.run_list.item_for(3).toolTip()


def test_a_new_run_adds_one_runs_items_and_keeps_the_others(qtbot):
    """The earlier runs' plot items are made once: a new run adds the items of the run before it (their number
    does not grow with the history on every run), the legend still names them newest first, and a hidden or
    deleted run's items leave the plots."""
    from netbuilder.ui.training.curves import CurvesView

    view = CurvesView()
    qtbot.addWidget(view)
    view.set_design_runs([_fake_run(1, 50, 2), _fake_run(2, 50, 2, lr=0.1)])
    view.show()

    def history_items():
        return [item for item in view.loss_plot.listDataItems() if item.zValue() == -10]

    first = history_items()
    assert len(first) == 3  # run 1: smoothed loss, loss over each epoch, validation loss
    for _ in range(2):  # runs 3 and 4
        view.run.add_step(0.5, {"epoch": 0, "step": 1, "loss": 1.0, "accuracy": 0.5, "lr": 0.1})
        view.start_run(None, {"optimizer": "sgd", "lr": 0.5, "batch_size": 8})
    now = history_items()
    assert len(now) == 9 and all(any(item is old for item in now) for old in first)  # run 1's items kept
    names = [n for n in view.legend_names() if n.startswith("run ")]
    assert [n.split(" ·")[0] for n in names] == ["run 4", "run 3", "run 2", "run 1"]  # the current run, then newest first
    view.set_run_visible(1, False)
    assert len(history_items()) == 6 and not any(item is old for item in history_items() for old in first)
    view.set_run_visible(1, True)
    assert len(history_items()) == 9 and [n.split(" ·")[0] for n in view.legend_names() if n.startswith("run ")] \
        == ["run 4", "run 3", "run 2", "run 1"]
    view.delete_run(2)
    assert len(history_items()) == 6 and not any(n.startswith("run 2 ") for n in view.legend_names())


def test_cached_axes_and_earlier_runs_are_drawn_anew_when_the_plot_changes(qtbot):
    """The axes and the earlier runs' curves are painted from pixmaps while they stay as they are (the live
    run is redrawn many times a second over them); a new range draws them anew, never a stale picture."""
    from PySide6.QtWidgets import QGraphicsItem

    from netbuilder.ui.training.curves import CurvesView

    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.set_design_runs([_fake_run(1, 50, 2), _fake_run(2, 50, 2, lr=0.1)])  # run 1 is an earlier run
    view.show()
    qtbot.waitExposed(view)
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert view.loss_plot.getAxis("left").cacheMode() == cached
    history = [item for item in view.loss_plot.listDataItems() if item.zValue() == -10]
    assert history and all(item.curve.cacheMode() == cached for item in history)

    def axis_pixels():
        axis = view.loss_plot.getAxis("left")
        rect = axis.mapRectToScene(axis.boundingRect()).toAlignedRect()
        return view.layout_widget.grab(rect).toImage()

    view.loss_plot.enableAutoRange(y=False)
    view.loss_plot.setYRange(0, 1, padding=0)
    qtbot.wait(50)
    before = axis_pixels()
    assert axis_pixels() == before  # nothing changed: the same picture
    view.loss_plot.setYRange(0, 100, padding=0)
    qtbot.wait(50)
    assert axis_pixels() != before  # new tick labels, not the cached ones


def test_a_setting_changed_during_a_run_is_kept_with_the_run(qtbot, tmp_path):
    """Paused, the learning rate lowered, resumed: the run's legend says so after the settings it started with,
    the runs file keeps it, and the reopened design draws the change's line again (its legend said lr 0.01
    for a run that trained mostly at 0.001, and the line was gone)."""
    from netbuilder.ui.training.curves import CurvesView
    from netbuilder.ui.training.run_history import legend_text, load_runs, save_runs

    view = CurvesView()
    qtbot.addWidget(view)
    view.show()
    run = view.start_run(None, {"optimizer": "adam", "lr": 0.01, "batch_size": 16})
    run.add_step(0.5, {"epoch": 0, "step": 1, "loss": 1.0, "accuracy": 0.5, "lr": 0.01})
    view.mark(0.5, "lr 0.01→0.001")
    assert legend_text(run) == "run 1 · adam lr 0.01 · batch 16 · then lr 0.01→0.001"
    path = tmp_path / "d.runs.json"
    save_runs(path, [run])
    reopened = CurvesView()
    qtbot.addWidget(reopened)
    reopened.set_design_runs(load_runs(path))
    reopened.show()
    assert reopened.run.marks == [(0.5, "lr 0.01→0.001")] and reopened.markers == [(0.5, "lr 0.01→0.001")]
    assert len(reopened._marker_items) == 3  # its line on the three plots
    assert legend_text(reopened.run).endswith("then lr 0.01→0.001")
    reopened.start_run(None, {"optimizer": "adam", "lr": 0.001, "batch_size": 16})  # the next run: no line
    assert reopened.markers == [] and reopened.history[0].marks == [(0.5, "lr 0.01→0.001")]
