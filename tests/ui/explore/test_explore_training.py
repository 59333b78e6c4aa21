"""The explore docks with the training controller: a short run fills the Overfitting lab (best epoch
marked), the health check then colours the canvas and uses the trained model, frozen layers set from
the explore side reach the run, and questions asked during a run are answered between steps."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


EPOCHS = 2  # the runs of this file (the ``both`` fixture: conftest.py)


def test_short_run_fills_the_lab_and_health_colours_the_canvas(window, both, qtbot, show, wait_result):
    tc, ex = both
    show(ex, "inside")
    ex.inside.live.setChecked(False)
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    assert tc.run.finished is not None, tc.run.fault
    assert len(ex.lab.epochs) == 2 and ex.lab.best_epoch == tc.run.finished.best_epoch
    assert ex.lab.best_line.isVisible()
    r = wait_result(ex, "health", after=lambda: ex.request("health", now=True))
    assert r["trained"] and set(r["layers"]) >= {"conv2d_1", "relu_1", "dense_1", "dense_2"}
    assert all(np.isfinite(v) for v in r["norms"])
    colours = {n: item.health for n, item in window.scene.nodes.items() if item.health is not None}
    assert {"conv2d_1", "relu_1", "dense_2"} <= set(colours)
    assert colours["relu_1"][1].endswith("dead") and colours["conv2d_1"][0] in ("ok", "warn", "bad")
    assert ex.inside.hints.count() >= 1


def test_frozen_layer_set_in_explore_is_not_trained(window, both, qtbot):
    import torch

    tc, ex = both
    doc = window.document
    doc.select(["conv2d_1"])
    ex.freeze_action.trigger()
    assert tc.settings().get("frozen") == ["conv2d_1"], "the design's training settings must carry 'frozen'"
    ex.transfer.refresh()
    rows = [ex.transfer.layers.item(i) for i in range(ex.transfer.layers.count())]
    items = {item.data(Qt.ItemDataRole.UserRole): item for item in rows}

    def drawn(item) -> bool:
        image = item.icon().pixmap(19, 17).toImage()
        return any(image.pixelColor(x, y).alpha() for x in range(19) for y in range(17))

    assert "conv2d_1" in items and drawn(items["conv2d_1"])  # the canvas's lock badge, drawn
    # Each row says what the layer is and how many weights it has; the list, what a run trains.
    counts = {n: node.params for n, node in doc.analysis.nodes.items() if n in items}
    assert items["conv2d_1"].text() == f"conv2d_1  ·  Conv2d  ·  {counts['conv2d_1']:,} parameters"
    trained = sum(counts.values()) - counts["conv2d_1"]
    assert f"trains {trained:,} of the {sum(counts.values()):,} parameters (1 of {len(items)} layers locked)" \
        in ex.transfer.summary.text()
    assert not any(drawn(items[n]) for n in items if n != "conv2d_1")  # (a clear icon: the rows align)
    wb = tc.wb
    assert wb.wait_idle()
    wb.host.reset()
    wb.host.build(doc.snapshot(), seed=0)  # the executor is idle: the test may look at the model
    before = wb.host.model.get_submodule("conv2d_1").weight.detach().clone()
    head = wb.host.model.get_submodule("dense_2").weight.detach().clone()
    wb.host.trained = True
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    assert torch.equal(wb.host.model.get_submodule("conv2d_1").weight, before)
    assert not torch.equal(wb.host.model.get_submodule("dense_2").weight, head)


def test_questions_during_a_run_are_answered_between_steps(window, both, qtbot, show):
    tc, ex = both
    tc.panel.fields["epochs"].setValue(200)
    show(ex, "adversarial")
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "training", timeout=30_000)
    ex.results.pop("adversarial", None)
    ex.request("adversarial", now=True)
    assert ex.wb.busy  # a Control "call" request in flight
    qtbot.waitUntil(lambda: "adversarial" in ex.results, timeout=30_000)
    tc.stop()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=30_000)
    r = ex.results["adversarial"]
    assert r["trained"] and "live" in r["source"] and r["image"].shape == (8, 8)


def test_the_inside_view_checks_health_when_shown_after_a_run(window, both, qtbot, show, wait_result):
    """With "refresh after every epoch" on, the Inside view shown after training checks the network at
    once: its list of findings was empty, saying nothing, until the button was pressed."""
    tc, ex = both
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    assert "health" not in ex.results and ex.inside.hints.count() == 0  # (not shown during the run)
    show(ex, "inside")
    r = wait_result(ex, "health")
    assert r["trained"] and ex.inside.hints.count() >= 1


def test_the_lab_keeps_the_run_before_to_compare_with(window, both, qtbot, show):
    """Lesson 9 step 2: "train the same 20 epochs again ... so the two runs compare", but the lab cleared
    the first run when the second started: nothing to compare with there. The run before stays, dashed,
    and the text says its best validation loss and gap; another design forgets it."""
    tc, ex = both
    show(ex, "lab")
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    first = [dict(e) for e in ex.lab.epochs]
    assert len(first) == EPOCHS and ex.lab.before == []

    def before_in_legend() -> bool:
        return any(label.isVisible() for sample, label in ex.lab.legend.items if sample.item is ex.lab.before_val)

    assert not before_in_legend()  # no run before: the legend does not name one
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    assert ex.lab.before == first and len(ex.lab.epochs) == EPOCHS
    xs, ys = ex.lab.before_val.getData()
    assert list(ys) == [e["val_loss"] for e in first] and before_in_legend()
    best = min(first, key=lambda e: e["val_loss"])
    assert f"The run before (dashed): best validation loss {best['val_loss']:.3f}" in ex.lab.gap_label.text()
    from netbuilder.ui.app import build_digits_cnn

    window.files.ask_unsaved = lambda: "discard"
    window.document.set_design(build_digits_cnn())
    assert ex.lab.before == [] and ex.lab.epochs == [] and len(ex.lab.before_val.getData()[0] or []) == 0
    assert not before_in_legend()
