"""One test per kind of broken design file: each gets a DesignFileError naming the file, the place
in it and the problem (never a traceback, never the catch-all "please report" message)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from netbuilder.errors import NetbuilderError
from netbuilder.io import DesignFileError, design_from_dict, limits, load_design, loads_design


def refused(path: Path, content: str | bytes | dict) -> DesignFileError:
    """Write ``content`` to ``path``, load it, and check the error is clear and complete."""
    if isinstance(content, dict):
        content = json.dumps(content, ensure_ascii=False)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    with pytest.raises(DesignFileError) as info:
        load_design(path)
    e = info.value
    assert isinstance(e, NetbuilderError)
    assert e.path == str(path)
    assert str(e) == f"{path}: {e.where}: {e.problem}"
    assert e.where and e.problem and "\n" not in str(e)
    assert "please report" not in e.problem
    return e


Mutator = Callable[[dict], object]


def _set(*path_and_value):
    *path, value = path_and_value

    def mutate(d: dict) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(*path):
    def mutate(d: dict) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _append(*path_and_value):
    *path, value = path_and_value

    def mutate(d: dict) -> None:
        target = d
        for key in path:
            target = target[key]
        target.append(value)

    return mutate


# LeNet node indices: 0 input_1, 1 conv2d_1, 2 relu_1, 3 maxpool2d_1, 4 conv2d_2, 5 relu_2,
# 6 maxpool2d_2, 7 flatten_1, 8 dense_1, ... 14 output_1; edges[i] joins node i to node i + 1.
CASES = [
    # --- header
    pytest.param(_set("format", "keras-model"), "format", "not a netbuilder design file", id="wrong-format"),
    pytest.param(_delete("format"), "top level", "not a netbuilder design file", id="no-format"),
    pytest.param(_set("version", 3), "version",
                 "made by a newer netbuilder (format version 3; this one reads up to 2): update netbuilder "
                 "to open it", id="newer-version"),
    pytest.param(_set("version", "2"), "version", "must be a whole number", id="version-text"),
    pytest.param(_set("version", 0), "version", "does not exist", id="version-zero"),
    pytest.param(_delete("version"), "top level", "'version' is missing", id="no-version"),
    pytest.param(_set("node", []), "node", "did you mean 'nodes'?", id="unknown-top-key"),
    # --- wrong types
    pytest.param(_set("nodes", {}), "nodes", "must be a list of nodes, not an object", id="nodes-object"),
    pytest.param(_delete("nodes"), "top level", "'nodes' is missing", id="no-nodes"),
    pytest.param(_set("nodes", 3, 5), "nodes[3]", "a node must be an object", id="node-number"),
    pytest.param(_delete("nodes", 3, "kind"), "nodes[3]", "a node needs a kind", id="node-no-kind"),
    pytest.param(_set("nodes", 2, "param", {}), "nodes[2].param", "did you mean 'params'?", id="node-typo"),
    pytest.param(_set("nodes", 1, "params", [6]), "nodes[1].params", "must be an object of settings, not a list",
                 id="params-list"),
    pytest.param(_set("nodes", 8, "params", "units", {"n": 1}), "nodes[8].params.units", "not an object",
                 id="setting-object"),
    pytest.param(_set("nodes", 0, "params", "shape", [1] * 100), "nodes[0].params.shape",
                 "a list of 100 values is not a setting", id="setting-long-list"),
    pytest.param(_set("nodes", 0, "params", "shape", [[1], [28]]), "nodes[0].params.shape[0]", "not a list",
                 id="setting-nested-list"),
    pytest.param(_set("nodes", 8, "params", "bad-name", 1), "nodes[8].params['bad-name']", "not a setting name",
                 id="setting-bad-name"),
    pytest.param(_set("nodes", 2, "pos", [1.0]), "nodes[2].pos", "two numbers", id="pos-one-number"),
    pytest.param(_set("nodes", 2, "pos", [1.0, "up"]), "nodes[2].pos[1]", "finite number", id="pos-text"),
    pytest.param(_set("nodes", 2, "pos", [True, 0]), "nodes[2].pos[0]", "finite number", id="pos-bool"),
    pytest.param(_set("nodes", 2, "pos", [1e12, 0]), "nodes[2].pos[0]", "too far off the canvas", id="pos-far"),
    pytest.param(_set("edges", 3, "port", "0"), "edges[3].port", "must be a whole number, not text",
                 id="port-text"),
    pytest.param(_set("edges", 3, "port", -1), "edges[3].port", "input -1 does not exist", id="port-negative"),
    pytest.param(_set("name", 5), "name", "must be text, not a whole number", id="name-number"),
    pytest.param(_set("groups", 0, "collapsed", "yes"), "groups[0].collapsed", "true or false",
                 id="collapsed-text"),
    pytest.param(_set("weights", "../../secrets.safetensors"), "weights", "plain file name",
                 id="weights-path"),
    pytest.param(_set("weights", "model.pkl"), "weights", "ending in .safetensors", id="weights-pickle"),
    pytest.param(_set("layout", "direction", "XY"), "layout.direction", '"TB"', id="layout-direction"),
    pytest.param(_set("dataset", ["mnist"]), "dataset", "must be an object, not a list", id="dataset-list"),
    pytest.param(_set("description", "x" * 200_000), "description", "too long", id="string-too-long"),
    pytest.param(_set("groups", 0, "name", "g" * 500), "groups[0].name", "at most 200", id="group-name-long"),
    # --- kinds and settings
    pytest.param(_set("nodes", 1, "kind", "conv2"), "nodes[1].kind",
                 "unknown layer kind 'conv2' (did you mean 'conv2d'?)", id="unknown-kind"),
    pytest.param(_set("nodes", 1, "kind", ["conv2d"]), "nodes[1].kind", "must be text", id="kind-list"),
    pytest.param(_set("nodes", 8, "params", "units", 10**12), "nodes[8].params.units",
                 "units = 1,000,000,000,000 is absurdly large", id="absurd-units"),
    pytest.param(_set("nodes", 8, "params", "units", 3 * 10**8), "nodes[8].params.units",
                 "units = 300,000,000 is absurdly large (Dense allows at most 1,000,000)",
                 id="absurd-units-100x-max"),
    pytest.param(_set("nodes", 8, "params", "units", -(10**12)), "nodes[8].params.units", "absurdly large",
                 id="absurd-negative"),
    pytest.param(_set("nodes", 8, "params", "units", 1e12), "nodes[8].params.units", "absurdly large",
                 id="absurd-float-units"),
    pytest.param(_set("nodes", 0, "params", "shape", [1, 10**12, 28]), "nodes[0].params.shape[1]",
                 "absurdly large", id="absurd-input-shape"),
    # --- structure
    pytest.param(_set("edges", 5, "dst", "nowhere_1"), "edges[5].dst", "no node named 'nowhere_1'",
                 id="edge-missing-node"),
    pytest.param(_delete("edges", 5, "src"), "edges[5]", "'src' is missing", id="edge-no-src"),
    pytest.param(_append("edges", {"src": "relu_3", "dst": "conv2d_1", "port": 0}), "edges[14]",
                 "input 0 of conv2d_1 is connected twice (also by edges[0])", id="taken-port"),
    pytest.param(_append("edges", {"src": "relu_2", "dst": "conv2d_1", "port": 1}), "edges[14]",
                 "relu_2 -> conv2d_1 makes a cycle", id="cycle"),
    pytest.param(_append("edges", {"src": "relu_1", "dst": "relu_1", "port": 1}), "edges[14]",
                 "connected to itself", id="self-loop"),
    pytest.param(_set("nodes", 2, "id", "1relu"), "nodes[2].id", "'1relu' is not a valid node id", id="id-digit"),
    pytest.param(_set("nodes", 2, "id", "class"), "nodes[2].id", "not a Python keyword", id="id-keyword"),
    pytest.param(_set("nodes", 2, "id", "relu-1"), "nodes[2].id", "not a valid node id", id="id-dash"),
    pytest.param(_set("nodes", 2, "id", "r" * 101), "nodes[2].id", "at most 100", id="id-too-long"),
    pytest.param(_set("nodes", 2, "id", 7), "nodes[2].id", "must be text", id="id-number"),
    pytest.param(_set("nodes", 2, "id", "conv2d_1"), "nodes[2].id", "'conv2d_1' is used twice (first at nodes[1])",
                 id="duplicate-ids"),
    pytest.param(_set("groups", 0, "id", "relu_1"), "groups[0].id", "is used twice (first at nodes[2])",
                 id="group-id-is-a-node-id"),
    pytest.param(_set("groups", 1, "id", "block_1"), "groups[1].id", "used twice (first at groups[0])",
                 id="duplicate-group-ids"),
    pytest.param(_append("groups", 0, "nodes", "ghost_1"), "groups[0].nodes[3]", "no node named 'ghost_1'",
                 id="group-missing-member"),
    pytest.param(_append("groups", 1, "nodes", "relu_1"), "groups[1].nodes[3]",
                 "relu_1 is already in groups[0]; a node belongs to at most one group", id="node-in-two-groups"),
    pytest.param(_append("groups", 0, "nodes", "conv2d_1"), "groups[0].nodes[3]", "twice in this group",
                 id="group-member-twice"),
    pytest.param(_set("groups", 0, "nodes", "conv2d_1"), "groups[0].nodes", "must be a list of node ids",
                 id="group-nodes-text"),
    pytest.param(_set("groups", 0, 42), "groups[0]", "a group must be an object", id="group-number"),
]


@pytest.mark.parametrize(("mutate", "where", "problem"), CASES)
def test_broken_design(tmp_path, lenet_dict, mutate, where, problem):
    data = copy.deepcopy(lenet_dict)
    mutate(data)
    e = refused(tmp_path / "broken.nbd", data)
    assert e.where == where
    assert problem in e.problem
    with pytest.raises(DesignFileError) as info:  # the same from a dict in memory
        design_from_dict(data, source="pasted")
    assert (info.value.where, info.value.problem) == (e.where, e.problem)
    assert str(info.value).startswith("pasted: ")


def test_top_level_list(tmp_path, lenet_dict):
    e = refused(tmp_path / "list.nbd", json.dumps([lenet_dict]))
    assert e.where == "top level" and "not a netbuilder design file" in e.problem


def test_not_json(tmp_path):
    e = refused(tmp_path / "notes.nbd", "These are my notes about LeNet.\n")
    assert e.where == "line 1, column 1" and e.problem.startswith("not valid JSON")


def test_javascript_comments_and_trailing_commas(tmp_path, lenet_dict):
    text = json.dumps(lenet_dict, indent=1)
    e = refused(tmp_path / "comment.nbd", text.replace('"nodes": [', '"nodes": [ // the layers', 1))
    assert e.where.startswith("line ") and "not valid JSON" in e.problem
    e = refused(tmp_path / "comma.nbd", text.replace('"edges": [', '"edges": [],\n "x": [', 1)[:-2] + ",}")
    assert e.where.startswith("line ") and "not valid JSON" in e.problem


def test_truncated_file(tmp_path, lenet_dict):
    text = json.dumps(lenet_dict, indent=1)
    e = refused(tmp_path / "cut.nbd", text[: len(text) // 2])
    line = text[: len(text) // 2].count("\n") + 1
    assert e.where.startswith(f"line {line}, column ")
    assert "ends too early" in e.problem


@pytest.mark.parametrize("content", ["", "   \n\t\n"], ids=["empty", "blank"])
def test_empty_file(tmp_path, content):
    e = refused(tmp_path / "empty.nbd", content)
    assert (e.where, e.problem) == ("whole file", "the file is empty")


def test_binary_garbage(tmp_path):
    e = refused(tmp_path / "garbage.nbd", bytes(range(256)) * 8)
    assert e.where == "byte 0" and "binary data" in e.problem
    e = refused(tmp_path / "weights.nbd", b"\x80\x81" + os.urandom(64).replace(b"\x00", b"\x01"))
    assert e.where == "byte 0" and "not UTF-8" in e.problem


def test_the_other_files_of_a_set_are_named_when_given_as_a_design(tmp_path):
    """A student opens the wrong file of the set a training run and an export leave: the message says what
    that file is (an image, weights, an exported model), not 'binary data' or a JSON syntax error."""
    import torch

    from netbuilder.compiler import compile_design
    from netbuilder.compiler.export import export
    from netbuilder.presets import build_preset
    from netbuilder.training import save_weights

    design = build_preset("mlp")
    model = compile_design(design)
    save_weights(model, tmp_path / "w.safetensors")
    export(design, tmp_path / "m.py", module=model)
    export(design, tmp_path / "m.onnx", module=model)
    torch.save({"x": torch.zeros(2)}, tmp_path / "c.pt")
    (tmp_path / "i.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    expected = {"w.safetensors": "a weights file (safetensors)", "m.py": "Python code (an exported model?)",
                "m.onnx": "an ONNX model", "c.pt": "a zip archive", "i.png": "an image"}
    for name, what in expected.items():
        with pytest.raises(DesignFileError) as info:
            load_design(tmp_path / name)
        assert info.value.where == "whole file" and f"this is {what}" in info.value.problem, (name, info.value)


def test_latin1_text_is_not_utf8(tmp_path, lenet_dict):
    data = copy.deepcopy(lenet_dict)
    data["name"], data["description"] = "réseau", "à la LeNet"
    raw = json.dumps(data, ensure_ascii=False).encode("latin-1")
    e = refused(tmp_path / "latin1.nbd", raw)
    offset = raw.index("réseau".encode("latin-1")) + 1
    assert e.where == f"byte {offset}" and "not UTF-8" in e.problem


def test_utf8_byte_order_mark_is_fine(tmp_path, lenet_dict):
    path = tmp_path / "bom.nbd"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(lenet_dict).encode())
    assert load_design(path).name == "lenet5"


@pytest.mark.parametrize(("literal", "problem"), [
    ("NaN", "NaN is not allowed"),
    ("-Infinity", "-Infinity is not allowed"),
    ("1e999", "1e999 is too large a number"),
    ("1" + "0" * 5000, "a whole number with 5,001 digits is absurd"),
], ids=["nan", "infinity", "overflow", "5000-digits"])
def test_non_finite_and_huge_numbers(tmp_path, lenet_dict, literal, problem):
    text = json.dumps(lenet_dict).replace('"pos": [0.0, 0.0]', f'"pos": [{literal}, 0.0]', 1)
    e = refused(tmp_path / "nan.nbd", text)
    assert e.where == "nodes[0].pos[0]" and e.problem.startswith(problem)


def test_non_finite_in_training_settings(tmp_path, lenet_dict):
    e = refused(tmp_path / "lr.nbd", json.dumps(lenet_dict).replace('"lr": 0.001', '"lr": Infinity'))
    assert e.where == "training.lr" and "Infinity is not allowed" in e.problem


def test_duplicate_keys(tmp_path, lenet_dict):
    text = json.dumps(lenet_dict).replace('"units": 120', '"units": 120, "units": 12', 1)
    e = refused(tmp_path / "dup.nbd", text)
    assert e.where == "nodes[8].params" and "the key 'units' appears twice" in e.problem


def test_deep_nesting_10000_levels(tmp_path, lenet_dict):
    text = json.dumps(lenet_dict)
    deep = "[" * 10_000 + "]" * 10_000
    e = refused(tmp_path / "deep.nbd", text.replace('"meta": {', f'"meta": {{"deep": {deep}, ', 1))
    assert e.where.startswith("line 1, column ") and "nesting is too deep" in e.problem


def test_deep_nesting_in_memory():
    deep: list = []
    for _ in range(5_000):
        deep = [deep]
    with pytest.raises(DesignFileError) as info:
        design_from_dict({"format": "netbuilder-design", "version": 2, "nodes": [], "meta": {"x": deep}})
    assert info.value.where.startswith("meta.x[0][0]") and "nesting is too deep" in info.value.problem


def test_file_over_the_size_cap_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.nbd"
    with open(path, "wb") as f:  # sparse: 30 MB on paper, nothing on disk
        f.truncate(30 * 1024 * 1024)
    opened = []
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or pytest.fail("file was opened"))
    with pytest.raises(DesignFileError) as info:
        load_design(path)
    monkeypatch.undo()
    assert info.value.where == "whole file" and "too big for a design (31.5 MB; at most 21.0 MB)" in info.value.problem
    assert opened == []


def test_size_cap_applies_to_text_too(tmp_path, lenet_dict, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 500)
    e = refused(tmp_path / "big.nbd", json.dumps(lenet_dict))
    assert e.where == "whole file" and "too big" in e.problem
    with pytest.raises(DesignFileError, match="too big"):
        loads_design("[" + " " * 600 + "]", "pasted")


def test_too_many_nodes(tmp_path, lenet_dict, monkeypatch):
    monkeypatch.setattr(limits, "MAX_NODES", 10)
    e = refused(tmp_path / "many.nbd", lenet_dict)
    assert e.where == "nodes" and "15 nodes is too many for a design (at most 10)" in e.problem


def test_too_many_containers(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CONTAINERS", 1000)
    e = refused(tmp_path / "boxes.nbd", "[" + ",".join(["{}"] * 2000) + "]")
    assert e.where == "whole file" and "2,001 objects and lists" in e.problem


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DesignFileError) as info:
        load_design(tmp_path / "nope.nbd")
    assert str(info.value) == f"{tmp_path / 'nope.nbd'}: whole file: no such file"
    with pytest.raises(DesignFileError, match="a folder, not a design file"):
        load_design(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_without_reading(tmp_path):
    pipe = tmp_path / "pipe.nbd"
    os.mkfifo(pipe)
    with pytest.raises(DesignFileError) as info:
        load_design(pipe)  # reading would block forever: no writer
    assert (info.value.where, info.value.problem) == ("whole file", "this is not a regular file")


def test_an_unforeseen_failure_still_names_the_file(tmp_path, lenet_dict, monkeypatch):
    from netbuilder.io import design_file

    def broken(data):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(design_file, "build_design", broken)
    path = tmp_path / "ok.nbd"
    path.write_text(json.dumps(lenet_dict))
    with pytest.raises(DesignFileError) as info:
        load_design(path)
    assert str(info.value).startswith(f"{path}: unknown place: could not read the design (RuntimeError: boom "
                                      "second line)")
    assert "please report" in info.value.problem and "\n" not in str(info.value)
