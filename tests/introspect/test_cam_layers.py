"""Grad-CAM's layers (``cam_layers``): every layer with feature maps on the way to the output, in the
network's order, merges included; the default is the last of them but a final pooling (a residual block's output, not one
branch's convolution inside it), and Grad-CAM on a merge works like on any layer."""

import numpy as np
import pytest
import torch
from _introspect_models import leaves_no_trace
from torch import nn

from netbuilder.compiler import compile_design
from netbuilder.introspect import IntrospectError, grad_cam
from netbuilder.introspect.saliency import cam_layers, default_cam_layer
from netbuilder.presets import DesignBuilder, build_preset, fit_design


def branched(seed: int = 0):
    """input 1×8×8 -> conv2d_1 -> two conv branches -> add_1 -> relu_1 -> global pool -> dense (3 classes)."""
    b = DesignBuilder("branched")
    x = b.input([1, 8, 8])
    x = b.add("conv2d", x, filters=4, kernel_size=3, padding=1, id="conv2d_1")
    left = b.add("conv2d", x, filters=4, kernel_size=3, padding=1, id="conv2d_2")
    right = b.add("conv2d", x, filters=4, kernel_size=1, id="conv2d_3")
    y = b.add("relu", b.add("add", left, right, id="add_1"), id="relu_1")
    y = b.add("global_avgpool", y, id="pool_1")
    b.output(b.add("dense", y, units=3, id="dense_1"))
    torch.manual_seed(seed)
    return compile_design(b.build())


def test_a_branched_network_offers_its_merge_and_the_layer_after_it_last():
    model = branched()
    x = torch.randn(1, 8, 8)
    with leaves_no_trace(model):
        layers = cam_layers(model, x)
    assert layers == ["conv2d_1", "conv2d_2", "conv2d_3", "add_1", "relu_1"]  # not the pool, nor the dense layer
    with leaves_no_trace(model):
        default = grad_cam(model, x, 1)
    np.testing.assert_array_equal(default, grad_cam(model, x, 1, "relu_1"))


def test_grad_cam_on_a_merge_is_the_map_of_its_output_at_the_input_size():
    model = branched(seed=1)
    x = torch.randn(1, 8, 8)
    for cls in range(3):
        with leaves_no_trace(model):
            cam = grad_cam(model, x, cls, "add_1")
        assert cam.shape == (8, 8) and cam.dtype == np.float32 and np.isfinite(cam).all()
        assert cam.min() >= 0 and cam.max() <= 1
        # by hand: A = conv2d_2(h) + conv2d_3(h), score = dense(mean over pixels of ReLU(A))
        with torch.enable_grad():
            h = model.conv2d_1(x[None])
            a = (model.conv2d_2(h) + model.conv2d_3(h)).detach().requires_grad_(True)
            score = model.dense_1(torch.relu(a).mean(dim=(2, 3)))[0, cls]
            (g,) = torch.autograd.grad(score, a)
        heat = torch.relu((g[0].mean(dim=(1, 2))[:, None, None] * a[0].detach()).sum(0))
        heat = nn.functional.interpolate(heat[None, None], size=(8, 8), mode="bilinear", align_corners=False)[0, 0]
        expected = (heat / heat.max()).numpy() if heat.max() > 0 else np.zeros((8, 8), np.float32)
        np.testing.assert_allclose(cam, expected, rtol=1e-4, atol=1e-5)


def test_resnet_offers_every_blocks_add_and_defaults_to_the_last_blocks_output():
    torch.manual_seed(0)
    model = compile_design(fit_design(build_preset("resnet_cifar"), [3, 16, 16], 4))
    x = torch.randn(3, 16, 16)
    layers = cam_layers(model, x)
    adds = [n for n in layers if n.endswith("_add")]
    assert len(adds) >= 3 and "layer3_2_add" in adds
    assert layers[-1] == "layer3_2_relu2"  # the last residual block's output, after its Add
    assert layers.index("layer3_2_conv2") < layers.index("layer3_2_add") < layers.index("layer3_2_relu2")
    assert "avgpool" not in layers and "fc" not in layers
    cam = grad_cam(model, x, 2)
    assert cam.shape == (16, 16) and 0 <= cam.min() and cam.max() <= 1


def test_lenet_offers_its_convolutions_activations_and_pools_and_defaults_to_the_layer_before_the_last_pool():
    torch.manual_seed(0)
    model = compile_design(fit_design(build_preset("lenet5"), [1, 28, 28], 10))
    layers = cam_layers(model, torch.randn(1, 28, 28))
    assert layers == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]  # pool2: 16 maps of 5×5
    assert default_cam_layer(model, layers) == "relu2"  # 10×10: the same maps as pool2, twice the detail
    assert default_cam_layer(model, ["conv1", "pool1"]) == "conv1" and default_cam_layer(model, []) is None
    assert default_cam_layer(model, ["pool1"]) == "pool1"  # (only a pool: that one)


def test_maps_of_one_pixel_and_vectors_are_not_offered_and_a_plain_model_lists_its_leaves():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(2, 2))
    assert cam_layers(model, torch.randn(1, 8, 8)) == ["0", "1", "2"]  # "3" gives 1×1 maps
    vector = nn.Sequential(nn.Linear(4, 2))
    assert cam_layers(vector, torch.randn(4)) == []
    with pytest.raises(IntrospectError, match="needs an image input"):
        grad_cam(vector, torch.randn(4), 0)
