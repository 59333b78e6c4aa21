"""Locked (frozen) layers in the summary: their parameters are non-trainable, as torchinfo counts parameters
with requires_grad False (``netbuilder summary`` said "Non-trainable params: 0" whatever was locked)."""

import json

from netbuilder.analysis import analyze
from netbuilder.analysis.summary import summary_json, summary_rows, summary_table
from netbuilder.graph import Design, Edge, Graph, Node


def _design(frozen) -> Design:
    g = Graph()
    seq = [("input", {"shape": [1, 8, 8]}), ("conv2d", {"filters": 4, "kernel_size": 3}), ("relu", {}),
           ("flatten", {}), ("dense", {"units": 10}), ("output", {})]
    prev = None
    for kind, params in seq:
        nid = g.new_id(kind)
        g.insert_node(Node(nid, kind, params))
        if prev:
            g.insert_edge(Edge(prev, nid))
        prev = nid
    return Design(g, name="small", training={"frozen": frozen})


def test_locked_parameters_are_counted_as_non_trainable():
    design = _design(["conv2d_1", "relu_1"])
    a = analyze(design.graph)
    conv = a.nodes["conv2d_1"].params
    text = summary_table(design, a)
    assert f"Total params: {a.total_params:,}" in text
    assert f"Trainable params: {a.total_params - conv:,}" in text
    assert f"Non-trainable params: {conv:,} (locked layers: conv2d_1;" in text
    assert "conv2d_1 (locked)" in text and "relu_1 (locked)" not in text  # a layer without parameters
    data = summary_json(design, a)
    assert json.loads(json.dumps(data)) == data
    assert data["trainable_params"] == a.total_params - conv and data["non_trainable_params"] == conv
    assert data["locked"] == ["conv2d_1"]
    assert [r["node"] for r in summary_rows(design, a) if r["locked"]] == ["conv2d_1"]


def test_a_graph_with_frozen_ids_given_and_odd_frozen_values():
    design = _design("conv2d_1")  # not a list: locks nothing (Train says why)
    a = analyze(design.graph)
    assert summary_json(design, a)["trainable_params"] == a.total_params
    assert "Non-trainable params: 0" in summary_table(design, a)
    assert summary_json(_design([None, 3, "dense_1"]), a)["locked"] == ["dense_1"]
    assert summary_json(design.graph, a, frozen=["dense_1"])["non_trainable_params"] == a.nodes["dense_1"].params
    assert summary_json(design.graph, a)["non_trainable_params"] == 0
