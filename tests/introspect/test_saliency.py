"""Saliency, Grad-CAM and occlusion against hand-worked cases; the overlay."""

import numpy as np
import pytest
import torch
from _introspect_models import leaves_no_trace, tiny_graph_module
from torch import fx, nn

from netbuilder.introspect import IntrospectError, colormap, grad_cam, occlusion, overlay, saliency


def test_saliency_equals_the_analytic_gradient_of_a_linear_model():
    torch.manual_seed(0)
    c, h, w, k = 3, 5, 4, 4
    model = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, k))
    x = torch.randn(c, h, w)
    with leaves_no_trace(model):
        sal = saliency(model, x, target_class=2)
    # d z_2 / d x = W[2]; saliency = max over channels of |W[2]|
    expected = np.abs(model[1].weight[2].detach().numpy().reshape(c, h, w)).max(axis=0)
    assert sal.shape == (h, w) and sal.dtype == np.float32
    np.testing.assert_allclose(sal, expected, rtol=1e-6)


def test_saliency_leaves_parameter_grads_alone_and_checks_the_class():
    model = tiny_graph_module()
    model(torch.randn(1, 1, 8, 8)).sum().backward()  # existing .grad must survive unchanged
    with leaves_no_trace(model):
        saliency(model, torch.randn(1, 1, 8, 8), 0)
    with pytest.raises(IntrospectError, match="classes 0 to 2"):
        saliency(model, torch.randn(1, 1, 8, 8), 3)


class ConvGapLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(2, 3, 3, padding=1)
        self.dense_1 = nn.Linear(3, 2)

    def forward(self, x):
        return self.dense_1(self.conv2d_1(x).mean(dim=(2, 3)))


def _conv_numpy(x, w, b):
    """Cross-correlation with zero padding 1 and stride 1, by loops: x (C,H,W), w (K,C,3,3)."""
    c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((w.shape[0], h, wd))
    for k in range(w.shape[0]):
        for i in range(h):
            for j in range(wd):
                out[k, i, j] = (xp[:, i:i + 3, j:j + 3] * w[k]).sum() + b[k]
    return out


def test_grad_cam_of_conv_gap_linear_by_hand():
    torch.manual_seed(3)
    model = fx.symbolic_trace(ConvGapLinear())
    x = torch.randn(2, 6, 5)
    with leaves_no_trace(model):
        cam = grad_cam(model, x, target_class=1, layer_id="conv2d_1")
    a = _conv_numpy(x.numpy(), model.conv2d_1.weight.detach().numpy(), model.conv2d_1.bias.detach().numpy())
    # score = sum_k v_k mean(A_k) + c  =>  d score / d A_k(i, j) = v_k / (H W)  =>  alpha_k = v_k / (H W)
    alpha = model.dense_1.weight[1].detach().numpy() / (6 * 5)
    expected = np.maximum((alpha[:, None, None] * a).sum(axis=0), 0)
    expected = expected / expected.max()
    assert cam.shape == (6, 5)
    np.testing.assert_allclose(cam, expected, rtol=1e-4, atol=1e-6)
    assert cam.max() == pytest.approx(1.0)


def test_grad_cam_is_upsampled_to_the_input_and_works_after_an_inplace_relu():
    model = tiny_graph_module()
    x = torch.randn(1, 1, 8, 8)
    with leaves_no_trace(model):
        cam = grad_cam(model, x, 0, "relu_2")  # relu_2 maps are 4x4
        cam1 = grad_cam(model, x, 0, "conv2d_1")  # followed by an in-place ReLU
    assert cam.shape == (8, 8) and cam1.shape == (8, 8)
    for c in (cam, cam1):
        assert c.min() >= 0 and c.max() <= 1
    with pytest.raises(IntrospectError, match="pick a convolution layer"):
        grad_cam(model, x, 0, "dense_1")


class QuadrantModel(nn.Module):
    """Class 0's score reads only the top-left quadrant of the image; class 1's score is constant."""

    def forward(self, x):
        s = x[:, :, :4, :4].sum(dim=(1, 2, 3))
        return torch.stack([s, torch.zeros_like(s)], dim=1)


def test_occlusion_lights_only_the_quadrant_the_model_looks_at():
    x = torch.full((1, 8, 8), 0.3)
    heat = occlusion(QuadrantModel(), x, target_class=0, patch=2, stride=2, fill=0.0, batch_size=5)
    assert heat.shape == (8, 8)
    assert np.all(heat[:4, :4] > 0)
    np.testing.assert_array_equal(heat[4:, :], 0)
    np.testing.assert_array_equal(heat[:, 4:], 0)
    # by hand: covering a 2x2 patch lowers the score from 4.8 to 4.8 - 1.2
    drop = 1 / (1 + np.exp(-4.8)) - 1 / (1 + np.exp(-3.6))
    np.testing.assert_allclose(heat[:4, :4], drop, rtol=1e-5)


