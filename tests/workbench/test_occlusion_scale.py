"""Occlusion is drawn on an absolute scale: a confident network that loses almost nothing wherever the
patch covers the image shows (almost) no colour, where a min-max stretch painted its noise in full red;
a real drop still reaches full colour, and the answer says the biggest drop (the caption's scale)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from netbuilder.compiler import compile_design  # noqa: E402
from netbuilder.data import load_dataset  # noqa: E402
from netbuilder.presets import DesignBuilder  # noqa: E402
from netbuilder.workbench.explore_jobs import OCCLUSION_FULL_SCALE, display_overlay, explain_job  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _dense(confident: bool):
    b = DesignBuilder("dense")
    b.output(b.add("dense", b.add("flatten", b.input([1, 8, 8])), units=10, id="dense_1"))
    model = compile_design(b.build())
    with torch.no_grad():
        layer = model.dense_1
        torch.manual_seed(0)
        layer.weight.normal_(0, 0.02 if confident else 0.0)
        layer.bias.zero_()
        if confident:
            layer.bias[3] = 9.0  # class 3 (p ≈ 0.999) whatever the input: covering changes ~nothing
        else:  # class 3 rests on the top-left pixels only: covering them takes its probability away
            layer.weight[3].view(8, 8)[:3, :3] = 5.0
    return model


def test_a_confident_network_shows_no_colour_where_a_min_max_stretch_showed_full_red(digits):
    r = explain_job(0, 3, None)(_dense(confident=True), digits)
    assert 0 <= r["occlusion_drop"] < 1e-3
    plain = display_overlay(r["image"], np.zeros_like(r["occlusion"]))
    assert np.abs(r["occlusion_overlay"] - plain).max() < 0.02  # (the image, as good as uncoloured)
    stretched = display_overlay(r["image"], np.maximum(r["occlusion"], 0))  # the old drawing
    assert np.abs(stretched - plain).max() > 0.3


def test_a_real_drop_reaches_full_colour_where_the_evidence_is(digits):
    sample = int(np.argmax(np.asarray(digits.samples, np.float32).reshape(len(digits.samples), 8, 8)[:, :3, :3]
                           .sum(axis=(1, 2))))  # the preview sample with the most ink top-left
    r = explain_job(sample, 3, None)(_dense(confident=False), digits)
    assert r["occlusion_drop"] > OCCLUSION_FULL_SCALE
    occ = r["occlusion"]
    assert occ[:3, :3].mean() > occ[5:, 5:].mean() + 0.01  # covering the top-left hurts, elsewhere not
    heat = display_overlay(np.zeros((8, 8), np.float32), occ, scale=r["occlusion_drop"])
    cold = display_overlay(np.zeros((8, 8), np.float32), np.zeros_like(occ), scale=r["occlusion_drop"])
    assert np.abs(heat - cold).max() > 0.5 and np.abs(heat[-12:, -12:] - cold[-12:, -12:]).max() < 0.05
