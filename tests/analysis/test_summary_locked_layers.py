"""Locked (frozen) layers in the summary: their parameters are non-trainable, as torchinfo counts parameters
with requires_grad False (``netbuilder summary`` said "Non-trainable params: 0" whatever was locked)."""

import json

from netbuilder.analysis import analyze
from netbuilder.analysis.summary import summary_json, summary_rows, summary_table
from netbuilder.graph import Design
from netbuilder.presets import build_preset


def _design(frozen) -> Design:
    """LeNet-5 (a preset: conv1 … fc3) with ``frozen`` as its training section's locked layers."""
    design = build_preset("lenet5")
    design.training["frozen"] = frozen
    return design


def test_locked_parameters_are_counted_as_non_trainable():
    design = _design(["conv1", "relu1"])
    a = analyze(design.graph)
    conv = a.nodes["conv1"].params
    text = summary_table(design, a)
    assert f"Total params: {a.total_params:,}" in text
    assert f"Trainable params: {a.total_params - conv:,}" in text
    assert f"Non-trainable params: {conv:,} (locked layers: conv1;" in text
    assert "conv1 (locked)" in text and "relu1 (locked)" not in text  # a layer without parameters
    data = summary_json(design, a)
    assert json.loads(json.dumps(data)) == data
    assert data["trainable_params"] == a.total_params - conv and data["non_trainable_params"] == conv
    assert data["locked"] == ["conv1"]
    assert [r["node"] for r in summary_rows(design, a) if r["locked"]] == ["conv1"]


def test_a_graph_with_frozen_ids_given_and_odd_frozen_values():
    design = _design("conv1")  # not a list: locks nothing (Train says why)
    a = analyze(design.graph)
    assert summary_json(design, a)["trainable_params"] == a.total_params
    assert "Non-trainable params: 0" in summary_table(design, a)
    assert summary_json(_design([None, 3, "fc3"]), a)["locked"] == ["fc3"]
    assert summary_json(design.graph, a, frozen=["fc3"])["non_trainable_params"] == a.nodes["fc3"].params
    assert summary_json(design.graph, a)["non_trainable_params"] == 0
