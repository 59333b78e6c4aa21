"""The one weights loader with torchvision checkpoints (made from the stored torchvision reference, so no
torchvision is needed): every layer loads through the presets' key map, a head replaced for another
number of classes is kept fresh, anything else uncovered is refused unless partial; preprocessing comes
with the weights (the file's own, or ImageNet's for a torchvision checkpoint)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import torch

from netbuilder.compiler import compile_design
from netbuilder.compiler.preprocess import IMAGENET_PREPROCESSING
from netbuilder.presets import build_preset
from netbuilder.training.transfer import IncompleteWeightsError, head_layer, load_into
from netbuilder.training.weights import WeightsError, read_weights_metadata, save_weights

REFERENCE = Path(__file__).resolve().parents[1] / "presets" / "torchvision_reference.json.gz"
MODELS = json.loads(gzip.decompress(REFERENCE.read_bytes()))["models"]


def torchvision_checkpoint(name: str, seed: int = 0, drop: tuple[str, ...] = ()) -> dict[str, torch.Tensor]:
    """A state dict as torchvision's model ``name`` saves it (its names, shapes and order), random values."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, shape, _ in MODELS[name]["state"]:
        if key in drop:
            continue
        out[key] = (torch.randint(0, 100, shape, generator=gen) if key.endswith("num_batches_tracked")
                    else torch.rand(shape, generator=gen) + 0.5)
    return out


@pytest.mark.parametrize("name", ["resnet18", "densenet121", "googlenet"])
def test_a_torchvision_checkpoint_loads_every_layer(tmp_path, name):
    """The bug: a partial name match (conv1, bn1, fc) turned off the fallback: 3 layers of 41 loaded."""
    design = build_preset(name)
    model = compile_design(design)
    state = torchvision_checkpoint(name)
    torch.save(state, tmp_path / f"{name}.pth")
    report = load_into(model, design, tmp_path / f"{name}.pth")
    layers = list(dict.fromkeys(k.rpartition(".")[0] for k in model.state_dict()))
    assert report.matched_by == "torchvision" and report.complete
    assert report.loaded == layers and not report.fresh and not report.unused
    assert report.tensors == len(state)
    ours = model.state_dict()
    assert all(torch.equal(ours[k.replace(".", "_", k.count(".") - 1)], v) for k, v in state.items())
    if name == "googlenet":  # trained with transform_input: (x - 0.5) / 0.5 on every channel
        assert report.preprocessing["mean"] == report.preprocessing["std"] == [0.5, 0.5, 0.5]
    else:
        assert report.preprocessing["mean"] == IMAGENET_PREPROCESSING["mean"]
        assert report.preprocessing["std"] == IMAGENET_PREPROCESSING["std"]
    if name == "resnet18":
        assert len(layers) == 41 and report.summary().startswith("loaded 41 of 41 layers")


def test_a_head_replaced_for_ten_classes_is_kept_fresh(tmp_path):
    design = build_preset("resnet18", num_classes=10)
    model = compile_design(design)
    assert head_layer(model) == "fc"
    fc_before = model.state_dict()["fc.weight"].clone()
    torch.save(torchvision_checkpoint("resnet18"), tmp_path / "r.pth")
    report = load_into(model, design, tmp_path / "r.pth")
    assert report.complete and len(report.loaded) == 40
    assert report.fresh == [("fc", "fc.weight is 1000×512 in the file but 10×512 in the design")]
    assert torch.equal(model.state_dict()["fc.weight"], fc_before)
    assert "kept fc fresh: the head was replaced for another number of classes" in report.summary()


def test_any_other_uncovered_layer_is_refused_unless_partial(tmp_path):
    design = build_preset("resnet18")
    model = compile_design(design)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    dropped = ("layer4.1.conv2.weight", "layer2.0.downsample.1.weight")
    torch.save(torchvision_checkpoint("resnet18", drop=dropped), tmp_path / "r.pth")
    with pytest.raises(IncompleteWeightsError) as info:
        load_into(model, design, tmp_path / "r.pth")
    text = str(info.value)
    assert "leaves 2 layers of resnet18 uncovered" in text and "--partial" in text and "\n" not in text
    assert "layer2_0_downsample_1 (layer2_0_downsample_1.weight is missing from the file)" in text
    assert [layer for layer, _ in info.value.missing] == ["layer2_0_downsample_1", "layer4_1_conv2"]
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    report = load_into(model, design, tmp_path / "r.pth", partial=True)
    assert len(report.loaded) == 39 and report.partial and not report.complete
    assert report.missing == [("layer2_0_downsample_1", "layer2_0_downsample_1.weight is missing from the file"),
                              ("layer4_1_conv2", "not in the file")]
    assert torch.equal(model.state_dict()["layer4_1_conv2.weight"], before["layer4_1_conv2.weight"])
    assert "loaded 39 of 41 layers" in report.summary() and "1 not in the file" in report.summary()


def test_a_layer_of_another_shape_is_refused(tmp_path):
    design = build_preset("resnet18")
    state = torchvision_checkpoint("resnet18")
    state["layer3.0.conv1.weight"] = torch.zeros(256, 128, 1, 1)
    torch.save(state, tmp_path / "r.pth")
    with pytest.raises(IncompleteWeightsError, match=r"layer3_0_conv1 \(layer3_0_conv1.weight is 256×128×1×1 in "
                                                     r"the file but 256×128×3×3 in the design\)"):
        load_into(compile_design(design), design, tmp_path / "r.pth")


def test_preprocessing_travels_in_the_weights_file(tmp_path):
    design = build_preset("lenet5")
    trained = compile_design(design)
    prep = {"scale": 1 / 255, "mean": [0.1307], "std": [0.3081], "kind": "image", "input_shape": [1, 28, 28],
            "class_names": [str(i) for i in range(10)]}
    path = save_weights(trained, tmp_path / "lenet5.safetensors", metadata={"epochs": "3"}, preprocessing=prep)
    meta = read_weights_metadata(path)
    assert meta["preprocessing"]["std"] == [0.3081] and meta["preprocessing"]["class_names"][9] == "9"
    assert meta["epochs"] == "3"
    report = load_into(compile_design(design), design, path)
    assert report.matched_by == "name" and report.preprocessing == meta["preprocessing"]
    plain = save_weights(trained, tmp_path / "plain.safetensors")
    assert read_weights_metadata(plain) == {"preprocessing": None}
    with pytest.raises(WeightsError, match="above 0"):
        save_weights(trained, tmp_path / "bad.safetensors", preprocessing={"mean": [0.0], "std": [0.0]})
