"""Another design replaces the trained one (File ▸ New, a preset, a lesson's example): nothing of the
last run or of the old model stays in the Train and Explore views. The Training panel says "Ready" over
an empty bar (not "Training finished after 2 epochs … 98.1%"); Feature maps lists no layer of the old
network and no class axis of its dataset; Filters shows none of its kernels; Evaluation none of its
confusion matrix; Explain, Adversarial and Inside none of their pictures, layers or health."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _replace(window, how: str) -> set[str]:
    """Replace the open design as a student would; the new design's node ids."""
    from netbuilder.presets import build_preset

    if how == "new":
        assert window.files.new_design()
    elif how == "preset":  # File ▸ New from preset ▸ AlexNet: it does not fit digits (3×224×224, 1000 classes)
        window.set_design(build_preset("alexnet"))
    elif how == "lesson":
        assert window.lessons.driver.perform([{"do": "open_design", "example": "digits_cnn"}])
    return {n.id for n in window.document.graph.iter_nodes()}


def _items(box) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def _class_labels(axis) -> list[str] | str:
    """What the probability plot's class axis says: its labels, or "numbers" when it counts by itself
    (over the range the bars before left it: 0 to 9 for digits)."""
    levels = axis._tickLevels
    return "numbers" if levels is None else [label for level in levels for _value, label in level]


def _settle(qtbot, trainer) -> None:
    """Let the replace's questions be answered and the ~30 Hz timer draw what the views hold."""
    qtbot.wait(600)
    assert trainer.wb.wait_idle(30)
    qtbot.wait(300)


def _train_and_look(window, trainer, run_to_end, qtbot):
    features = trainer.features
    window.workspaces.switch("Explore")  # (Ctrl+3) Feature maps shows the example's layers
    qtbot.waitUntil(lambda: features.layer_box.count() > 0, timeout=30_000)
    outcome = run_to_end(trainer)
    assert outcome is not None and outcome["kind"] == "finished"
    trainer.redraw()
    assert trainer.panel.progress_label.text().startswith("Training finished after 2 epochs")
    assert trainer.panel.progress.value() == 1000
    window.workspaces.switch("Explore")
    qtbot.waitUntil(lambda: not features.dirty and features.has_data(), timeout=30_000)
    assert _class_labels(features.prob_plot.getAxis("bottom")) == [str(k) for k in range(10)]
    assert features.maps_item.gap_frame.isVisible()  # (the tint between the maps' tiles)
    return set(_items(features.layer_box))


@pytest.mark.parametrize("how", ["new", "preset", "lesson"])
def test_the_training_panel_says_ready_after_a_replace(window, trainer, run_to_end, qtbot, how):
    window.files.ask_unsaved = lambda *a: "discard"  # (the trained weights are not saved)
    _train_and_look(window, trainer, run_to_end, qtbot)
    _replace(window, how)
    window.workspaces.switch("Train")  # (Ctrl+2)
    _settle(qtbot, trainer)
    trainer.redraw()
    panel = trainer.panel
    assert panel.progress_label.text() == "Ready"
    assert panel.progress.value() == 0
    assert trainer.run.finished is None and trainer.run.last_step is None and trainer.run.started is None


@pytest.mark.parametrize("how", ["new", "preset"])
def test_feature_maps_forget_the_old_network_after_a_replace(window, trainer, run_to_end, qtbot, how):
    window.files.ask_unsaved = lambda *a: "discard"
    old_layers = _train_and_look(window, trainer, run_to_end, qtbot)
    new_ids = _replace(window, how)
    assert not set(_items(trainer.features.layer_box)) & (old_layers - new_ids)  # at once, shown or not
    window.workspaces.switch("Explore")
    _settle(qtbot, trainer)
    trainer.redraw()
    features = trainer.features
    layers = set(_items(features.layer_box))
    assert layers <= new_ids, f"the old network's layers are still listed: {sorted(layers - new_ids)}"
    assert _class_labels(features.prob_plot.getAxis("bottom")) == [], "the old dataset's classes stay on the axis"
    assert features.prob_bars.opts["height"] is None or len(features.prob_bars.opts["height"]) == 0
    assert features.maps_item.image is None
    assert not features.maps_item.gap_frame.isVisible(), "a grey-blue square stays where the maps were"


def test_filters_and_evaluation_forget_the_old_network_after_a_preset(window, trainer, run_to_end, qtbot):
    window.files.ask_unsaved = lambda *a: "discard"
    window.workspaces.switch("Train")
    for title in ("Evaluation", "Filters"):
        trainer.docks[title].show()
        trainer.docks[title].raise_()
    run_to_end(trainer)
    qtbot.waitUntil(lambda: trainer.evaluation.has_data(), timeout=30_000)
    qtbot.waitUntil(lambda: trainer.filters.has_data(), timeout=30_000)
    assert "conv2d_1" in _items(trainer.filters.layer_box)
    _replace(window, "preset")  # AlexNet: it cannot compute on digits
    assert not _items(trainer.filters.layer_box) and not _items(trainer.filters.hist_box)
    assert trainer.evaluation.gallery.count() == 0 and "right" not in trainer.evaluation.info.text()  # at once
    _settle(qtbot, trainer)
    for title, view in (("Filters", trainer.filters), ("Evaluation", trainer.evaluation)):
        trainer.docks[title].raise_()
        qtbot.waitUntil(view.isVisible, timeout=5000)
        trainer.redraw()
        assert not view.dirty
    filters, evaluation = trainer.filters, trainer.evaluation
    assert not filters.has_data() and filters.grid_item.image is None
    assert not _items(filters.layer_box)
    assert filters.weight_hist.xData is None or len(filters.weight_hist.xData) == 0
    assert "conv2d_1" not in filters.weight_plot.titleLabel.text
    assert not evaluation.has_data() and evaluation.matrix_item.image is None and evaluation.gallery.count() == 0
    assert "right" not in evaluation.info.text()


def test_explore_views_forget_the_old_network_after_a_preset(window, trainer, run_to_end, qtbot):
    from netbuilder.presets import build_preset

    explore = window.explore
    window.files.ask_unsaved = lambda *a: "discard"
    run_to_end(trainer)
    window.workspaces.switch("Explore")
    for key in ("explain", "inside"):
        explore.docks[key].show()
        explore.docks[key].raise_()
        explore.request(key, now=True)
        qtbot.waitUntil(lambda k=key: explore.views[k].result is not None, timeout=30_000)
    explore.request("health", now=True)
    qtbot.waitUntil(lambda: explore.inside.health is not None, timeout=30_000)
    assert explore.inside.hints.count() > 0
    explain_layers = [explore.explain.layer_box.itemData(i) for i in range(explore.explain.layer_box.count())]
    assert "conv2d_1" in explain_layers
    window.set_design(build_preset("lenet5"))  # fits digits after Fit; as it comes, it does not
    for view in (explore.explain, explore.adversarial, explore.inside):
        assert view.result is None
        assert not any(image.has_image for image in view.images.values())
        for box in view.layer_boxes():
            assert [box.itemData(i) for i in range(box.count())] == [None]  # only the automatic choice
    assert explore.inside.health is None and explore.inside.hints.count() == 0
    assert "Checked" not in explore.inside.health_info.text()
