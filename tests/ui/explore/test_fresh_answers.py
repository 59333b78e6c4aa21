"""An explore view shows one answer at a time: a fresh result takes away any earlier error text, an error
takes away the earlier pictures (nothing stale shown as current), the layer choices list only layers that
exist, and Explain's classes follow the dataset and the network at once."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui

NAMES = [str(k) for k in range(10)]


def _explain_result(layer: str = "conv2d_1") -> dict:
    overlay = np.zeros((96, 96, 3), np.float32)
    return {"image": np.zeros((8, 8), np.float32), "probs": np.full(10, 0.1), "class": 0, "label": 0,
            "class_names": NAMES, "cam_layers": ["conv2d_1"], "saliency_overlay": overlay,
            "grad_cam_overlay": overlay, "occlusion_overlay": overlay, "layer": layer, "patch": 2,
            "trained": False, "source": ""}


def _inside_result(layer: str) -> dict:
    side = 8 if layer == "conv2d_1" else 4
    return {"image": np.zeros((8, 8), np.float32), "layers": ["conv2d_1", "relu_1", "maxpool2d_1"], "layer": layer,
            "map": np.zeros((side, side), np.float32), "channels": 8, "trained": False, "source": ""}


def test_an_error_blanks_explains_pictures_and_a_result_replaces_the_error(window, explore):
    view = explore.explain
    view.set_result(_explain_result())
    assert all(image.has_image for image in view.images.values())
    assert view.images["grad_cam"].caption == "Grad-CAM on conv2d_1"
    view.set_result({"error": "the design has 2 problems to fix first"})
    assert not any(image.has_image for image in view.images.values()) and view.result is None
    assert view.images["grad_cam"].caption == "Grad-CAM"  # not "on conv2d_1", a layer of the earlier answer
    assert view.info.text() == "Cannot explain: the design has 2 problems to fix first"
    view.set_result(_explain_result(layer=None))
    assert "Cannot explain" not in view.info.text() and view.images["grad_cam"].caption == "Grad-CAM"


def test_adversarial_and_augmentation_show_one_answer(window, explore):
    augment = explore.augment
    augment.set_result({"error": "the augmentation preview needs an image dataset; circle has feature vectors"})
    assert augment.info.text().startswith("No preview:") and not augment.grid.has_image
    augment.set_result({"grid": np.zeros((10, 10), np.float32), "label": "0", "count": 16, "active": False})
    assert augment.grid.has_image and "No preview" not in augment.info.text()  # (beside a fresh grid)
    augment.set_result({"error": "no images"})
    assert not augment.grid.has_image
    adversarial = explore.adversarial
    adversarial.images["image"].set_array(np.zeros((8, 8), np.float32))
    adversarial.set_result({"error": "the design does not fit circle"})
    assert not adversarial.images["image"].has_image and adversarial.info.text().startswith("No attack:")


def test_inside_drops_the_old_error_and_the_old_pixel_with_a_fresh_map(window, explore):
    view = explore.inside
    view.set_result({"error": "the design does not fit shapes"})
    assert view.rf_info.text().startswith("No feature maps:")
    view.set_result(_inside_result("maxpool2d_1"))
    assert not view.rf_info.text().startswith("No feature maps") and view.feature.has_image
    assert view.show_receptive_field(1, 1) is not None and "Pixel (1, 1) of maxpool2d_1" in view.rf_info.text()
    view.set_result(_inside_result("conv2d_1"))  # another layer: the pixel of maxpool2d_1 is not on screen
    assert "Pixel" not in view.rf_info.text() and view.region is None and view.input.highlight is None
    view.set_result({"error": "the design has 1 problem to fix first"})
    assert not view.feature.has_image and not view.input.has_image and view.result is None


def test_layer_choices_list_only_layers_that_exist(window, explore, show, wait_result, qtbot):
    doc = window.document
    show(explore, "explain")
    wait_result(explore, "explain")
    view = explore.explain
    wait_result(explore, "explain", after=lambda: view.layer_box.setCurrentIndex(view.layer_box.findData("conv2d_1")))
    explore.inside.set_result(_inside_result("conv2d_1"))
    explore.inside.layer_box.setCurrentIndex(explore.inside.layer_box.findData("conv2d_1"))
    from netbuilder.graph import Edge

    def cut_out():  # the chain closes over a deleted layer: open it, for a design with a problem
        doc.delete(["conv2d_1"])
        doc.disconnect_edge(Edge("input_1", "relu_1", 0))
        doc.flush()
    result = wait_result(explore, "explain", after=cut_out)
    assert "error" in result
    for box in (view.layer_box, explore.inside.layer_box):
        assert box.findData("conv2d_1") < 0 and box.currentData() is None  # back to the automatic choice
    assert not view.images["grad_cam"].has_image and view.images["grad_cam"].caption == "Grad-CAM"
    assert view.info.text().startswith("Cannot explain:")
    result = wait_result(explore, "explain", after=lambda: (doc.undo_stack.undo(), doc.undo_stack.undo(),
                                                            doc.flush()))
    assert "error" not in result and not view.info.text().startswith("Cannot explain")
    assert view.images["grad_cam"].has_image


def test_explains_classes_follow_the_dataset_at_once(window, explore, show, wait_result, qtbot):
    """Class 9 chosen on digits, then shapes (6 classes): the class list is the shapes' at once (before any
    result), class 9 falls back to the predicted class, and after Fit the explanation works."""
    doc, wb, view = window.document, explore.wb, explore.explain
    show(explore, "explain")
    wait_result(explore, "explain")
    assert view.class_box.count() == 11
    assert wait_result(explore, "explain", after=lambda: view.class_box.setCurrentIndex(10))["class"] == 9
    explore.results.pop("explain")
    doc.set_design_field("dataset", {"name": "shapes"}, "train on shapes")
    qtbot.waitUntil(lambda: wb.dataset is not None and wb.dataset["name"] == "shapes", timeout=30_000)
    # the network still predicts 10 classes, the dataset has 6: the classes both have
    assert view.class_box.count() == 7 and view.class_box.currentData() is None
    assert view.class_box.itemText(1) == f"class 0: {wb.dataset['class_names'][0]}"
    result = wait_result(explore, "explain")
    assert "does not fit shapes" in result["error"] and not view.images["image"].has_image
    result = wait_result(explore, "explain", after=window.training.link.fit_design)
    assert "error" not in result and result["image"].shape == (28, 28)
    assert view.class_box.count() == 7 and view.images["image"].has_image
    doc.set_param("dense_2", "units", 4)  # the network predicts 4 classes: the list follows the network
    doc.flush()
    qtbot.waitUntil(lambda: view.class_box.count() == 5, timeout=5_000)


def test_transfers_new_head_follows_the_dataset_unless_the_student_chose(window, explore, qtbot):
    doc, wb, view = window.document, explore.wb, explore.transfer
    qtbot.waitUntil(lambda: wb.dataset is not None, timeout=30_000)
    explore.sync_classes()
    assert view.classes.value() == 10
    doc.set_design_field("dataset", {"name": "shapes"}, "train on shapes")
    qtbot.waitUntil(lambda: wb.dataset is not None and wb.dataset["name"] == "shapes", timeout=30_000)
    qtbot.waitUntil(lambda: view.classes.value() == 6, timeout=5_000)  # it said 10 after lesson 11 swapped
    view.classes.setValue(4)  # the student's own number stays
    doc.set_design_field("dataset", {"name": "digits"}, "train on digits")
    qtbot.waitUntil(lambda: wb.dataset is not None and wb.dataset["name"] == "digits", timeout=30_000)
    explore.sync_classes()
    assert view.classes.value() == 4


def test_the_overfitting_lab_goes_down_to_one_percent(window, explore):
    assert explore.lab.fraction.minimum() == 1
    explore.lab.fraction.setValue(2)
    assert window.document.design.training["train_fraction"] == 0.02
    assert explore.lab.fraction_label.text() == "2 % of the training set"
