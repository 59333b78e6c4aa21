"""Receptive fields of known stacks, worked out by hand (pure: the design graph only, no torch)."""

import pytest

from netbuilder.analysis.receptive_field import ReceptiveFieldError, receptive_field, receptive_field_size
from netbuilder.graph import Edge, Graph, Node


def chain(*layers, shape=(1, 28, 28)) -> Graph:
    """input -> layers... with ids like the editor's (conv2d_1, conv2d_2, ...)."""
    g = Graph()
    prev = "input_1"
    g.insert_node(Node(prev, "input", {"shape": list(shape)}))
    for kind, params in layers:
        nid = g.new_id(kind)
        g.insert_node(Node(nid, kind, dict(params)))
        g.insert_edge(Edge(prev, nid, 0))
        prev = nid
    return g


CONV3 = ("conv2d", {"filters": 4, "kernel_size": 3})
LENET = [("conv2d", {"filters": 6, "kernel_size": 5}), ("relu", {}), ("maxpool2d", {"kernel_size": 2}),
         ("conv2d", {"filters": 16, "kernel_size": 5})]


def test_two_3x3_convs_see_5x5():
    g = chain(CONV3, CONV3)
    assert receptive_field_size(g, "conv2d_2") == (5, 1)
    assert receptive_field_size(g, "conv2d_1") == (3, 1)
    # no padding: output pixel (y, x) of conv2d_2 sees input rows y..y+4
    assert receptive_field(g, "conv2d_2", 3, 7) == (3, 8, 7, 12)


def test_lenet_conv_pool_conv_sees_14x14_with_jump_2():
    g = chain(*LENET)
    assert receptive_field_size(g, "conv2d_2") == (14, 2)
    assert receptive_field_size(g, "maxpool2d_1") == (6, 2)
    assert receptive_field(g, "conv2d_2", 0, 0) == (0, 14, 0, 14)
    assert receptive_field(g, "conv2d_2", 7, 2) == (14, 28, 4, 18)  # the last row reaches the bottom edge


def test_border_pixel_clipped_or_reported_with_padding():
    pad = ("conv2d", {"filters": 4, "kernel_size": 3, "padding": 1})
    g = chain(pad, pad, shape=(1, 6, 6))
    assert receptive_field(g, "conv2d_2", 0, 0, clip=False) == (-2, 3, -2, 3)
    assert receptive_field(g, "conv2d_2", 0, 0) == (0, 3, 0, 3)
    assert receptive_field(g, "conv2d_2", 5, 2) == (3, 6, 0, 5)
    assert receptive_field(g, "conv2d_2", 5, 2, clip=False) == (3, 8, 0, 5)


def test_stride_dilation_and_same_padding():
    g = chain(("conv2d", {"kernel_size": 3, "stride": 2}), ("conv2d", {"kernel_size": 3, "dilation": 2}),
              ("conv2d", {"kernel_size": 3, "padding": "same"}), shape=(1, 32, 32))
    # sizes: 3; 3 + 2*2*2 = 11; 11 + 2*1*2 = 15; jump 2 throughout
    assert receptive_field_size(g, "conv2d_3") == (15, 2)
    assert receptive_field(g, "conv2d_3", 5, 5, clip=False) == (8, 23, 8, 23)  # rows 4..6, 4..10, 8..22


def test_pool_stride_zero_means_kernel_and_elementwise_layers_pass_through():
    g = chain(("avgpool2d", {"kernel_size": 3}), ("batchnorm2d", {}), ("dropout", {"p": 0.5}),
              ("maxpool2d", {"kernel_size": 2, "stride": 1}), shape=(1, 12, 12))
    assert receptive_field_size(g, "maxpool2d_1") == (6, 3)
    assert receptive_field(g, "maxpool2d_1", 1, 2) == (3, 9, 6, 12)


def test_dense_layers_see_the_whole_image():
    g = chain(CONV3, ("flatten", {}), ("dense", {"units": 10}), shape=(3, 10, 12))
    assert receptive_field(g, "dense_1", 0, 0) == (0, 10, 0, 12)
    assert receptive_field_size(g, "dense_1") == (12, 0)


