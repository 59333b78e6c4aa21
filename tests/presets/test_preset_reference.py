"""The ImageNet presets hold what torchvision's models hold, checked against a stored reference (no
torchvision needed): the same state-dict entries (torchvision's module paths with dots as underscores) with
the same shapes, in the same order, parameters and buffers alike, and the same layer settings.

The reference, ``torchvision_reference.json.gz``, was written by ``make_torchvision_reference.py`` from
torchvision; ``test_preset_torchvision.py`` also compares outputs where torchvision is installed.
"""

import gzip
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from netbuilder.compiler import compile_design  # noqa: E402
from netbuilder.presets import build_preset  # noqa: E402
from netbuilder.presets.checkpoints import torchvision_key_to_design_key  # noqa: E402

HERE = Path(__file__).parent
REFERENCE = json.loads(gzip.decompress((HERE / "torchvision_reference.json.gz").read_bytes()))
MODELS = REFERENCE["models"]


def _load_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_torchvision_reference", HERE / "make_torchvision_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()


def test_the_reference_covers_every_imagenet_preset():
    assert sorted(MODELS) == sorted(GENERATOR.MODELS)
    assert all(len(m["state"]) > 10 and m["modules"] for m in MODELS.values())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_preset_holds_what_torchvision_holds(name):
    reference = MODELS[name]
    with torch.device("meta"):  # names and shapes only: no memory, no initialisation
        model = compile_design(build_preset(name))
    params = {k for k, _ in model.named_parameters()}
    ours = [[k, list(v.shape), "param" if k in params else "buffer"] for k, v in model.state_dict().items()]
    expected = [[torchvision_key_to_design_key(k), shape, kind] for k, shape, kind in reference["state"]]
    assert ours == expected
    children = dict(model.named_children())
    for path, settings in reference["modules"].items():
        mine = children.get(path.replace(".", "_"))
        if mine is None:  # a parameter-free leaf netbuilder writes as a function of another node
            assert not any(k.startswith(path + ".") for k, _, _ in reference["state"]), path
            continue
        assert GENERATOR.module_settings(mine) == settings, path


def test_a_changed_preset_would_be_caught():
    """The comparison is not vacuous: a stride changed in the design no longer matches the reference."""
    design = build_preset("resnet18")
    design.graph.node("conv1").params["stride"] = 1
    with torch.device("meta"):
        model = compile_design(design)
    assert GENERATOR.module_settings(model.get_submodule("conv1")) != MODELS["resnet18"]["modules"]["conv1"]
