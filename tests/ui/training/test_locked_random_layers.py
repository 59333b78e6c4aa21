"""A locked (frozen) layer whose loaded weights no longer fit the network holds random weights, and a run
would never train it: Fit unlocks it in its own undo step, any other edit brings a warning with an Unlock
button (Train refuses while it holds), and the Transfer view stops saying the layer holds the file's weights.
The workbench knows which layers hold fresh weights (``ModelHost.fresh_layers``), also after a run that left
one locked, and a layer locked by one run trains in the next once unlocked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _load_and_lock(window, tc, ex, qtbot, tmp_path) -> None:
    """Weights from a file for every layer (a.safetensors of the same network), then all but the head locked."""
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    save_weights(compile_design(window.document.snapshot()), tmp_path / "a.safetensors")
    ex.results.pop("load", None)
    ex.load_weights(str(tmp_path / "a.safetensors"))
    qtbot.waitUntil(lambda: "load" in ex.results and not tc.wb.busy, timeout=30_000)
    assert "loaded 3 of 3 layers" in ex.transfer.report.text()
    ex.transfer.freeze_all_but_head()
    assert window.document.frozen == ["conv2d_1", "dense_1"]


def _answered(tc, qtbot) -> None:
    """The workbench has answered which layers hold random weights, for the design as it is now."""
    window_doc = tc.document
    window_doc.flush()
    qtbot.waitUntil(lambda: tc.link.locks._fresh_key == tc.link.locks.key() and not tc.wb.busy, timeout=30_000)


def test_fit_unlocks_a_locked_layer_whose_weights_no_longer_fit_in_the_same_undo_step(window, both, qtbot,
                                                                                      tmp_path):
    tc, ex = both
    doc = window.document
    _load_and_lock(window, tc, ex, qtbot, tmp_path)
    tc._dataset_chosen("shapes")  # 1×28×28 images, 6 classes: dense_1's input grows, the head shrinks
    qtbot.waitUntil(lambda: tc.wb.dataset is not None and tc.wb.dataset["name"] == "shapes", timeout=30_000)
    steps = doc.undo_stack.count()
    assert tc.link.fit_design()
    assert doc.undo_stack.count() == steps + 1  # the fit and the unlock: one step
    assert doc.frozen == ["conv2d_1"], "dense_1 holds random weights now: locked, it would never learn"
    bar = tc.panel.messages.text()
    assert "unlocked dense_1" in bar and "its input shape changed" in bar
    _answered(tc, qtbot)
    assert tc.link.locked_left_random() == {}
    assert not tc.link.refuse_locked_random()
    # the Transfer view no longer says every loaded layer holds the file's weights
    report = ex.transfer.report.text()
    assert "Since then dense_1 and dense_2 do not hold the file's weights" in report
    assert "dense_1: its input shape changed" in report and "1 of the 3 loaded layers still holds them" in report
    doc.undo_stack.undo()  # the fit and the unlock go together
    assert doc.frozen == ["conv2d_1", "dense_1"] and doc.graph.node("dense_2").params["units"] == 10


def test_an_edit_that_leaves_a_locked_layer_random_is_warned_and_train_refuses(window, both, qtbot, tmp_path):
    tc, ex = both
    doc = window.document
    _load_and_lock(window, tc, ex, qtbot, tmp_path)
    doc.set_param("conv2d_1", "filters", 4)  # conv2d_1's own weights and dense_1's input change
    _answered(tc, qtbot)
    left = tc.link.locked_left_random()
    assert set(left) == {"conv2d_1", "dense_1"}, left
    bar = tc.panel.messages
    assert "Locked layers conv2d_1 and dense_1 hold random weights" in bar.text()
    assert any(not b.isHidden() and b.text() == "Unlock them" for b in bar.buttons)
    assert tc.link.refuse_locked_random(), "a run with a locked layer left random learns nothing"
    assert bar.text().startswith("Cannot train yet:") and tc.state == "idle"
    button = next(b for b in bar.buttons if b.property("key") == "unlock_fresh")
    button.click()
    assert doc.frozen == [] and doc.undo_stack.undoText().startswith("unfreeze")
    assert "hold random weights" not in bar.text()
    doc.undo_stack.undo()  # locked again: the warning comes back
    _answered(tc, qtbot)
    assert "hold random weights" in bar.text()
    doc.undo_stack.undo()  # the edit undone: the loaded weights are back, nothing to warn about
    _answered(tc, qtbot)
    assert tc.link.locked_left_random() == {} and "random weights" not in bar.text()
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)


def test_a_layer_locked_by_one_run_is_trained_by_the_next_once_unlocked(window, both, qtbot):
    import torch

    tc, ex = both
    doc, wb = window.document, tc.wb
    doc.set_frozen(["conv2d_1"], True)
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    before = wb.host.model.get_submodule("conv2d_1").weight.detach().clone()
    doc.set_frozen(["conv2d_1"], False)
    assert tc.train()
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    assert not torch.equal(wb.host.model.get_submodule("conv2d_1").weight, before)


def test_the_host_knows_a_fresh_layer_a_run_left_locked_stays_untrained(window, both, qtbot, tmp_path):
    """After a run that trained everything but a fresh locked layer, that layer is still called untrained
    (it was called trained, so the next edit, Fit or save treated its random weights as learnt)."""
    from netbuilder.workbench.host import fresh_layers_job

    tc, ex = both
    doc, wb = window.document, tc.wb
    _load_and_lock(window, tc, ex, qtbot, tmp_path)
    doc.set_param("dense_1", "units", 16)  # dense_1 (locked) and the head start fresh
    doc.flush()
    assert doc.frozen == ["conv2d_1", "dense_1"]
    # (train anyway, straight through the workbench)
    started, _message, _fit = wb.train(tc.settings())
    assert started
    qtbot.waitUntil(lambda: not wb.running and not wb.busy, timeout=60_000)
    answer = fresh_layers_job(wb.host, doc.snapshot())(None, None)
    assert answer["trained"] and list(answer["fresh"]) == ["dense_1"], answer