def test_branches_take_the_union_over_paths():
    g = chain(CONV3, shape=(1, 20, 20))  # conv2d_1: 3x3
    g.insert_node(Node("conv2d_2", "conv2d", {"kernel_size": 5, "padding": 1}))  # a 5x5 branch
    g.insert_edge(Edge("input_1", "conv2d_2", 0))
    g.insert_node(Node("add_1", "add", {}))
    g.insert_edge(Edge("conv2d_1", "add_1", 0))
    g.insert_edge(Edge("conv2d_2", "add_1", 1))
    # both outputs are 18x18; pixel (4, 4): 3x3 branch sees rows 4..6, 5x5 branch rows 3..7
    assert receptive_field(g, "add_1", 4, 4) == (3, 8, 3, 8)
    assert receptive_field_size(g, "add_1") == (5, 1)


def test_squeeze_and_excitation_branch_sees_everything():
    g = chain(CONV3, shape=(4, 9, 9))
    for nid, kind, params in [("adaptive_avgpool2d_1", "adaptive_avgpool2d", {"output_size": 1}),
                              ("multiply_1", "multiply", {})]:
        g.insert_node(Node(nid, kind, params))
    g.insert_edge(Edge("conv2d_1", "adaptive_avgpool2d_1", 0))
    g.insert_edge(Edge("conv2d_1", "multiply_1", 0))
    g.insert_edge(Edge("adaptive_avgpool2d_1", "multiply_1", 1))
    assert receptive_field(g, "multiply_1", 0, 0) == (0, 9, 0, 9)
    assert receptive_field(g, "adaptive_avgpool2d_1", 0, 0) == (0, 9, 0, 9)


def test_adaptive_pool_bins():
    g = chain(("adaptive_avgpool2d", {"output_size": 3}), shape=(1, 7, 7))
    # torch's bins over 7 into 3: [0, 3), [2, 5), [4, 7)
    assert [receptive_field(g, "adaptive_avgpool2d_1", i, 0)[:2] for i in range(3)] == [(0, 3), (2, 5), (4, 7)]


def test_a_chain_of_layers_and_errors():
    layers = [("conv2d", {"kernel_size": 5}), ("maxpool2d", {"kernel_size": 2}), ("conv2d", {"kernel_size": 5})]
    assert receptive_field_size(layers, "conv2d_2", input_shape=(1, 28, 28)) == (14, 2)
    assert receptive_field(layers, "conv2d_2", 1, 1, input_shape=(1, 28, 28)) == (2, 16, 2, 16)
    with pytest.raises(ReceptiveFieldError, match="needs an input"):
        receptive_field(layers, "conv2d_2", 0, 0)
    g = chain(*LENET)
    with pytest.raises(ReceptiveFieldError, match="outside"):
        receptive_field(g, "conv2d_2", 8, 0)
    with pytest.raises(ReceptiveFieldError, match="no node"):
        receptive_field(g, "conv2d_9", 0, 0)
    with pytest.raises(ReceptiveFieldError, match="image input"):
        receptive_field(chain(("dense", {"units": 3}), shape=(5,)), "dense_1", 0, 0)


def test_a_squeeze_excitation_gate_widens_the_field_but_does_not_set_the_jump():
    """EfficientNet's gate (a 1×1 map multiplied into the full-size one) sees the whole image, but neighbouring
    output pixels stay as far apart as the full-size input's: the jump grew with the gate's (the image's side)
    at every block, to 2,097,152 input pixels on a 32×32 image."""
    from netbuilder.analysis.receptive_field import receptive_field_size
    from netbuilder.presets import build_preset, fit_design

    design = fit_design(build_preset("efficientnet_small"), [3, 32, 32], 6)
    sizes = [receptive_field_size(design.graph, n) for n in ("block1_add", "block3_add", "block5_add")]
    assert [jump for _size, jump in sizes] == [1, 2, 4]
    assert all(32 <= size < 200 for size, _jump in sizes)  # the whole image and a little past it (padding)
