"""summary_rows / summary_table / summary_json: the per-layer table a student reads. Pure: no torch."""

import json

from netbuilder.analysis import analyze
from netbuilder.analysis.summary import format_macs, summary_json, summary_rows, summary_table
from netbuilder.graph import Edge, Graph, Node


def _lenet() -> Graph:
    g = Graph()
    seq = [("input", {"shape": [1, 28, 28]}), ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}),
           ("relu", {}), ("maxpool2d", {"kernel_size": 2}), ("conv2d", {"filters": 16, "kernel_size": 5}),
           ("relu", {}), ("maxpool2d", {"kernel_size": 2}), ("flatten", {}), ("dense", {"units": 120}),
           ("relu", {}), ("dense", {"units": 84}), ("relu", {}), ("dense", {"units": 10}), ("output", {})]
    prev = None
    for kind, params in seq:
        nid = g.new_id(kind)
        g.insert_node(Node(nid, kind, params))
        if prev:
            g.insert_edge(Edge(prev, nid))
        prev = nid
    return g


def test_rows_follow_the_analysis():
    g = _lenet()
    a = analyze(g)
    rows = summary_rows(g, a)
    assert [r["node"] for r in rows] == a.order
    conv = rows[1]
    assert conv["kind"] == "conv2d" and conv["title"] == "Conv2d"
    assert conv["output_shape"] == [6, 28, 28] and conv["params"] == 156 and conv["macs"] == 117_600
    assert all(r["diagnostics"] == [] for r in rows)


def test_table_has_layers_totals_and_validity():
    g = _lenet()
    text = summary_table(g, analyze(g))
    header = text.splitlines()[1]
    for col in ("Layer (node id)", "Kind", "Output shape", "Param #", "MACs"):
        assert col in header
    assert "conv2d_1" in text and "6×28×28" in text and "2,416" in text
    assert "Total params: 61,706" in text and "Trainable params: 61,706" in text
    assert "MACs per sample: 416.5 k" in text
    assert "design valid · 0 errors, 0 warnings" in text


def test_table_lists_problems():
    g = _lenet()
    g.set_param("dense_1", "units", 0)
    text = summary_table(g, analyze(g))
    assert "NOT valid" in text and "dense_1 !" in text and "units must be at least 1" in text


def test_json_is_plain():
    g = _lenet()
    g.insert_node(Node("stray", "relu"))
    data = summary_json(g, analyze(g))
    assert json.loads(json.dumps(data)) == data
    assert data["total_params"] == 61_706 and data["valid"]
    assert data["diagnostics"][0]["code"] == "unconnected" and data["diagnostics"][0]["node"] == "stray"


def test_format_macs():
    assert format_macs(2) == "2" and format_macs(4_736) == "4,736"  # (a neuron's, an MLP's: not "0.00 M")
    assert format_macs(416_520) == "416.5 k"
    assert format_macs(1_814_073_856) == "1.81 G" and format_macs(714_188_480) == "714.19 M"
    assert format_macs(1_820_000_000) == "1.82 G"
