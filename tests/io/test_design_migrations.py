"""Older design files load through explicit migrations; errors in them are named in their own terms."""

from __future__ import annotations

import copy
import json

import pytest

from netbuilder.io import (
    CURRENT_VERSION,
    DesignFileError,
    dumps_design,
    load_design,
    loads_design,
    migrations,
)
from netbuilder.io.errors import Invalid

V1 = {
    "format": "netbuilder-design",
    "version": 1,
    "name": "old mlp",
    "direction": "LR",
    "layers": [
        {"name": "image", "type": "Input", "config": {"shape": [1, 28, 28]}, "x": 0, "y": 0},
        {"name": "flat", "type": "Flatten", "x": 0, "y": 100},
        {"name": "fc1", "type": "Linear", "config": {"units": 64}, "x": 0, "y": 200},
        {"name": "act", "type": "swish", "x": 10.5, "y": 300},
        {"name": "fc2", "type": "fully_connected", "config": {"units": 10, "bias": False}, "x": 0, "y": 400},
        {"name": "scores", "type": "Output", "x": 0, "y": 500},
    ],
    "links": [
        {"from": "image", "to": "flat"},
        {"from": "flat", "to": "fc1", "input": 0},
        {"from": "fc1", "to": "act"},
        {"from": "act", "to": "fc2"},
        {"from": "fc2", "to": "scores"},
    ],
    "dataset": {"name": "mnist"},
    "training": {"epochs": 2},
}


def test_registry_covers_every_old_version():
    assert CURRENT_VERSION == migrations.CURRENT_VERSION == 2
    assert sorted(migrations.MIGRATIONS) == list(range(1, CURRENT_VERSION))


def test_v1_file_loads(tmp_path):
    path = tmp_path / "old.nbd"
    path.write_text(json.dumps(V1))
    design = load_design(path)
    g = design.graph
    assert list(g.nodes) == ["image", "flat", "fc1", "act", "fc2", "scores"]
    assert [n.kind for n in g.iter_nodes()] == ["input", "flatten", "dense", "silu", "dense", "output"]
    assert g.node("fc2").params == {"units": 10, "bias": False}
    assert g.node("act").pos == (10.5, 300.0)
    assert [(e.src, e.dst, e.port) for e in g.edges][:2] == [("image", "flat", 0), ("flat", "fc1", 0)]
    assert design.layout == {"direction": "LR"} and design.name == "old mlp"
    assert design.dataset == {"name": "mnist"} and design.training == {"epochs": 2}
    assert design.weights is None and design.meta == {"upgraded_from": 1} and not g.groups


def test_v1_resaves_as_current_version(tmp_path):
    design = loads_design(json.dumps(V1), "old.nbd")
    text = dumps_design(design)
    assert json.loads(text)["version"] == CURRENT_VERSION
    assert loads_design(text) == design
    assert dumps_design(loads_design(text)) == text


def test_migration_does_not_change_its_input():
    data = copy.deepcopy(V1)
    migrations.migrate(data, 1)
    assert data == V1


@pytest.mark.parametrize(("mutate", "where", "problem"), [
    (lambda d: d["layers"][2].update(units=5), "layers[2].units", "unknown entry 'units' in a version 1 file"),
    (lambda d: d["layers"][2].pop("type"), "layers[2]", "a layer needs a 'type'"),
    (lambda d: d["links"][1].pop("to"), "links[1]", "a link needs 'to'"),
    (lambda d: d.update(layers={"fc1": {}}), "layers", "must be a list of layers, not dict"),
    (lambda d: d.update(links=[3]), "links[0]", "must be an object, not int"),
    (lambda d: d.update(nodes=[]), "nodes", "unknown entry 'nodes' in a version 1 file"),
], ids=["layer-unknown-key", "layer-no-type", "link-no-to", "layers-object", "link-number", "v2-key-in-v1"])
def test_broken_v1_names_the_place_in_v1_terms(tmp_path, mutate, where, problem):
    data = copy.deepcopy(V1)
    mutate(data)
    path = tmp_path / "old.nbd"
    path.write_text(json.dumps(data))
    with pytest.raises(DesignFileError) as info:
        load_design(path)
    assert (info.value.path, info.value.where) == (str(path), where)
    assert problem in info.value.problem


def test_problems_found_after_upgrading_say_so():
    data = copy.deepcopy(V1)
    data["layers"][2]["type"] = "Linearr"
    data["layers"][4]["config"]["units"] = 10**12
    with pytest.raises(DesignFileError) as info:
        loads_design(json.dumps(data), "old.nbd")
    assert info.value.where == "nodes[2].kind (after upgrading the file from format version 1)"
    assert "unknown layer kind 'linearr' (did you mean 'linear'?)" in info.value.problem


def test_migrations_apply_in_order(monkeypatch):
    calls = []

    def step(n):
        def fn(d):
            calls.append(n)
            return {**d, "trail": [*d.get("trail", []), n]}
        return fn

    monkeypatch.setattr(migrations, "MIGRATIONS", {1: step(1), 2: step(2), 3: step(3)})
    monkeypatch.setattr(migrations, "CURRENT_VERSION", 4)
    out = migrations.migrate({"version": 2}, 2)
    assert calls == [2, 3] and out == {"version": 4, "trail": [2, 3]}


def test_missing_migration_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {})
    with pytest.raises(Invalid) as info:
        migrations.migrate(copy.deepcopy(V1), 1)
    assert info.value.where == "version" and "too old" in info.value.problem


def test_registering_two_migrations_from_one_version_fails():
    with pytest.raises(ValueError, match="two migrations from version 1"):
        migrations.migration(1)(lambda d: d)
