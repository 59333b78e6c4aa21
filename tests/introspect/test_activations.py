"""Feature maps against a manual forward; probabilities; activation statistics by hand."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _introspect_models import leaves_no_trace, tiny_graph_module
from torch import nn

from netbuilder.introspect import (
    IntrospectError,
    activation_stats,
    class_probabilities,
    feature_grid,
    feature_maps,
)


def _manual(model, x):
    """The tiny net's intermediate values, computed step by step in eval mode."""
    a1 = model.conv2d_1(x)
    p1 = F.max_pool2d(F.relu(a1), 2)
    a2 = model.conv2d_2(p1)
    b = F.batch_norm(a2, model.batchnorm2d_1.running_mean, model.batchnorm2d_1.running_var,
                     model.batchnorm2d_1.weight, model.batchnorm2d_1.bias, False, 0.0, 1e-5)
    r2 = F.relu(b)
    return {"conv2d_1": a1, "relu_1": F.relu(a1), "relu_2": r2, "dense_1": model.dense_1(r2.mean(dim=(2, 3)))}


def test_feature_maps_equal_a_manual_forward_and_leave_no_trace():
    model = tiny_graph_module()
    model.train()  # dropout and BatchNorm would act in train mode: the maps must still be eval-mode ones
    x = torch.randn(1, 1, 8, 8)
    with leaves_no_trace(model):
        maps = feature_maps(model, x, ["conv2d_1", "relu_1", "relu_2", "dense_1"])
    with torch.no_grad():
        ref = _manual(model, x)
    assert maps["conv2d_1"].shape == (4, 8, 8) and maps["relu_2"].shape == (6, 4, 4)
    assert maps["dense_1"].shape == (3,)
    for k, v in ref.items():
        np.testing.assert_allclose(maps[k], v[0].numpy(), rtol=1e-5, atol=1e-6)
    # the in-place ReLU after conv2d_1 did not overwrite what was captured for conv2d_1
    assert (maps["conv2d_1"] < 0).any()
    assert model.training and model.dropout_1.training


def test_feature_maps_of_a_batch_and_of_one_unbatched_sample():
    model = tiny_graph_module()
    x = torch.randn(3, 1, 8, 8)
    assert feature_maps(model, x, "relu_2")["relu_2"].shape == (3, 6, 4, 4)
    single = feature_maps(model, x[1], "relu_2")["relu_2"]
    np.testing.assert_allclose(single, feature_maps(model, x, "relu_2")["relu_2"][1], rtol=1e-5, atol=1e-6)


def test_feature_maps_unknown_or_unused_layer():
    model = tiny_graph_module()
    with pytest.raises(IntrospectError, match="no layer called"):
        feature_maps(model, torch.randn(1, 1, 8, 8), ["conv9"])
    model.add_submodule("unused", nn.ReLU())  # registered but not in the graph
    with pytest.raises(IntrospectError, match="did not run"):
        feature_maps(model, torch.randn(1, 1, 8, 8), ["unused"])


def test_feature_grid_shape_and_normalisation():
    maps = np.stack([np.arange(16.0).reshape(4, 4) * (i + 1) for i in range(10)])
    maps[3] = 5.0  # a constant (dead) map
    grid = feature_grid(maps, max_maps=9)
    assert grid.shape == (3 * 4 + 2, 3 * 4 + 2)
    np.testing.assert_allclose(grid[:4, :4], np.arange(16.0).reshape(4, 4) / 15, atol=1e-6)
    np.testing.assert_array_equal(grid[:4, 5:9], grid[:4, :4])  # every map scaled on its own
    np.testing.assert_array_equal(grid[5:9, :4], 0)  # map 3 is constant: black
    shared = feature_grid(maps[:2], normalise="all")
    np.testing.assert_allclose(shared[:4, :4], np.arange(16.0).reshape(4, 4) / 30, atol=1e-6)
    with pytest.raises(IntrospectError, match="bars"):
        feature_grid(np.zeros(5))


