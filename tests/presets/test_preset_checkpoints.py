"""map_state_dict_keys: pairing checkpoint tensors with a design's by order and shape."""

import pytest

from netbuilder.presets import PresetError
from netbuilder.presets.checkpoints import (
    CheckpointMismatchError,
    map_state_dict_keys,
    rename_checkpoint,
    torchvision_key_to_design_key,
)

DESIGN = ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "fc.weight", "fc.bias"]
SHAPES = [(64, 3, 7, 7), (64,), (64,), (64,), (1000, 512), (1000,)]


def test_keys_pair_by_order_and_shape():
    ckpt = ["backbone.conv.weight", "backbone.bn.weight", "backbone.bn.bias", "backbone.bn.running_mean",
            "head.weight", "head.bias"]
    mapping = map_state_dict_keys(DESIGN, ckpt, SHAPES, SHAPES)
    assert list(mapping.items()) == list(zip(ckpt, DESIGN))


def test_torchvision_paths_become_node_ids():
    assert torchvision_key_to_design_key("layer1.0.downsample.0.weight") == "layer1_0_downsample_0.weight"
    assert torchvision_key_to_design_key("fc.bias") == "fc.bias"
    assert torchvision_key_to_design_key(
        "features.denseblock1.denselayer1.norm1.running_var") == "features_denseblock1_denselayer1_norm1.running_var"


def test_a_different_number_of_classes_is_named():
    shapes = [*SHAPES[:4], (10, 512), (10,)]
    with pytest.raises(CheckpointMismatchError, match=r"entry 5 'fc.weight' \(10×512\).*'fc.weight' \(1000×512\)"):
        map_state_dict_keys(DESIGN, DESIGN, SHAPES, shapes)


def test_a_different_architecture_is_refused():
    with pytest.raises(PresetError, match="holds 5 tensors but resnet18 has 6"):
        map_state_dict_keys(DESIGN, DESIGN[:5], SHAPES, SHAPES[:5], design_name="resnet18")
    swapped = [DESIGN[0], DESIGN[2], DESIGN[1], *DESIGN[3:]]  # same shapes, weight/bias swapped
    with pytest.raises(CheckpointMismatchError, match="entry 2"):
        map_state_dict_keys(DESIGN, swapped, SHAPES, SHAPES)


def test_rename_checkpoint_keeps_the_values():
    class T:
        def __init__(self, shape):
            self.shape = shape

    ckpt = {f"m.{k}": T(s) for k, s in zip(DESIGN, SHAPES)}
    renamed = rename_checkpoint(ckpt, DESIGN, SHAPES)
    assert list(renamed) == DESIGN
    assert all(renamed[k] is ckpt[f"m.{k}"] for k in DESIGN)


def test_compiled_preset_loads_its_own_state_dict_through_the_mapping():
    torch = pytest.importorskip("torch")
    from netbuilder.compiler import compile_design
    from netbuilder.presets import build_preset

    torch.manual_seed(0)
    source = compile_design(build_preset("resnet_cifar")).eval()
    target = compile_design(build_preset("resnet_cifar")).eval()
    # a checkpoint saved under other names (as from another program), same order and shapes
    ckpt = {f"net.{i}.{k.rpartition('.')[2]}": v for i, (k, v) in enumerate(source.state_dict().items())}
    sd = target.state_dict()
    target.load_state_dict(rename_checkpoint(ckpt, list(sd), [tuple(v.shape) for v in sd.values()]))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(source(x), target(x))
