"""The transfer-learning journey's locks: a layer the weights file could not fill starts random and is left
unlocked by "Freeze all but the head"; once a run has trained it, it holds trained weights, so the same button
locks it like any other (and does not say it would stay random)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_freeze_all_but_the_head_locks_a_layer_trained_since_the_load(window, both, qtbot, tmp_path):
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    tc, ex = both
    doc = window.document
    other = doc.snapshot()
    other.graph.set_param("dense_1", "units", 16)  # dense_1 (and the head's input) will not fit
    save_weights(compile_design(other), tmp_path / "w.safetensors")
    ex.results.pop("load", None)
    ex.load_weights(str(tmp_path / "w.safetensors"))
    qtbot.waitUntil(lambda: "load" in ex.results and not tc.wb.busy, timeout=30_000)
    ex.transfer.freeze_all_but_head()
    assert doc.frozen == ["conv2d_1"]  # dense_1 holds random weights: it must learn
    assert "dense_1 got no weights from the file" in ex.transfer.message.text()

    doc.set_training_value("epochs", 1)
    assert tc.train()  # the head and dense_1 learn
    qtbot.waitUntil(lambda: tc.state == "idle", timeout=60_000)
    qtbot.waitUntil(lambda: not tc.wb.busy and tc.link.locks._fresh_key == tc.link.locks.key(), timeout=30_000)
    assert tc.wb.has_weights and tc.wb.host.untrained == {}

    doc.set_frozen(doc.frozen, False)  # Unfreeze all (fine-tuning) … then lock all but the head again
    ex.transfer.message.clear()
    ex.transfer.freeze_all_but_head()
    assert doc.frozen == ["conv2d_1", "dense_1"], "dense_1 is trained now: nothing keeps it unlocked"
    assert "random" not in ex.transfer.message.text() and "got no weights" not in ex.transfer.message.text()


def test_freeze_all_but_the_head_says_so_when_no_layer_holds_trained_weights(window, both, qtbot, tmp_path):
    """After Start fresh every layer holds random weights: the button still locks them (training a head on
    random features is an experiment worth making) but says that none holds trained weights."""
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    tc, ex = both
    doc = window.document
    save_weights(compile_design(doc.snapshot()), tmp_path / "w.safetensors")
    ex.results.pop("load", None)
    ex.load_weights(str(tmp_path / "w.safetensors"))
    qtbot.waitUntil(lambda: "load" in ex.results and not tc.wb.busy, timeout=30_000)
    ex.transfer.freeze_all_but_head()
    assert "none holds trained weights" not in ex.transfer.message.text()  # the file's weights are in
    doc.set_frozen(doc.frozen, False)
    tc.reset_weights()  # Start fresh
    qtbot.waitUntil(lambda: ex.transfer.trained is False, timeout=30_000)
    ex.transfer.freeze_all_but_head()
    assert doc.frozen == ["conv2d_1", "dense_1"]
    assert "none holds trained weights" in ex.transfer.message.text()
    assert "head will learn on random features" in ex.transfer.message.text()
