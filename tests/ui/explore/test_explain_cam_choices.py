"""The Explain view's Grad-CAM layer choice lists what the answer offers (every layer with maps, merges
included, in the network's order) under the automatic "last maps before pooling", and the caption says which
layer was used."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui

LAYERS = ["conv2d_1", "relu_1", "conv2d_2", "conv2d_3", "add_1", "relu_3", "maxpool2d_1"]


def _result(layer: str | None) -> dict:
    overlay = np.zeros((96, 96, 3), np.float32)
    return {"image": np.zeros((8, 8), np.float32), "probs": np.full(10, 0.1), "class": 0, "label": 0,
            "class_names": [str(k) for k in range(10)], "cam_layers": LAYERS, "saliency_overlay": overlay,
            "grad_cam_overlay": overlay, "occlusion_overlay": overlay, "layer": layer, "patch": 2,
            "trained": False, "source": ""}


def test_the_layer_choice_offers_the_merge_under_the_automatic_last_maps_before_pooling(qtbot):
    from netbuilder.ui.explore.model_views import CAM_DEFAULT, ExplainView

    view = ExplainView()
    qtbot.addWidget(view)
    assert CAM_DEFAULT == "last maps before pooling" and view.layer_box.itemText(0) == CAM_DEFAULT
    assert "last convolution" not in [view.layer_box.itemText(i) for i in range(view.layer_box.count())]
    view.set_result(_result("maxpool2d_1"))
    box = view.layer_box
    assert [box.itemData(i) for i in range(box.count())] == [None, *LAYERS]
    assert box.currentData() is None and view.query()["layer"] is None
    assert view.images["grad_cam"].caption == "Grad-CAM on maxpool2d_1"  # the default, named
    with qtbot.waitSignal(view.requested):
        view.select_layer("add_1")
    assert view.query()["layer"] == "add_1"
    view.set_result(_result("add_1"))
    assert box.currentData() == "add_1" and view.images["grad_cam"].caption == "Grad-CAM on add_1"


def test_a_layer_chosen_before_the_first_answer_is_asked_for_and_shown(qtbot):
    """A lesson's Show me asks for Grad-CAM on conv2d_2 as it opens the view, before any answer has listed
    the layers: the choice was lost and the answer came on the automatic layer (relu_2), under a step
    that says conv2d_2. It is asked for, and selected once the answer lists it (no second question); a
    choice the student makes in the box replaces it."""
    from netbuilder.ui.explore.model_views import ExplainView

    view = ExplainView()
    qtbot.addWidget(view)
    view.select_layer("conv2d_2")
    assert view.layer_box.count() == 1 and view.query()["layer"] == "conv2d_2"
    with qtbot.assertNotEmitted(view.requested):
        view.set_result(_result("conv2d_2"))
    assert view.layer_box.currentData() == "conv2d_2" and view.query()["layer"] == "conv2d_2"
    assert view.images["grad_cam"].caption == "Grad-CAM on conv2d_2"

    fresh = ExplainView()
    qtbot.addWidget(fresh)
    fresh.select_layer("conv2d_3")
    fresh.layer_box.activated.emit(0)  # the student's own choice: the automatic layer
    assert fresh.query()["layer"] is None


def test_the_occlusion_caption_gives_the_patch_and_the_biggest_drop_in_few_words(qtbot):
    """(A longer caption was cut to "c…g takes at most 0.63 off" under a 230-pixel picture.)"""
    from netbuilder.ui.explore.model_views import ExplainView

    view = ExplainView()
    qtbot.addWidget(view)
    captions = []
    for drop in (0.63, 0.0001, None):
        view.set_result({**_result("relu_3"), **({} if drop is None else {"occlusion_drop": drop})})
        captions.append(view.images["occlusion"].caption)
    assert captions == ["occlusion 2×2: −0.63 at most", "occlusion 2×2: almost no change", "occlusion 2×2"]
    assert all(len(c) <= 32 for c in captions)
