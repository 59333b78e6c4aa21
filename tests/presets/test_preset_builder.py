"""DesignBuilder: ids, inputs, groups, layout. Pure: no torch."""

import pytest

from netbuilder.graph import Edge
from netbuilder.presets import DesignBuilder, PresetError
from netbuilder.presets.builder import BRANCH_DX, LAYER_DY, auto_layout


def _branchy():
    b = DesignBuilder("branchy", meta={"k": 1})
    x = b.input([3, 8, 8])
    with b.group("block", "residual block"):
        y = b.add("conv2d", x, filters=3, kernel_size=3, padding=1, id="conv")
        y = b.add("relu", y)
        z = b.add("add", y, x, id="merge")
    b.output(z)
    return b


def test_nodes_edges_and_ports_follow_the_calls():
    d = _branchy().build()
    g = d.graph
    assert list(g.nodes) == ["input", "conv", "relu_1", "merge", "output"]
    assert [e for e in g.edges if e.dst == "merge"] == [Edge("relu_1", "merge", 0), Edge("input", "merge", 1)]
    assert g.node("conv").params == {"filters": 3, "kernel_size": 3, "padding": 1}
    assert d.name == "branchy" and d.meta == {"k": 1} and d.layout["direction"] == "TB"


def test_group_collects_the_nodes_made_inside_it_only():
    g = _branchy().build().graph
    assert list(g.groups) == ["block"]
    assert g.groups["block"].nodes == ["conv", "relu_1", "merge"]
    assert g.groups["block"].name == "residual block"


def test_nested_groups_put_a_node_in_the_innermost_only_and_drop_empty_groups():
    b = DesignBuilder("nested")
    x = b.input([4])
    with b.group("outer", "outer"):
        with b.group("inner", "inner"):
            x = b.add("dense", x, units=2, id="d")
        with b.group("empty", "empty"):
            pass
    g = b.build().graph
    assert list(g.groups) == ["inner"]
    assert g.groups["inner"].nodes == ["d"]


def test_layout_rows_follow_depth_and_branches_spread():
    g = _branchy().build().graph
    pos = {n.id: n.pos for n in g.iter_nodes()}
    assert [pos[n][1] for n in ("input", "conv", "relu_1", "merge", "output")] == [
        0.0, LAYER_DY, 2 * LAYER_DY, 3 * LAYER_DY, 4 * LAYER_DY]
    # two nodes in one row never overlap
    edges = [Edge("a", "b"), Edge("a", "c"), Edge("a", "d")]
    layout = auto_layout(["a", "b", "c", "d"], edges)
    xs = sorted(layout[n][0] for n in "bcd")
    assert xs[1] - xs[0] >= BRANCH_DX and xs[2] - xs[1] >= BRANCH_DX
    assert abs(sum(xs) / 3 - layout["a"][0]) < 1e-6  # centred under their input


def test_bad_ids_unknown_inputs_and_duplicates_are_refused():
    b = DesignBuilder("bad")
    x = b.input([4])
    with pytest.raises(PresetError, match="not a valid node id"):
        b.add("dense", x, id="layer1.0")
    with pytest.raises(PresetError, match="already exists"):
        b.add("dense", x, id="input")
    with pytest.raises(PresetError, match="add it first"):
        b.add("dense", "nowhere")
    with pytest.raises(Exception, match="unknown layer kind"):
        b.add("convolution3d", x)


def test_automatic_ids_skip_taken_ones_and_sequence_chains():
    b = DesignBuilder("ids")
    x = b.input([4])
    b.add("dense", x, id="dense_1")
    last = b.sequence(x, ("dense", {"units": 3}), "relu", ("dense", {"units": 2}))
    g = b.build().graph
    assert last == "dense_3"
    assert [n for n in g.nodes if n.startswith("dense")] == ["dense_1", "dense_2", "dense_3"]
    assert g.node("dense_2").params == {"units": 3}


def test_groups_collapse_by_choice_or_when_the_design_is_big():
    from netbuilder.presets.builder import AUTO_COLLAPSE

    def chain(n: int, **kw):
        b = DesignBuilder("chain", **kw)
        x = b.input([4])
        with b.group("block", "block"):
            for _ in range(n):
                x = b.add("relu", x)
        with b.group("kept", "kept", collapsed=False):
            x = b.add("relu", x)
        b.output(x)
        return b.build().graph

    small, big = chain(3), chain(AUTO_COLLAPSE)
    assert not small.groups["block"].collapsed
    assert big.groups["block"].collapsed and not big.groups["kept"].collapsed
    assert chain(3, collapsed=True).groups["block"].collapsed
    assert not chain(AUTO_COLLAPSE, collapsed=False).groups["block"].collapsed
    # a collapsed group is laid out as one row: what follows it moves up
    g = chain(3, collapsed=True)
    assert g.node("output").pos[1] == 3 * LAYER_DY  # input, the box, kept, output
