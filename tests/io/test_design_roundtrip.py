"""Saving and loading designs: equality, byte-identical re-saves, readable diffs, defaults."""

from __future__ import annotations

import copy
import difflib
import json
import time

import pytest

from netbuilder.graph import Design, Edge, Graph, GraphError, Group, Node
from netbuilder.io import (
    CURRENT_VERSION,
    DESIGN_EXTENSION,
    FORMAT,
    DesignFileError,
    design_from_dict,
    design_to_dict,
    dumps_design,
    load_design,
    loads_design,
    save_design,
)


def test_extension_and_header(lenet, tmp_path):
    assert DESIGN_EXTENSION == ".nbd"
    path = tmp_path / f"lenet{DESIGN_EXTENSION}"
    save_design(lenet, path)
    data = json.loads(path.read_text("utf-8"))
    assert (data["format"], data["version"]) == (FORMAT, CURRENT_VERSION) == ("netbuilder-design", 2)
    assert list(data) == ["format", "version", "name", "description", "nodes", "edges", "groups",
                          "layout", "dataset", "training", "weights", "meta"]


def test_save_load_round_trip(lenet, tmp_path):
    path = tmp_path / "lenet.nbd"
    save_design(lenet, path)
    loaded = load_design(path)
    assert loaded.graph.to_dict() == lenet.graph.to_dict()
    assert loaded == lenet  # name, description, layout, dataset, training, weights, meta too
    assert loaded.weights == "lenet5.safetensors"
    assert [g.id for g in loaded.graph.groups.values()] == ["block_1", "block_2", "classifier"]
    assert loaded.graph.groups["block_2"].collapsed is True
    assert list(loaded.graph.nodes) == list(lenet.graph.nodes)  # file order is graph order
    assert loaded.graph.topological_order()[0] == "input_1"


def test_resave_is_byte_identical(lenet, tmp_path):
    first, second = tmp_path / "a.nbd", tmp_path / "b.nbd"
    save_design(lenet, first)
    save_design(load_design(first), second)
    assert first.read_bytes() == second.read_bytes()
    assert dumps_design(loads_design(first.read_text("utf-8"))) == first.read_text("utf-8")


def test_text_is_readable_one_node_per_line(lenet):
    text = dumps_design(lenet)
    assert text.endswith("}\n") and "\t" not in text
    lines = text.splitlines()
    assert all(len(line) < 100 for line in lines if not line.startswith("  {"))
    node_lines = [line for line in lines if '"kind": ' in line]
    assert len(node_lines) == len(lenet.graph)
    assert all('"id": ' in line and '"pos": ' in line for line in node_lines)
    assert "«classic»" in text  # non-ASCII text stays readable


def test_changing_one_setting_changes_one_line(lenet):
    before = dumps_design(lenet).splitlines()
    lenet.graph.set_param("dense_1", "units", 100)
    after = dumps_design(lenet).splitlines()
    changed = [d for d in difflib.unified_diff(before, after, lineterm="", n=0) if d[:1] in "+-"
               and not d.startswith(("+++", "---"))]
    assert len(changed) == 2 and '"units": 100' in changed[1]


def test_dict_round_trip_and_input_untouched(lenet_dict):
    data = copy.deepcopy(lenet_dict)
    design = design_from_dict(data)
    assert data == lenet_dict
    assert design_to_dict(design) == lenet_dict
    design.dataset["augment"]["crop"] = 99  # the design owns its own copies
    assert lenet_dict["dataset"]["augment"]["crop"] == 2


def test_optional_keys_take_defaults():
    design = design_from_dict({"format": FORMAT, "version": 2, "nodes": [{"id": "input_1", "kind": "input"}]})
    assert design.name == "untitled" and design.description == "" and design.weights is None
    assert design.layout == {"direction": "TB"} and design.dataset == {} and design.training == {}
    node = design.graph.node("input_1")
    assert node.params == {} and node.pos == (0.0, 0.0)


def test_renamed_kinds_load_under_their_new_name():
    data = {"format": FORMAT, "version": 2, "nodes": [{"id": "fc_1", "kind": "linear", "params": {"units": 5}},
                                                      {"id": "act_1", "kind": "swish"}]}
    design = design_from_dict(data)
    assert [n.kind for n in design.graph.iter_nodes()] == ["dense", "silu"]


