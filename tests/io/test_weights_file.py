"""ONE rule decides which trained weights a design file uses (the window, the commands and the notebook API
all ask ``io.design_weights_file``): the file its own ``weights`` entry names beside it; ``null`` means
untrained, whatever lies beside it; a file from format version 1 (which had no such entry) names, once
loaded, the weights named after it. Pure: no torch."""

from __future__ import annotations

import json

from netbuilder.graph import Design
from netbuilder.io import design_weights_file, existing_design_weights, load_design, save_design


def _design(weights: str | None = None) -> Design:
    from netbuilder.graph import Graph, Node

    g = Graph()
    g.insert_node(Node("input_1", "input", {"shape": [4]}))
    return Design(g, weights=weights)


def test_a_renamed_design_file_keeps_the_weights_it_names(tmp_path):
    save_design(_design("lab3.safetensors"), tmp_path / "lab3_alice.nbd")
    (tmp_path / "lab3.safetensors").write_bytes(b"w")
    design = load_design(tmp_path / "lab3_alice.nbd")
    assert design_weights_file(design, tmp_path / "lab3_alice.nbd") == tmp_path / "lab3.safetensors"
    assert existing_design_weights(design, tmp_path / "lab3_alice.nbd") == tmp_path / "lab3.safetensors"


def test_null_weights_mean_untrained_even_beside_a_file_named_after_the_design(tmp_path):
    save_design(_design(None), tmp_path / "X.nbd")
    (tmp_path / "X.safetensors").write_bytes(b"leftover")
    design = load_design(tmp_path / "X.nbd")
    assert design_weights_file(design, tmp_path / "X.nbd") is None
    assert existing_design_weights(design, tmp_path / "X.nbd") is None


def test_named_weights_that_are_missing_are_named_but_not_loaded(tmp_path):
    save_design(_design("gone.safetensors"), tmp_path / "net.nbd")
    (tmp_path / "net.safetensors").write_bytes(b"not these")
    design = load_design(tmp_path / "net.nbd")
    assert design_weights_file(design, tmp_path / "net.nbd") == tmp_path / "gone.safetensors"
    assert existing_design_weights(design, tmp_path / "net.nbd") is None


def test_a_version_1_file_which_had_no_weights_entry_keeps_the_weights_named_after_it(tmp_path):
    v1 = {"format": "netbuilder-design", "version": 1, "name": "old",
          "layers": [{"name": "x", "type": "Input", "config": {"shape": [4]}}], "links": []}
    (tmp_path / "old.nbd").write_text(json.dumps(v1))
    design = load_design(tmp_path / "old.nbd")
    assert design.weights is None and existing_design_weights(design, tmp_path / "old.nbd") is None  # untrained
    (tmp_path / "old.safetensors").write_bytes(b"w")
    design = load_design(tmp_path / "old.nbd")  # netbuilder 0.x kept them named after the file: it names them
    assert design.weights == "old.safetensors"
    assert existing_design_weights(design, tmp_path / "old.nbd") == tmp_path / "old.safetensors"
    save_design(design, tmp_path / "old.nbd")  # saved again: the current format, naming them
    assert json.loads((tmp_path / "old.nbd").read_text())["weights"] == "old.safetensors"


def test_a_version_2_file_without_the_entry_is_untrained(tmp_path):
    save_design(_design(None), tmp_path / "new.nbd")
    data = json.loads((tmp_path / "new.nbd").read_text())
    del data["weights"]
    (tmp_path / "new.nbd").write_text(json.dumps(data))
    (tmp_path / "new.safetensors").write_bytes(b"leftover")
    design = load_design(tmp_path / "new.nbd")
    assert design.weights is None and existing_design_weights(design, tmp_path / "new.nbd") is None


def test_a_weights_entry_naming_a_folder_loads_nothing(tmp_path):
    (tmp_path / "w.safetensors").mkdir()
    assert existing_design_weights(_design("w.safetensors"), tmp_path / "net.nbd") is None
