"""The Explain job's Grad-CAM layers: every layer with feature maps, merges included, in the network's
order; by default the last of them but a final pooling (after a residual Add, not one branch's convolution); a layer asked for
is used when it is one of them."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from netbuilder.compiler import compile_design  # noqa: E402
from netbuilder.data import load_dataset  # noqa: E402
from netbuilder.presets import DesignBuilder  # noqa: E402
from netbuilder.workbench.explore_jobs import explain_job  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _residual():
    """digits 1×8×8 -> conv -> a residual block (two convolutions + the shortcut, Add, ReLU) -> pool -> dense."""
    b = DesignBuilder("residual")
    x = b.add("relu", b.add("conv2d", b.input([1, 8, 8]), filters=4, kernel_size=3, padding=1, id="conv2d_1"),
              id="relu_1")
    y = b.add("relu", b.add("conv2d", x, filters=4, kernel_size=3, padding=1, id="conv2d_2"), id="relu_2")
    y = b.add("conv2d", y, filters=4, kernel_size=3, padding=1, id="conv2d_3")
    y = b.add("relu", b.add("add", y, x, id="add_1"), id="relu_3")
    y = b.add("maxpool2d", y, kernel_size=2, id="maxpool2d_1")  # 4×4 maps: still maps
    y = b.add("global_avgpool", y, id="pool_1")
    b.output(b.add("dense", y, units=10, id="dense_1"))
    torch.manual_seed(0)
    return compile_design(b.build())


def test_the_residual_blocks_merge_is_offered_and_the_default_is_the_last_layer_with_maps(digits):
    model = _residual()
    r = explain_job(0, None, None)(model, digits)
    assert r["cam_layers"] == ["conv2d_1", "relu_1", "conv2d_2", "relu_2", "conv2d_3", "add_1", "relu_3",
                               "maxpool2d_1"]
    assert r["layer"] == "relu_3"  # not conv2d_3, a branch inside the block; not the pool that halves it
    cam = r["grad_cam"]
    assert cam.shape == (8, 8) and 0 <= cam.min() and cam.max() <= 1 and r["grad_cam_overlay"].ndim == 3


def test_a_merge_asked_for_is_used_and_an_unknown_layer_falls_back_to_the_default(digits):
    model = _residual()
    r = explain_job(0, 3, "add_1")(model, digits)
    assert r["layer"] == "add_1" and r["class"] == 3
    assert r["grad_cam"].shape == (8, 8) and 0 <= r["grad_cam"].min() and r["grad_cam"].max() <= 1
    r = explain_job(0, 3, "dense_1")(model, digits)  # no maps: not offered, so the default is used
    assert r["layer"] == "relu_3"


def test_the_digits_example_offers_its_convolutions_and_pools(digits, example):
    torch.manual_seed(0)
    r = explain_job(1, None, None)(compile_design(example), digits)
    assert r["cam_layers"] == ["conv2d_1", "relu_1", "maxpool2d_1", "conv2d_2", "relu_2", "maxpool2d_2"]
    assert r["layer"] == "relu_2"  # the last with maps (4×4) before the pool that halves them to 2×2
    r = explain_job(1, None, "conv2d_2")(compile_design(example), digits)  # (the lesson's choice)
    assert r["layer"] == "conv2d_2" and np.isfinite(r["grad_cam"]).all()


def test_a_network_without_maps_has_no_grad_cam_but_the_rest_of_the_explanation(digits):
    b = DesignBuilder("mlp")
    b.output(b.add("dense", b.add("flatten", b.input([1, 8, 8])), units=10))
    r = explain_job(0, None, None)(compile_design(b.build()), digits)
    assert r["cam_layers"] == [] and r["layer"] is None and "grad_cam" not in r
    assert r["saliency"].shape == (8, 8) and r["occlusion"].shape == (8, 8)