def test_a_grids_empty_cells_can_be_told_from_a_map_at_full_strength():
    """8 maps in a 3×3 grid leave one cell empty: by default it is filled as the separators are (white,
    as a map all at full strength would look); with ``sep_value=nan`` (the views' grids) it and the gaps
    are NaN, which the views draw in a tint, and nothing else is."""
    maps = np.stack([np.arange(16.0).reshape(4, 4) + i for i in range(8)])
    plain = feature_grid(maps)
    np.testing.assert_array_equal(plain[10:, 10:], 1.0)
    marked = feature_grid(maps, sep_value=float("nan"))
    gaps = np.zeros((14, 14), bool)
    gaps[[4, 9], :] = gaps[:, [4, 9]] = True
    gaps[10:, 10:] = True  # the empty cell
    np.testing.assert_array_equal(np.isnan(marked), gaps)
    np.testing.assert_array_equal(np.nan_to_num(marked, nan=1.0), plain)


def test_small_tiles_are_enlarged_so_the_gaps_stay_thin():
    """4×4 maps with min_tile=12 become 12×12 squares of their pixels; the gap stays 1 pixel."""
    maps = np.stack([np.arange(16.0).reshape(4, 4) + i for i in range(4)])
    small = feature_grid(maps)
    big = feature_grid(maps, min_tile=12)
    assert small.shape == (9, 9) and big.shape == (25, 25)
    np.testing.assert_array_equal(big[:12, :12], np.kron(small[:4, :4], np.ones((3, 3))))
    np.testing.assert_array_equal(big[12], 1.0)  # the gap: one row
    assert feature_grid(maps, min_tile=3).shape == (9, 9)  # already as large: unchanged


def test_class_probabilities_are_the_softmax_of_the_output():
    model = tiny_graph_module()
    x = torch.randn(2, 1, 8, 8)
    with leaves_no_trace(model):
        probs = class_probabilities(model, x)
    with torch.no_grad():
        model.eval()
        ref = torch.softmax(model(x), dim=1).numpy()
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs, ref, rtol=1e-5)
    assert class_probabilities(model, x[0]).shape == (3,)


def test_binary_output_reads_as_two_classes():
    model = nn.Sequential(nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[0].bias.fill_(0.0)
    p = class_probabilities(model, torch.tensor([1.0, 1.0]))
    s = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(p, [1 - s, s], rtol=1e-6)


def test_activation_stats_dead_fraction_mean_std_by_hand():
    lin = nn.Linear(2, 4)
    with torch.no_grad():
        # unit 0: x0, unit 1: -x0 - 10 (never positive for |x| < 10), unit 2: 0 (never positive), unit 3: x1
        lin.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]))
        lin.bias.copy_(torch.tensor([0.0, -10.0, 0.0, 0.0]))
    model = nn.Sequential(lin, nn.ReLU())
    x = torch.tensor([[1.0, -2.0], [-3.0, 4.0], [2.0, 0.5]])
    with leaves_no_trace(model):
        stats = activation_stats(model, x)
    assert list(stats) == ["0", "1"]
    assert stats["0"]["dead_fraction"] is None
    assert stats["1"]["dead_fraction"] == pytest.approx(0.5)
    out = torch.relu(lin(x)).detach().numpy()
    assert stats["1"]["mean"] == pytest.approx(out.mean(), rel=1e-6)
    assert stats["1"]["std"] == pytest.approx(out.std(), rel=1e-6)


def test_dead_fraction_of_conv_maps_counts_channels():
    conv = nn.Conv2d(1, 3, 1, bias=True)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, -1.0, 0.0]).reshape(3, 1, 1, 1))
        conv.bias.copy_(torch.tensor([0.0, 0.0, -1.0]))
    model = nn.Sequential(conv, nn.ReLU())
    x = torch.rand(2, 1, 4, 4) + 0.1  # positive images: channel 0 fires, 1 and 2 never do
    stats = activation_stats(model, x, node_ids=["1"])
    assert list(stats) == ["1"] and stats["1"]["dead_fraction"] == pytest.approx(2 / 3)
