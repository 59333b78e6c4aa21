"""A (nearly) flat feature map reads as flat, not as structure. The Inside view's map (the mean of a
layer's |maps|) and the Training workspace's feature-map grid are scaled by ``normalise01``: it stretched
every map to full black-to-white contrast on its own, so a map between 0.30000 and 0.30001, or a dead
ReLU channel that is zero but for 1e-7 of noise, was drawn as strongly as a real pattern. Now a map whose
spread is tiny next to the layer's values is drawn in one shade, and the Inside view says it is flat."""

from __future__ import annotations

import numpy as np
import pytest

from netbuilder.introspect import feature_grid
from netbuilder.introspect._util import normalise01

NOISE = np.random.default_rng(0).normal(0.0, 1e-7, (4, 4)).astype(np.float32)
PATTERN = np.arange(16.0, dtype=np.float32).reshape(4, 4)


def test_a_map_between_0_30000_and_0_30001_is_drawn_flat():
    near_flat = np.float32(0.3) + np.linspace(0, 1e-5, 16, dtype=np.float32).reshape(4, 4)
    assert np.ptp(near_flat) > 0
    np.testing.assert_array_equal(normalise01(near_flat), 0.0)
    np.testing.assert_array_equal(normalise01(np.abs(NOISE)), 0.0)  # a dead layer's mean map: noise only


def test_a_dead_channel_in_a_layers_grid_is_drawn_flat_beside_live_ones():
    grid = feature_grid(np.stack([PATTERN, NOISE, PATTERN * 0.01]))
    np.testing.assert_allclose(grid[:4, :4], PATTERN / 15, atol=1e-6)  # a live map: its own full range
    np.testing.assert_array_equal(grid[:4, 5:9], 0.0)  # the dead channel: one shade, no noise shown
    np.testing.assert_allclose(grid[5:9, :4], PATTERN / 15, atol=1e-6)  # a weak but real map keeps its pattern
    per_row = normalise01(np.array([[0.0, 2.0], [1.0, 1.0 + 1e-6]]), axes=(1,))
    np.testing.assert_allclose(per_row, [[0.0, 1.0], [0.0, 0.0]])  # a row flat next to the whole array


def test_real_structure_and_exact_constants_are_scaled_as_before():
    """(Guards the fix from going too far: these held before it too.)"""
    np.testing.assert_allclose(normalise01(PATTERN * 1e-3), PATTERN / 15, atol=1e-6)  # small values, real pattern
    np.testing.assert_array_equal(normalise01(np.full((3, 3), 5.0), constant=0.5), 0.5)


@pytest.fixture
def near_flat_answer(one_thread):
    """The Inside view's answer for a network whose first layer outputs 0.3 + 1e-5 · input: its map was
    stretched to 0 .. 1."""
    torch = pytest.importorskip("torch")
    from netbuilder.data import load_dataset
    from netbuilder.workbench.explore_jobs import feature_map_job

    conv = torch.nn.Conv2d(1, 2, 3, padding=1)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[:, 0, 1, 1] = 1e-5
        conv.bias.fill_(0.3)
    model = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(2 * 64, 10)).eval()
    return feature_map_job({"split": "test", "index": 0}, None)(model, load_dataset("digits"))


def test_the_inside_job_draws_a_near_flat_layer_flat(near_flat_answer):
    assert near_flat_answer["layer"] == "0" and near_flat_answer["map"].shape == (8, 8)
    np.testing.assert_array_equal(near_flat_answer["map"], 0.0)


def _view(qtbot):
    from netbuilder.ui.explore.model_views import InsideView

    view = InsideView(None)
    qtbot.addWidget(view)
    return view


def _answer(map_: np.ndarray, **more) -> dict:
    return {"image": np.zeros((8, 8), np.float32), "layers": ["conv"], "layer": "conv", "map": map_,
            "channels": 4, "input": "sample 0", **more}


@pytest.mark.gui
def test_the_inside_view_says_a_flat_map_is_flat(qtbot, near_flat_answer):
    view = _view(qtbot)
    view.set_result(near_flat_answer)
    assert view.feature.caption == "0: flat: all values ≈ 0.3 (mean of 2 maps, 8×8)"  # (the job sends its range)
    from netbuilder.ui.explore.model_views import FLAT_NOTE

    assert view.rf_info.text().startswith(FLAT_NOTE) and view.NOTE in view.rf_info.text()
    view.set_result(_answer(np.zeros((8, 8), np.float32), map_range=(0.29999, 0.30001)))
    assert view.feature.caption == "conv: flat: all values ≈ 0.3 (mean of 4 maps, 8×8)"
    view.set_result(_answer(np.zeros((8, 8), np.float32)))  # an answer without its range
    assert view.feature.caption == "conv: flat: all values ≈ equal (mean of 4 maps, 8×8)"


@pytest.mark.gui
def test_the_inside_view_captions_a_map_with_structure_as_before(qtbot):
    view = _view(qtbot)
    view.set_result(_answer(normalise01(np.arange(64.0).reshape(8, 8))))
    assert view.feature.caption == "conv: mean of 4 maps, 8×8"
    assert view.rf_info.text() == view.NOTE


@pytest.mark.gui
def test_the_flat_note_goes_with_the_flat_map(qtbot):
    """The next map, with structure, has the usual note, not the flat one of the map before."""
    view = _view(qtbot)
    view.set_result(_answer(np.zeros((8, 8), np.float32), map_range=(0.3, 0.3)))
    assert view.rf_info.text().startswith("This layer's maps are flat")
    view.set_result(_answer(normalise01(np.arange(64.0).reshape(8, 8))))
    assert view.rf_info.text() == view.NOTE