def test_out_of_bounds_settings_are_legal(lenet_dict):
    """Analysis reports these on the node; the file must still open so the student can fix them."""
    data = copy.deepcopy(lenet_dict)
    data["nodes"][8]["params"].update(units=2_000_000, colour="blue")  # above max; unknown setting
    data["nodes"][1]["params"]["kernel_size"] = -3
    data["nodes"][12]["params"]["p"] = 1.5
    design = design_from_dict(data)
    assert design.graph.node("dense_1").params["units"] == 2_000_000
    assert design.graph.node("dropout_1").params["p"] == 1.5


def test_tuples_are_saved_as_lists():
    g = Graph()
    g.insert_node(Node("input_1", "input", {"shape": (3, 32, 32)}))
    text = dumps_design(Design(g, meta={"pair": (1, 2)}))
    loaded = loads_design(text)
    assert loaded.graph.node("input_1").params["shape"] == [3, 32, 32]
    assert loaded.meta == {"pair": [1, 2]}


def test_save_refuses_what_could_not_be_loaded_and_keeps_the_old_file(lenet, tmp_path):
    path = tmp_path / "lenet.nbd"
    save_design(lenet, path)
    old = path.read_bytes()
    broken = lenet.copy()
    broken.graph.set_param("dense_1", "units", 10**12)
    with pytest.raises(DesignFileError) as info:
        save_design(broken, path)
    assert info.value.where == "nodes[8].params.units" and "cannot save" in info.value.problem
    assert str(path) in str(info.value)
    broken = lenet.copy()
    broken.meta["when"] = object()
    with pytest.raises(DesignFileError, match=r"meta\.when: .*cannot be saved"):
        save_design(broken, path)
    broken = lenet.copy()
    broken.graph.set_pos("relu_1", (float("nan"), 0.0))
    with pytest.raises(DesignFileError, match=r"nodes\[2\]\.pos\[0\]"):
        save_design(broken, path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet.nbd"]


def test_save_into_a_missing_folder_is_a_clear_error(lenet, tmp_path):
    path = tmp_path / "no" / "such" / "folder" / "x.nbd"
    with pytest.raises(DesignFileError) as info:
        save_design(lenet, path)
    assert info.value.path == str(path) and info.value.where == "whole file"
    assert "cannot save" in info.value.problem


def test_groups_and_edges_keep_their_order():
    g = Graph()
    for n in ("b_1", "a_1", "c_1", "add_1"):
        g.insert_node(Node(n, "add" if n == "add_1" else "relu"))
    g.insert_edge(Edge("c_1", "add_1", 1))
    g.insert_edge(Edge("b_1", "add_1", 0))
    g.insert_group(Group("z_group", "z", ["c_1"]))
    g.insert_group(Group("a_group", "a", ["a_1", "b_1"]))
    loaded = loads_design(dumps_design(Design(g)))
    assert loaded.graph.to_dict() == g.to_dict()
    assert [e.port for e in loaded.graph.edges] == [1, 0]
    assert list(loaded.graph.groups) == ["z_group", "a_group"]


def test_big_design_loads_in_linear_time():
    n = 10_000
    nodes = [{"id": f"relu_{i}", "kind": "relu", "pos": [0.0, float(i)]} for i in range(n)]
    edges = [{"src": f"relu_{i}", "dst": f"relu_{i + 1}"} for i in range(n - 1)]
    text = json.dumps({"format": FORMAT, "version": 2, "nodes": nodes, "edges": edges})
    start = time.perf_counter()
    design = loads_design(text)
    assert len(design.graph) == n and len(design.graph.edges) == n - 1
    assert time.perf_counter() - start < 5  # quadratic cycle checks would take about a minute
    # the graph's own cycle check is back in place after loading
    with pytest.raises(GraphError, match="cycle"):
        design.graph.insert_edge(Edge(f"relu_{n - 1}", "relu_0", 1))


def test_layout_always_has_a_direction():
    text = dumps_design(Design(layout={}))
    assert '"layout": {"direction": "TB"}' in text
    assert dumps_design(loads_design(text)) == text
