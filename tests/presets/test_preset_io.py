"""Every preset round-trips through the design file format unchanged (no torch)."""

import pytest

from netbuilder.io import (
    design_from_dict,
    design_to_dict,
    dumps_design,
    load_design,
    loads_design,
    save_design,
)
from netbuilder.presets import build_preset, list_presets

NAMES = [p.name for p in list_presets()]


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_is_unchanged(name):
    design = build_preset(name)
    data = design_to_dict(design)
    back = design_from_dict(data)
    assert back.graph == design.graph
    assert design_to_dict(back) == data
    text = dumps_design(design)
    again = loads_design(text)
    assert again.graph == design.graph and dumps_design(again) == text
    assert (again.name, again.description, again.meta, again.layout) == (
        design.name, design.description, design.meta, design.layout)


def test_a_fitted_preset_saves_and_loads(tmp_path):
    design = build_preset("resnet_cifar", input_shape=[1, 28, 28], num_classes=10)
    path = tmp_path / "resnet_cifar.nbd"
    save_design(design, path)
    assert load_design(path).graph == design.graph
