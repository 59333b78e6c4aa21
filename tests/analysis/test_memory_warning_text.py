"""The design-time memory warning (analysis, torch-free) has no batch size: its text says it assumes a
batch of 32 and that Train checks the run's real batch (training/memory.py)."""

from netbuilder.analysis import analyze
from netbuilder.graph import Edge, Graph, Node
from netbuilder.presets import build_preset


def test_the_whole_design_warning_names_its_assumed_batch_and_the_check_at_train():
    a = analyze(build_preset("vgg16").graph, memory_limit_bytes=3 * 2**30)  # every layer fits, all do not
    (d,) = [d for d in a.diagnostics if d.code == "too_large"]
    assert d.severity == "warning" and d.node_id is None
    assert "batch of 32" in d.message and "assumes 32" in d.message
    assert "Train checks the real batch size" in d.message


def test_a_layer_too_large_says_the_batch_is_assumed():
    g = Graph()
    g.insert_node(Node("input", "input", {"shape": [1_000]}))
    g.insert_node(Node("dense_1", "dense", {"units": 1_000_000}))
    g.insert_node(Node("output", "output", {}))
    g.insert_edge(Edge("input", "dense_1"))
    g.insert_edge(Edge("dense_1", "output"))
    (d,) = [d for d in analyze(g, memory_limit_bytes=2**30).diagnostics if d.code == "too_large"]
    assert "a batch of 32, the batch this check assumes" in d.message
    assert "Train checks the memory again at the real batch size" in d.fix


def test_the_whole_design_warning_counts_only_the_models_layers():
    """Two dense layers that each fit: on the path together they are too much; one of them left dangling
    (not in the model, not trained) is not counted in the whole design's memory (it was)."""
    limit = 2**30  # each dense layer: about 0.65 GiB to train; both: 1.3 GiB
    both = Graph()  # the two side by side, added: both in the model
    for n in (Node("input", "input", {"shape": [1_000]}), Node("dense_1", "dense", {"units": 40_000}),
              Node("dense_2", "dense", {"units": 40_000}), Node("add_1", "add", {}), Node("output", "output", {})):
        both.insert_node(n)
    for e in (Edge("input", "dense_1"), Edge("input", "dense_2"), Edge("dense_1", "add_1", 0),
              Edge("dense_2", "add_1", 1), Edge("add_1", "output")):
        both.insert_edge(e)
    together = [d for d in analyze(both, memory_limit_bytes=limit).diagnostics if d.code == "too_large"]
    assert [d.node_id for d in together] == [None]  # together, too much
    dangling = Graph()
    dangling.insert_node(Node("input", "input", {"shape": [1_000]}))
    dangling.insert_node(Node("dense_1", "dense", {"units": 40_000}))
    dangling.insert_node(Node("dense_2", "dense", {"units": 40_000}))
    dangling.insert_node(Node("output", "output", {}))
    dangling.insert_edge(Edge("input", "dense_1"))
    dangling.insert_edge(Edge("dense_1", "output"))
    dangling.insert_edge(Edge("input", "dense_2"))  # a branch that leads nowhere
    a = analyze(dangling, memory_limit_bytes=limit)
    assert "dense_2" not in a.on_path
    assert not [d for d in a.diagnostics if d.code == "too_large"]
