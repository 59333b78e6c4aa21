"""On CUDA every computation gives what it gives on the CPU, on the model's own device."""

import numpy as np
import pytest
import torch
from _introspect_models import leaves_no_trace, tiny_graph_module

from netbuilder import introspect as nb

pytestmark = pytest.mark.gpu


def _both():
    cpu = tiny_graph_module(in_ch=3, seed=7)
    gpu = tiny_graph_module(in_ch=3, seed=7).cuda()
    return cpu, gpu


@pytest.fixture
def no_tf32():
    """Full float32 convolutions on the GPU, so the CPU's numbers can be compared closely."""
    saved = torch.backends.cudnn.allow_tf32
    torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32 = saved


def test_cuda_results_match_cpu(no_tf32):
    cpu, gpu = _both()
    torch.manual_seed(1)
    x = torch.rand(3, 8, 8)  # a CPU tensor: moved to the model's device
    batch = torch.rand(4, 3, 8, 8)
    for model in (cpu, gpu):
        model.eval()  # no dropout: both backward passes see the same network
        model(x[None].to(next(model.parameters()).device)).sum().backward()
    results = []
    for model in (cpu, gpu):
        with leaves_no_trace(model):
            results.append({
                "filters": nb.filter_grid(nb.conv_filters(model, "conv2d_1")),
                "hist": nb.weight_histograms(model)["conv2d_2"][0],
                "ghist": nb.grad_histograms(model)["dense_1"][0],
                "maps": nb.feature_maps(model, x, ["relu_2"])["relu_2"],
                "probs": nb.class_probabilities(model, x),
                "dead": nb.activation_stats(model, batch)["relu_2"]["dead_fraction"],
                "sal": nb.saliency(model, x, 1),
                "cam": nb.grad_cam(model, x, 1, "conv2d_2"),
                "occ": nb.occlusion(model, x, 1, patch=2, stride=2),
                "fgsm": nb.fgsm(model, x, 1, 0.05, clamp=(0.0, 1.0)).image,
                "pgd": nb.pgd(model, x, 1, 0.05, steps=3, clamp=(0.0, 1.0)).perturbation,
            })
        norms = nb.gradient_norms(model)
        assert set(norms) == {"conv2d_1", "conv2d_2", "batchnorm2d_1", "dense_1"}
    assert results[1]["filters"].shape == (7, 7, 3)
    for key in results[0]:
        a, b = results[0][key], results[1][key]
        if key in ("hist", "ghist"):  # a value on a bin edge may fall either side
            assert a.sum() == b.sum() and np.abs(a - b).max() <= 1, key
        elif isinstance(a, np.ndarray):
            assert isinstance(b, np.ndarray) and b.dtype == a.dtype == np.float32, key
            # sign steps may flip where a gradient is ~0, so compare most entries tightly
            close = np.isclose(a, b, rtol=1e-3, atol=1e-4)
            assert close.mean() > (0.9 if key in ("fgsm", "pgd") else 0.999), key
        else:
            assert a == pytest.approx(b), key


def test_freeze_on_cuda():
    _, gpu = _both()
    nb.freeze(gpu, ["conv2d_1"])
    opt = torch.optim.SGD(gpu.parameters(), lr=0.1)
    before = gpu.conv2d_1.weight.detach().clone()
    gpu(torch.rand(2, 3, 8, 8, device="cuda")).sum().backward()
    opt.step()
    assert torch.equal(before, gpu.conv2d_1.weight) and nb.frozen_nodes(gpu) == {"conv2d_1"}
