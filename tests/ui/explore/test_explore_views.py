"""The explore docks in the real window (offscreen, CPU, the 8×8 digits and the example CNN): each view
opens and fills with data computed off the GUI thread, and every design change is one undo step."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

pytestmark = pytest.mark.gui


def test_docks_and_freeze_action_installed(window, explore):
    assert set(explore.docks) == {"lab", "augment", "transfer", "explain", "adversarial", "inside"}
    assert explore.freeze_action in window.view.actions()  # the canvas context menu
    assert explore.freeze_action in window.toolbar.actions()


def test_augmentation_grid_follows_settings_and_is_undoable(window, explore, show, wait_result):
    doc = window.document
    show(explore, "augment")
    plain = wait_result(explore, "augment")
    # 16 copies of the 8×8 sample, each pixel drawn 2×2, 1-pixel gaps (NaN: tinted)
    assert plain["grid"].shape == (4 * 16 + 3, 4 * 16 + 3) and not plain["active"]
    assert np.isnan(plain["grid"][16]).all() and not np.isnan(plain["grid"][:16, :16]).any()
    tiles = [plain["grid"][r * 17:r * 17 + 16, c * 17:c * 17 + 16] for r in range(4) for c in range(4)]
    assert all(np.array_equal(t, tiles[0]) for t in tiles)  # nothing on: 16 copies of the sample
    result = wait_result(explore, "augment", after=lambda: explore.augment.shift.setValue(2))
    assert result["active"] and result["changed"] > 0
    tiles = [result["grid"][r * 17:r * 17 + 16, c * 17:c * 17 + 16] for r in range(4) for c in range(4)]
    assert np.array_equal(tiles[0], plain["grid"][:16, :16]) and not np.array_equal(tiles[1], tiles[0])
    assert explore.augment.grid.has_image
    assert doc.design.training["augmentation"]["shift"] == 2
    doc.undo_stack.undo()
    assert "augmentation" not in doc.design.training and explore.augment.shift.value() == 0


def test_explain_view_fills_three_maps_of_the_input_size(window, explore, show, wait_result):
    show(explore, "explain")
    r = wait_result(explore, "explain")
    assert r["image"].shape == (8, 8)
    for key in ("saliency", "grad_cam", "occlusion"):
        assert r[key].shape == (8, 8) and r[f"{key}_overlay"].shape == (96, 96, 3)  # upscaled for the eye
        assert explore.explain.images[key].has_image
    assert r["saliency"].max() > 0 and r["layer"] == "relu_1"  # the last layer with maps before the final pool
    assert 0 <= r["grad_cam"].min() and r["grad_cam"].max() <= 1
    assert "Untrained weights" in explore.explain.info.text()
    r = wait_result(explore, "explain", after=lambda: explore.explain.class_box.setCurrentIndex(4))
    assert r["class"] == 3  # "predicted class" first, then classes 0, 1, 2, 3


def test_adversarial_changes_the_input_only_for_positive_epsilon(window, explore, show, wait_result):
    show(explore, "adversarial")
    view = explore.adversarial
    r = wait_result(explore, "adversarial", after=lambda: view.epsilon.setValue(0))
    assert r["max_change"] == 0 and np.allclose(r["adversarial"], r["image"], atol=1e-5)
    assert np.allclose(r["perturbation"], 0.5)  # grey: unchanged
    r = wait_result(explore, "adversarial", after=lambda: view.epsilon.setValue(20))  # ε = 0.05
    assert 0 < r["max_change"] <= 0.05 + 1e-5 and not np.allclose(r["adversarial"], r["image"])
    assert r["perturbation"].min() < 0.5 < r["perturbation"].max()
    r = wait_result(explore, "adversarial", after=lambda: view.method.setCurrentIndex(1))
    assert r["method"] == "pgd" and r["steps"] == 5 and r["true_after"] <= r["true_before"] + 1e-6
    assert "before" in view.info.text() and view.images["perturbation"].has_image


def test_the_smallest_epsilon_is_found_and_the_slider_moves_to_it(window, explore, show, wait_result):
    """'Smallest ε that fools it': the attack at the ε found changes the prediction, the slider shows that
    ε, the note says so; one slider step less and the prediction holds."""
    show(explore, "adversarial")
    view = explore.adversarial
    wait_result(explore, "adversarial")
    for index in range(8):  # (the example's untrained network: a sample some ε fools)
        r = wait_result(explore, "adversarial", after=lambda i=index: (view.bar.sample.setValue(i),
                                                                      view.search_button.click()))
        if r["smallest"] is not None:
            break
        assert "No ε up to 0.25 changes the prediction" in view.info.text()
    assert r["searched"] and r["changed"] and r["smallest"] is not None
    assert view.epsilon.value() == round(r["smallest"] * 400) and f"{r['smallest']:.3f}" in view.epsilon_label.text()
    assert "The smallest ε that changes it" in view.info.text()
    step = view.epsilon.value()
    r = wait_result(explore, "adversarial", after=lambda: view.epsilon.setValue(step - 1))
    assert not r["searched"] and not r["changed"] and "The prediction held." in view.info.text()


def test_a_search_asked_for_survives_its_question_being_asked_again(qtbot):
    """'Smallest ε that fools it' is in every question until its answer comes: a question asked again (its
    answer came for an older design, or a sample changed under load) searched no more, and the click was
    lost (a plain attack answered it). The student's own change of the attack ends the search."""
    from netbuilder.ui.explore.model_views import AdversarialView

    view = AdversarialView()
    qtbot.addWidget(view)
    view.search()
    assert view.query()["search"] is not None and view.query()["search"] is not None  # asked twice: both search
    view.show_result({"searched": True, "epsilon": 0.05, "smallest": 0.05, "tries": 4, "image": np.zeros((8, 8)),
                      "adversarial": np.zeros((8, 8)), "perturbation": np.zeros((8, 8)), "max_change": 0.05,
                      "changed": True, "label": 0, "before": 0, "after": 1, "before_p": 0.9, "after_p": 0.6,
                      "true_before": 0.9, "true_after": 0.3, "method": "fgsm", "steps": 5, "class_names": []})
    assert view.query()["search"] is None and view.epsilon.value() == 20  # answered: the slider at ε found
    view.search()
    view.epsilon.setValue(4)  # the student moves the slider before the answer: their ε, no search
    assert view.query()["search"] is None and view.query()["epsilon"] == pytest.approx(0.01)