def test_occlusion_covers_every_pixel_when_the_stride_does_not_fit():
    heat = occlusion(QuadrantModel(), torch.full((1, 7, 7), 0.3), 0, patch=3, stride=3)
    assert heat.shape == (7, 7) and np.all(heat[:3, :3] > 0)  # windows at 0, 3 and 4 (flush with the edge)


def test_colormap_and_overlay():
    cm = colormap(np.array([0.0, 1.0, 2.0, -1.0]))
    np.testing.assert_allclose(cm[0], [0.0, 0.0, 0.3])
    np.testing.assert_allclose(cm[1], [0.85, 0.0, 0.0])
    np.testing.assert_array_equal(cm[2], cm[1])
    np.testing.assert_array_equal(cm[3], cm[0])
    image = np.random.default_rng(0).random((3, 6, 5))  # (C, H, W)
    heat = np.zeros((6, 5))
    heat[2, 3] = 4.0
    out = overlay(image, heat, alpha=0.5)
    assert out.shape == (6, 5, 3) and out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    img = (image - image.min()) / np.ptp(image)
    np.testing.assert_allclose(out[2, 3], 0.5 * img[:, 2, 3] + 0.5 * np.array([0.85, 0.0, 0.0]), atol=1e-6)
    assert overlay(image[0], heat, alpha=0.0).shape == (6, 5, 3)
    np.testing.assert_allclose(overlay(image[0], heat, alpha=0.0)[..., 1], img[0] * 0 + (image[0] - image[0].min()) / np.ptp(image[0]), atol=1e-6)
    with pytest.raises(IntrospectError, match="must match"):
        overlay(image, np.zeros((5, 5)))


# ----- the class score is the logit, before a final Softmax / Sigmoid -------------------------------------
def _small_cnn(classes: int = 4, seed: int = 7) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, classes))


def _confident(model: nn.Module) -> None:
    """Large weights: the softmax saturates, where its gradient all but vanishes."""
    with torch.no_grad():
        model[-1].weight.mul_(40)


@pytest.mark.parametrize("squash", [nn.Softmax(dim=1), nn.Sigmoid()], ids=["softmax", "sigmoid"])
def test_a_final_softmax_or_sigmoid_does_not_change_saliency_or_grad_cam(squash):
    plain = _small_cnn()
    _confident(plain)
    ending = nn.Sequential(*plain, squash)  # the same modules, then the squash
    x = torch.randn(2, 6, 6)
    for cls in range(4):
        with leaves_no_trace(ending):
            sal = saliency(ending, x, cls)
            cam = grad_cam(ending, x, cls, "0")
        np.testing.assert_allclose(sal, saliency(plain, x, cls), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(cam, grad_cam(plain, x, cls, "0"), rtol=1e-5, atol=1e-6)
    assert saliency(ending, x, 0).max() > 1e-2  # the logit's gradient, not a vanished probability's


def _compiled(softmax: bool):
    import netbuilder
    from netbuilder.presets.builder import DesignBuilder

    b = DesignBuilder("cnn")
    x = b.input([1, 8, 8])
    x = b.add("conv2d", x, filters=4, kernel_size=3, padding=1, id="conv1")
    x = b.add("relu", x, id="relu1")
    x = b.add("flatten", x, id="flat")
    x = b.add("dense", x, units=3, id="fc")
    if softmax:
        x = b.add("softmax", x, id="sm")
    b.output(x)
    return netbuilder.compile(b.build())


def test_a_compiled_design_ending_with_softmax_explains_like_the_one_without():
    plain, ending = _compiled(False), _compiled(True)
    ending.load_state_dict(plain.state_dict())
    with torch.no_grad():
        plain.fc.weight.mul_(30)
        ending.fc.weight.copy_(plain.fc.weight)
    x = torch.randn(1, 8, 8)
    for cls in range(3):
        np.testing.assert_allclose(saliency(ending, x, cls), saliency(plain, x, cls), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(grad_cam(ending, x, cls, "conv1"), grad_cam(plain, x, cls, "conv1"),
                                   rtol=1e-5, atol=1e-6)
    # occlusion still measures the drop in probability, the same for both
    np.testing.assert_allclose(occlusion(ending, x, 0, patch=2), occlusion(plain, x, 0, patch=2), atol=1e-5)
    from netbuilder.introspect.saliency import final_squash

    assert final_squash(ending) is ending.sm and final_squash(plain) is None


def test_one_output_unit_explains_both_classes():
    torch.manual_seed(2)
    logit = nn.Sequential(nn.Flatten(), nn.Linear(2 * 3 * 3, 1))
    prob = nn.Sequential(*logit, nn.Sigmoid())
    x = torch.randn(2, 3, 3)
    w = np.abs(logit[1].weight.detach().numpy().reshape(2, 3, 3)).max(axis=0)
    for model in (logit, prob):
        for cls in (0, 1):  # "no" and "yes": scores -z and z
            np.testing.assert_allclose(saliency(model, x, cls), w, rtol=1e-6)
    with pytest.raises(IntrospectError, match="classes 0 to 1"):
        saliency(prob, x, 2)
