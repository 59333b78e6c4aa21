"""A layer whose maps are one pixel each (a squeeze-and-excitation's pooled channels and its Sigmoid
gate, a final global pooling) is not called "flat" in the Inside view: one value is no sign of dead ReLUs or
a blank input, so the view says what the one pixel holds instead."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_an_se_gate_map_is_not_called_flat(window, explore):
    torch = pytest.importorskip("torch")
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset
    from netbuilder.presets import build_preset, fit_design
    from netbuilder.workbench.explore_jobs import feature_map_job

    torch.manual_seed(0)
    data = load_dataset("shapes", samples=60, size=16, color=True)
    design = fit_design(build_preset("efficientnet_small"), list(data.input_shape), len(data.class_names))
    model = compile_design(design)
    gate = next(n.id for n in design.graph.iter_nodes() if n.kind == "sigmoid")
    r = feature_map_job(0, gate)(model, data)
    assert r["layer"] == gate and r["map"].shape == (1, 1)
    view = explore.inside
    view.set_result({**r, "trained": False, "source": ""})
    caption, text = view.feature.caption, view.rf_info.text()
    assert "flat" not in caption and "dead" not in text, (caption, text)
    assert caption == f"{gate}: one pixel, mean |value| ≈ {r['map_range'][0]:.3g} (mean of {r['channels']} maps, 1×1)"
    # a map of several pixels that are all equal is still called flat
    flat = {**r, "map": np.zeros((4, 4), np.float32), "map_range": (0.0, 0.0)}
    view.set_result({**flat, "trained": False, "source": ""})
    assert "flat: all values ≈ 0" in view.feature.caption and "dead" in view.rf_info.text()