def test_receptive_field_highlight_matches_introspect(window, explore, show, wait_result):
    from netbuilder.introspect import receptive_field

    show(explore, "inside")
    view = explore.inside
    r = wait_result(explore, "inside")
    assert r["layer"] == "conv2d_1" and r["map"].shape == (8, 8)
    view.feature.click_pixel(0, 5)
    assert view.input.highlight == receptive_field(window.document.graph, "conv2d_1", 0, 5)
    r = wait_result(explore, "inside", after=lambda: view.layer_box.setCurrentIndex(view.layer_box.findData("maxpool2d_1")))
    assert r["layer"] == "maxpool2d_1" and r["map"].shape == (4, 4)
    view.feature.click_pixel(2, 1)
    expected = receptive_field(window.document.graph, "maxpool2d_1", 2, 1)
    assert view.input.highlight == expected == view.region and expected != (0, 8, 0, 8)


def _render(item) -> QImage:
    image = QImage(260, 120, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.translate(130, 60)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    return image


def test_lock_toggle_is_undoable_and_draws_the_badge(window, explore, show):
    doc = window.document
    item = window.scene.nodes["conv2d_1"]
    doc.select(["conv2d_1"])
    plain = _render(item)
    explore.freeze_action.trigger()
    assert doc.design.training["frozen"] == ["conv2d_1"] and item.frozen and explore.freeze_action.isChecked()
    assert _render(item) != plain  # hatched, with a lock badge
    assert explore.transfer.layers.count() == 0  # hidden: the Transfer view's list waits to be shown
    show(explore, "transfer")
    assert explore.transfer.layers.item(0).checkState().name == "Checked"
    doc.undo_stack.undo()
    assert explore.transfer.layers.item(0).checkState().name == "Unchecked"  # shown: it follows at once
    doc.undo_stack.redo()
    doc.undo_stack.undo()
    assert not doc.design.training.get("frozen") and not item.frozen and _render(item) == plain
    doc.undo_stack.redo()
    assert item.frozen


def test_overfitting_lab_edits_are_undoable_and_marks_the_best_epoch(window, explore):
    doc, lab = window.document, explore.lab
    lab.fraction.setValue(25)
    assert doc.design.training["train_fraction"] == 0.25
    lab.weight_decay.setValue(0.001)
    lab.patience.setValue(3)
    assert doc.design.training["weight_decay"] == 0.001 and doc.design.training["early_stopping_patience"] == 3
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert "train_fraction" not in doc.design.training and lab.fraction.value() == 100
    doc.select(["dense_1"])
    new = lab.insert_after("dropout")
    assert doc.graph.node(new).kind == "dropout" and any(e.src == "dense_1" and e.dst == new for e in doc.graph.edges)
    doc.select(["conv2d_1"])
    assert doc.graph.node(lab.insert_after("batchnorm")).kind == "batchnorm2d"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert new not in doc.graph
    for epoch, (tl, vl) in enumerate([(2.0, 1.9), (1.0, 1.2), (0.5, 1.1), (0.2, 1.4)]):
        lab.add_epoch({"epoch": epoch, "train_loss": tl, "val_loss": vl})
    assert lab.best_epoch == 2 and lab.best_line.isVisible() and lab.best_line.value() == 3
    assert "Best epoch 3" in lab.gap_label.text() and "overfits" in lab.gap_label.text()


def test_transfer_loads_weights_and_replaces_the_head(window, explore, show, wait_result, tmp_path):
    import torch

    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    doc = window.document
    model = compile_design(doc.snapshot())
    with torch.no_grad():
        model.get_submodule("conv2d_1").weight.fill_(0.25)
    save_weights(model, tmp_path / "w.safetensors")
    explore.load_weights(str(tmp_path / "w.safetensors"))
    r = wait_result(explore, "load")
    assert r["loaded"] == ["conv2d_1", "dense_1", "dense_2"] and "loaded 3 of 3 layers" in explore.transfer.report.text()
    show(explore, "explain")
    assert wait_result(explore, "explain", after=lambda: explore.request("explain", now=True))["trained"]
    explore.transfer.classes.setValue(3)
    explore.transfer.replace_head()
    assert doc.graph.node("dense_2").params["units"] == 3
    doc.undo_stack.undo()
    assert doc.graph.node("dense_2").params["units"] == 10
    explore.transfer.freeze_all_but_head()
    assert doc.frozen == ["conv2d_1", "dense_1"]


def test_image_views_explain_plainly_on_a_feature_vector_dataset(window, explore, show, wait_result, qtbot):
    from netbuilder.presets import build_preset

    design = build_preset("playground")
    design.dataset = {"name": "spiral"}
    window.set_design(design)
    for key, label in (("explain", explore.explain.info), ("adversarial", explore.adversarial.info)):
        show(explore, key)
        result = wait_result(explore, key, after=lambda k=key: explore.request(k, now=True))
        assert "needs an image dataset" in result["error"]
        qtbot.waitUntil(lambda lb=label: "image dataset" in lb.text(), timeout=5000)


def test_explain_overlay_on_small_images_shows_the_input(qapp):
    """An 8×8 digit: the overlay is upscaled by nearest neighbour (sharp blocks), cold parts show the image
    through and the strokes are outlined, so the input stays visible under the heat."""
    from netbuilder.workbench.explore_jobs import display_overlay

    image = np.zeros((1, 8, 8), np.float32)
    image[0, 2:6, 3:5] = 1.0  # a bright bar
    heat = np.zeros((8, 8), np.float32)
    heat[0, 0] = 1.0  # all heat in a corner, far from the bar
    out = display_overlay(image, heat)
    assert out.shape == (96, 96, 3) and out.dtype == np.float32
    block = out[2 * 12 + 3:2 * 12 + 9, 3 * 12 + 3:3 * 12 + 9]  # inside the bar, away from its outline
    assert np.allclose(block, block[0, 0]) and block.mean() > 0.6  # the bright input shows through
    assert out[40, 5].max() < 0.1  # the cold dark background stays dark
    assert not np.allclose(out[3, 3], out[40, 5])  # the hot corner is coloured
    assert np.allclose(out[2 * 12, 3 * 12 + 6], 1.0)  # the outline of the bar, drawn white
    big = display_overlay(np.zeros((3, 128, 128)), np.ones((128, 128)))
    assert big.shape == (128, 128, 3)  # large images are not upscaled


def test_lab_curves_match_their_legend_and_the_best_label_is_clear_of_it(window, explore, show, qtbot):
    lab = explore.lab
    show(explore, "lab")
    for epoch, (tl, vl) in enumerate([(2.0, 1.9), (1.0, 1.2), (0.5, 1.1), (0.4, 1.05), (0.3, 1.0)]):
        lab.add_epoch({"epoch": epoch, "train_loss": tl, "val_loss": vl})
    qtbot.wait(100)
    train, val = lab.train_curve.opts, lab.val_curve.opts
    assert train["pen"].color().name() != val["pen"].color().name()
    for opts in (train, val):  # markers in the line's colour (not pyqtgraph's dark default)
        assert pg_colour(opts["symbolBrush"]) == opts["pen"].color().name()
    entries = {label.text: sample.item for sample, label in lab.legend.items}
    assert entries["training"] is lab.train_curve and entries["validation"] is lab.val_curve
    assert lab.plot.getPlotItem().legend is None  # the legend sits above the plot, not over the data
    for best in (4, 1):  # the best epoch at the right edge, then in the middle
        lab.set_best(best)
        qtbot.wait(50)
        box = lab.best_line.label.sceneBoundingRect()
        assert not box.intersects(lab.legend.sceneBoundingRect())
        view = lab.plot.getPlotItem().getViewBox()
        assert view.mapRectToScene(view.boundingRect()).contains(box)  # not cut at the plot's edge


def pg_colour(brush) -> str:
    import pyqtgraph as pg

    return pg.mkBrush(brush).color().name()


def test_undo_of_insert_dropout_leaves_no_weights_question(window, explore):
    from netbuilder.workbench.fit import structure_signature

    training, doc = window.training, window.document
    wb = training.wb
    wb.has_weights, wb.weights_signature = True, structure_signature(doc.graph)  # as after a run
    bar = training.panel.messages
    doc.select(["dense_1"])
    explore.lab.insert_after("dropout")
    assert "network changed since it was trained" in bar.label.text() and not bar.isHidden()
    doc.undo_stack.undo()
    assert bar.isHidden() and "changed since it was trained" not in bar.label.text()
    assert not training.link.asked
    doc.undo_stack.redo()  # changed again: the question comes back
    assert "network changed since it was trained" in bar.label.text()


def test_a_collapsed_group_wears_its_layers_health_and_lock(window, qtbot):
    """ResNet-18's residual blocks are collapsed groups: the health check's worst level among a block's
    layers and its badge show on the block, and the block is hatched and locked once every layer in it
    with weights is locked (a collapsed block showed neither)."""
    from netbuilder.presets import build_preset

    window.set_design(build_preset("resnet18"))
    window.document.flush()
    scene = window.scene
    group_id, item = next((g, i) for g, i in scene.groups.items() if window.document.graph.groups[g].collapsed)
    members = list(window.document.graph.groups[group_id].nodes)
    weighted = [n for n in members if window.document.analysis.nodes[n].params > 0]
    relu = next(n for n in members if window.document.graph.nodes[n].kind == "relu")

    def render() -> QImage:  # the collapsed box, at 100 % zoom
        image = QImage(300, 120, QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        painter.translate(150 - item.rect.center().x(), 60 - item.rect.center().y())
        item.paint(painter, QStyleOptionGraphicsItem(), None)
        painter.end()
        return image

    plain = render()
    scene.set_health({weighted[0]: ("ok", "∇0.07"), relu: ("bad", "97% dead"), "fc_1": ("warn", "∇3e-07")})
    assert item.health == ("bad", "97% dead") and not item.frozen
    assert "training health: 97% dead at worst" in item.toolTip()
    marked = render()
    assert marked != plain
    scene.clear_health()
    assert item.health is None and render() == plain
    window.document.set_frozen(weighted[:-1], True)
    assert not item.frozen  # one layer with weights still trains
    assert f"{len(weighted) - 1} of its {len(weighted)} layers with weights locked" in item.toolTip()
    window.document.set_frozen(weighted[-1:], True)
    assert item.frozen and render() != plain
    window.document.undo_stack.undo()
    assert not item.frozen


def test_a_design_opened_with_a_locked_block_shows_it_locked(window):
    """The lock of a collapsed block follows from the design's own analysis when the design is opened
    (which layers have weights is only known once it is analysed)."""
    from netbuilder.analysis import analyze
    from netbuilder.presets import build_preset

    design = build_preset("resnet18")
    analysis = analyze(design.graph)
    group_id = next(g for g, group in design.graph.groups.items() if group.collapsed and len(group.nodes) > 3)
    weighted = [n for n in design.graph.groups[group_id].nodes if analysis.nodes[n].params > 0]
    design.training["frozen"] = weighted
    window.set_design(design)
    window.document.flush()
    item = window.scene.groups[group_id]
    assert item.frozen
    assert not any(i.frozen for g, i in window.scene.groups.items() if g != group_id)


def test_locking_all_but_the_head_leaves_a_layer_the_file_did_not_fill_unlocked(window, explore, wait_result,
                                                                                tmp_path):
    """A layer the load could not fill keeps random weights: locked, it would never learn (it stayed noise,
    and a run reached 49 % where it reached 89 % unlocked)."""
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    doc = window.document
    other = doc.snapshot()
    other.graph.set_param("dense_1", "units", 16)  # dense_1 (and so dense_2's input) will not fit
    save_weights(compile_design(other), tmp_path / "w.safetensors")
    explore.load_weights(str(tmp_path / "w.safetensors"))
    r = wait_result(explore, "load")
    assert "dense_1" not in r["loaded"] and "conv2d_1" in r["loaded"]
    assert "not the file's" in explore.transfer.report.text()
    explore.transfer.freeze_all_but_head()
    assert doc.frozen == ["conv2d_1"]
    assert explore.transfer.message.text().startswith("Left unlocked: dense_1 got no weights from the file")
