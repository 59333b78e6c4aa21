"""The Lesson panel counts a run's results only for the network that run trained: a layer added (or brought
back by Redo) after the run leaves the step's accuracy check open, saying the result is of an earlier version
of the network; Undo back to the trained network ticks it again, and a kept tick goes with its network."""

from __future__ import annotations

from types import SimpleNamespace

TICK = "✔"
RUN = {"train_accuracy": 0.97, "val_accuracy": 0.97, "test_accuracy": 0.97, "train_loss": 0.1,
       "val_loss": 0.1, "test_loss": 0.1, "epochs": 3.0, "best_epoch": 2.0}


def _ticks(lc) -> list[bool]:
    return [label.text().startswith(TICK) for label in lc.panel.check_labels]


def _a_run(driver, **metrics: float) -> None:
    """A run of the design as it is now starts and finishes, as the training controller reports it."""
    driver._training_state("preparing")
    driver._run_finished(SimpleNamespace(kind="finished", **{**RUN, **metrics}))


def _pooling_step_3(window, qtbot):
    lc = window.lessons
    assert lc.open_lesson("pooling")
    lc.go(2)  # "Average pooling and training": has an avgpool2d, validation accuracy >= 75 %
    qtbot.wait(10)
    return lc


def test_redo_of_an_untrained_layer_does_not_tick_the_accuracy_of_the_network_without_it(window, qtbot):
    lc = _pooling_step_3(window, qtbot)
    doc = window.document
    doc.append("avgpool2d", "relu_1")  # the student adds it ...
    doc.flush()
    doc.undo_stack.undo()  # ... thinks again
    doc.flush()
    _a_run(lc.driver)  # and trains the network without average pooling (97 %)
    qtbot.waitUntil(lambda: _ticks(lc) == [False, True], timeout=2000)
    doc.undo_stack.redo()  # the average pooling is back: that network was never trained
    doc.flush()
    qtbot.waitUntil(lambda: _ticks(lc)[0], timeout=2000)
    assert _ticks(lc) == [True, False]
    label = lc.panel.check_labels[1].text()
    assert "earlier version of the network" in label and "train this network" in label
    assert 2 not in lc.progress["done"]
    doc.undo_stack.undo()  # back to the trained network: its accuracy counts again
    doc.flush()
    qtbot.waitUntil(lambda: _ticks(lc) == [False, True], timeout=2000)
    doc.undo_stack.redo()
    doc.flush()
    qtbot.waitUntil(lambda: _ticks(lc) == [True, False], timeout=2000)
    _a_run(lc.driver)  # now the network with average pooling is trained
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True], timeout=2000)
    assert 2 in lc.progress["done"]


def test_a_kept_tick_goes_with_the_network_that_met_it(window, qtbot):
    lc = _pooling_step_3(window, qtbot)
    doc = window.document
    _a_run(lc.driver)  # the network without average pooling meets the accuracy
    qtbot.waitUntil(lambda: _ticks(lc) == [False, True], timeout=2000)
    _a_run(lc.driver, val_accuracy=0.5)  # the same network again, worse: the check met in this step stays
    qtbot.wait(300)
    assert _ticks(lc) == [False, True]
    doc.append("avgpool2d", "relu_1")
    doc.flush()
    _a_run(lc.driver, val_accuracy=0.5)  # the network with average pooling does not reach 75 %
    qtbot.waitUntil(lambda: _ticks(lc)[0], timeout=2000)
    qtbot.wait(300)
    assert _ticks(lc) == [True, False]  # the tick of the other network does not count for this one
    assert 2 not in lc.progress["done"]
    lc.go(1)
    lc.go(2)  # back to the step, no run in it: the tick met by the other network is not this one's
    assert _ticks(lc) == [True, False]
    assert "earlier version of the network" in lc.panel.check_labels[1].text()
    doc.undo_stack.undo()  # the network that met it: its tick is kept
    doc.flush()
    qtbot.waitUntil(lambda: _ticks(lc) == [False, True], timeout=2000)


def test_an_explanation_counts_for_the_network_it_explained_not_an_edited_one(window, qtbot):
    """Lesson 12's Explain step: maps computed, then a layer added, leave the step open (the maps were of
    the network before the edit); Undo back to the explained network ticks it again."""
    import numpy as np

    from netbuilder.workbench import events as ev

    lc = window.lessons
    assert lc.open_lesson("explain_attack")
    lc.go(1)  # "Explain a prediction": saliency, Grad-CAM and occlusion maps
    qtbot.wait(10)
    doc = window.document
    heat = np.eye(8, dtype=np.float32)
    maps = {"saliency": heat, "grad_cam": heat, "occlusion": heat}
    lc.driver._event(ev.ViewResult("explain", 1, 0, value={**maps, "layer": "conv2d_1"}))
    qtbot.waitUntil(lambda: _ticks(lc) == [True, False, True], timeout=2000)  # Grad-CAM at conv2d_2, asked
    assert "computed at conv2d_1, not conv2d_2" in lc.panel.check_labels[1].toolTip()
    lc.driver._event(ev.ViewResult("explain", 1, 0, value={**maps, "layer": "conv2d_2"}))
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True, True], timeout=2000)
    last = [n.id for n in doc.graph.iter_nodes() if n.kind == "relu"][0]
    doc.append("dropout", last)  # the student edits the network after explaining it
    doc.flush()
    qtbot.waitUntil(lambda: _ticks(lc) == [False, False, False], timeout=2000)
    doc.undo_stack.undo()
    doc.flush()
    qtbot.waitUntil(lambda: _ticks(lc) == [True, True, True], timeout=2000)
