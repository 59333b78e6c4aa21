"""Filter grids and weight / gradient histograms, checked against numpy."""

import numpy as np
import pytest
import torch
from _introspect_models import leaves_no_trace, tiny_graph_module
from torch import nn

from netbuilder.introspect import (
    IntrospectError,
    conv_filters,
    filter_grid,
    grad_histograms,
    weight_histograms,
)


def test_conv_filters_are_the_layer_weights():
    model = tiny_graph_module()
    with leaves_no_trace(model):
        w = conv_filters(model, "conv2d_2")
    assert w.dtype == np.float32 and w.shape == (6, 4, 3, 3)
    np.testing.assert_array_equal(w, model.conv2d_2.weight.detach().numpy())


def test_conv_filters_refuses_other_layers_and_unknown_ids():
    model = tiny_graph_module()
    with pytest.raises(IntrospectError, match="not a 2-D convolution"):
        conv_filters(model, "dense_1")
    with pytest.raises(IntrospectError, match="did you mean 'dense_1'"):
        conv_filters(model, "dens_1")


def test_grey_grid_shape_separators_and_per_filter_normalisation():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 1, 5, 5)).astype(np.float32) * np.arange(1, 6, dtype=np.float32)[:, None, None, None]
    grid = filter_grid(w)
    # 5 filters -> 3 columns, 2 rows of 5x5 tiles with 1-pixel separators between them
    assert grid.shape == (2 * 5 + 1, 3 * 5 + 2)
    assert grid.dtype == np.float32 and grid.min() >= 0 and grid.max() <= 1
    assert np.all(grid[5, :] == 1.0) and np.all(grid[:, 5] == 1.0) and np.all(grid[:, 11] == 1.0)
    for i in range(5):
        r, c = divmod(i, 3)
        t = grid[r * 6:r * 6 + 5, c * 6:c * 6 + 5]
        expected = (w[i, 0] - w[i, 0].min()) / (w[i, 0].max() - w[i, 0].min())
        np.testing.assert_allclose(t, expected, atol=1e-6)
    assert np.all(grid[6:, 12:] == 1.0)  # the empty 6th cell is background


def test_rgb_grid_for_three_input_channels():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    grid = filter_grid(w)
    assert grid.shape == (2 * 3 + 1, 2 * 3 + 1, 3)
    tile0 = grid[:3, :3]
    np.testing.assert_allclose(tile0, (w[0].transpose(1, 2, 0) - w[0].min()) / np.ptp(w[0]), atol=1e-6)
    assert filter_grid(w, rgb=False).shape == (4 * 3 + 3, 3 * 3 + 2)  # rows = filters, cols = channels
    with pytest.raises(IntrospectError):
        filter_grid(rng.normal(size=(4, 2, 3, 3)), rgb=True)


def test_many_channels_one_row_per_filter_capped():
    w = np.random.default_rng(2).normal(size=(80, 20, 3, 3))
    grid = filter_grid(w, max_filters=64, max_channels=16)
    assert grid.shape == (64 * 4 - 1, 16 * 4 - 1)


def test_constant_filter_is_black():
    grid = filter_grid(np.full((1, 1, 3, 3), 0.7))
    np.testing.assert_array_equal(grid, np.zeros((3, 3)))


def test_weight_histograms_match_numpy():
    model = tiny_graph_module()
    hists = weight_histograms(model, bins=12)
    assert list(hists) == ["conv2d_1", "conv2d_2", "batchnorm2d_1", "dense_1"]
    for name, (counts, edges) in hists.items():
        w = dict(model.named_modules())[name].weight.detach().numpy().ravel()
        ref_counts, ref_edges = np.histogram(w, bins=12)
        np.testing.assert_allclose(edges, ref_edges, rtol=1e-5, atol=1e-6)
        assert counts.sum() == w.size
        assert np.abs(counts - ref_counts).max() <= 1  # a value exactly on an edge may round either way


def test_constant_weights_get_a_unit_range_like_numpy():
    model = tiny_graph_module()
    counts, edges = weight_histograms(model, bins=4)["batchnorm2d_1"]  # BatchNorm weights start at 1
    ref_counts, ref_edges = np.histogram(np.ones(6), bins=4)
    np.testing.assert_allclose(edges, ref_edges)
    np.testing.assert_array_equal(counts, ref_counts)


def test_grad_histograms_only_after_backward():
    model = tiny_graph_module()
    assert grad_histograms(model) == {}
    model(torch.randn(2, 1, 8, 8)).sum().backward()
    hists = grad_histograms(model, bins=5)
    assert set(hists) == {"conv2d_1", "conv2d_2", "batchnorm2d_1", "dense_1"}
    counts, edges = hists["dense_1"]
    g = model.dense_1.weight.grad.numpy().ravel()
    assert counts.sum() == g.size and edges[0] == pytest.approx(g.min()) and edges[-1] == pytest.approx(g.max())


def test_histogram_of_layer_with_bias_only():
    class BiasOnly(nn.Module):
        def __init__(self):
            super().__init__()
            self.shift = nn.Parameter(torch.tensor([1.0, 2.0, 3.0, float("nan")]))

    model = nn.Sequential(BiasOnly())
    counts, edges = weight_histograms(model, bins=2)["0"]
    np.testing.assert_array_equal(counts, [1, 2])  # the NaN is left out
    np.testing.assert_allclose(edges, [1.0, 2.0, 3.0])
