"""Shared designs for the design-file tests: a LeNet-5 built with the graph API."""

from __future__ import annotations

import pytest

from netbuilder.graph import Design, Edge, Graph, Group, Node


def build_lenet() -> Design:
    """LeNet-5 for 1×28×28 digits: two conv/relu/pool blocks and three dense layers, in groups."""
    g = Graph()
    chain = [
        ("input", {"shape": [1, 28, 28]}),
        ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}),
        ("relu", {}),
        ("maxpool2d", {"kernel_size": 2}),
        ("conv2d", {"filters": 16, "kernel_size": 5}),
        ("relu", {}),
        ("maxpool2d", {"kernel_size": 2, "stride": 2}),
        ("flatten", {}),
        ("dense", {"units": 120}),
        ("relu", {}),
        ("dense", {"units": 84, "bias": True}),
        ("relu", {}),
        ("dropout", {"p": 0.25}),
        ("dense", {"units": 10}),
        ("output", {}),
    ]
    ids = []
    for i, (kind, params) in enumerate(chain):
        node_id = g.new_id(kind)
        g.insert_node(Node(node_id, kind, params, (40.0 * (i % 3), 90.5 * i)))
        ids.append(node_id)
    for a, b in zip(ids, ids[1:]):
        g.insert_edge(Edge(a, b))
    g.insert_group(Group("block_1", "features 1", ids[1:4]))
    g.insert_group(Group("block_2", "features 2", ids[4:7], collapsed=True))
    g.insert_group(Group("classifier", "classifier", ids[8:14]))
    return Design(
        g,
        name="lenet5",
        description="LeNet-5 (LeCun et al. 1998) for 28×28 digits — «classic»",
        layout={"direction": "LR", "zoom": 1.25},
        dataset={"name": "mnist", "val_fraction": 0.1, "augment": {"flip": False, "crop": 2}},
        training={"optimizer": "adam", "lr": 0.001, "epochs": 5, "batch_size": 64, "seed": 0},
        weights="lenet5.safetensors",
        meta={"preset": "lenet5", "netbuilder": "0.1.0"},
    )


@pytest.fixture
def lenet() -> Design:
    return build_lenet()


@pytest.fixture(scope="session")
def lenet_dict() -> dict:
    """The LeNet design as a file dict (do not change it: copy it first)."""
    from netbuilder.io import design_to_dict

    return design_to_dict(build_lenet())
