"""Transfer learning: load_into reads netbuilder's own safetensors by name and a torchvision-style
state_dict (other key names) by order and shape, loads only the layers that fit, reports the rest,
refuses a file that would run code, and says plainly when nothing fits."""

import os
import pickle
from collections import OrderedDict

import pytest
import torch

from netbuilder.compiler import compile_design
from netbuilder.presets import build_preset, fit_design
from netbuilder.training import WeightsError, save_weights
from netbuilder.training.transfer import IncompleteWeightsError, TransferError, load_into


def lenet_torchvision_style(classes: int = 10, seed: int = 1) -> OrderedDict:
    """LeNet-5 as a torchvision-style module would name it (features.N / classifier.N), built by torch."""
    torch.manual_seed(seed)
    net = torch.nn.Sequential(OrderedDict(
        features=torch.nn.Sequential(torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                     torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2)),
        classifier=torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.ReLU(),
                                       torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, classes))))
    return net.state_dict()


def test_torchvision_style_state_dict_maps_by_order(tmp_path):
    design = build_preset("lenet5")
    model = compile_design(design)
    state = lenet_torchvision_style()
    path = tmp_path / "lenet.pth"
    torch.save(state, path)
    report = load_into(model, design, path)
    assert report.matched_by == "order"
    assert report.loaded == ["conv1", "conv2", "fc1", "fc2", "fc3"] and not report.mismatched
    assert torch.equal(model.state_dict()["conv2.weight"], state["features.3.weight"])
    assert torch.equal(model.state_dict()["fc3.bias"], state["classifier.5.bias"])
    assert report.tensors == 10 and "loaded 5 of 5 layers" in report.summary() and report.complete


def test_other_number_of_classes_loads_the_rest_and_reports_the_head(tmp_path):
    design = fit_design(build_preset("lenet5"), None, 3)
    model = compile_design(design)
    head_before = model.state_dict()["fc3.weight"].clone()
    state = lenet_torchvision_style(classes=10)
    torch.save(state, tmp_path / "lenet.pth")
    report = load_into(model, design, tmp_path / "lenet.pth")
    assert report.loaded == ["conv1", "conv2", "fc1", "fc2"] and not report.mismatched and report.complete
    assert [layer for layer, _ in report.fresh] == ["fc3"]  # the head, replaced for 3 classes
    assert "10×84" in report.fresh[0][1] and "3×84" in report.fresh[0][1]
    assert "kept fc3 fresh" in report.summary()
    assert torch.equal(model.state_dict()["fc3.weight"], head_before)  # not touched
    assert torch.equal(model.state_dict()["fc1.weight"], state["classifier.1.weight"])


def test_own_safetensors_by_name_with_mismatch_and_missing(tmp_path):
    trained = compile_design(build_preset("lenet5"))
    with torch.no_grad():
        for p in trained.parameters():
            p.add_(1.0)
    state = {k: v for k, v in trained.state_dict().items() if not k.startswith("fc2.")}
    save_weights(state, tmp_path / "w.safetensors")
    design = fit_design(build_preset("lenet5"), None, 4)
    model = compile_design(design)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(IncompleteWeightsError, match=r"leaves 1 layer of lenet5 uncovered: fc2 \(not in the file\)"):
        load_into(model, design, tmp_path / "w.safetensors")
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())  # nothing loaded
    report = load_into(model, design, tmp_path / "w.safetensors", partial=True)
    assert report.matched_by == "name" and report.partial and not report.complete
    assert report.loaded == ["conv1", "conv2", "fc1"] and report.skipped == ["fc2"]
    assert [layer for layer, _ in report.fresh] == ["fc3"] and not report.mismatched
    assert report.missing == [("fc2", "not in the file")]
    assert torch.equal(model.state_dict()["conv1.weight"], trained.state_dict()["conv1.weight"])
    assert torch.equal(model.state_dict()["fc2.weight"], before["fc2.weight"])
    assert "loaded 3 of 5 layers" in report.summary() and "1 not in the file (fc2)" in report.summary()


def test_nothing_fits_is_a_clear_error(tmp_path):
    design = build_preset("lenet5")
    torch.save({"w.weight": torch.zeros(3, 3), "w.bias": torch.zeros(3)}, tmp_path / "other.pth")
    with pytest.raises(TransferError, match="none of its weights fit lenet5"):
        load_into(compile_design(design), design, tmp_path / "other.pth")


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    path = tmp_path / "evil.pth"
    with open(path, "wb") as f:
        pickle.dump({"conv1.weight": _Evil()}, f, protocol=2)
    design = build_preset("lenet5")
    with pytest.raises(WeightsError, match="refused"):
        load_into(compile_design(design), design, path)
