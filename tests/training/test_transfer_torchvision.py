"""Optional: real torchvision checkpoints load completely, and the ONNX export matches torchvision.

Runs only when ``NETBUILDER_TORCHVISION_PYTHON`` names a Python with torchvision (a side venv, e.g.
``python3 -m venv /tmp/tvvenv && /tmp/tvvenv/bin/pip install torch torchvision``). That Python, in a
subprocess of its own, builds torchvision's model (random initialisation, randomised batch-norm
statistics), saves its state_dict as a .pth checkpoint and its output on ImageNet-normalised inputs;
netbuilder, in this Python, loads the checkpoint into its preset and compares.
"""

from __future__ import annotations

import os
import subprocess
import textwrap

import pytest
import torch

from netbuilder.compiler import compile_design
from netbuilder.presets import build_preset
from netbuilder.training.transfer import load_into

TORCHVISION_PYTHON = os.environ.get("NETBUILDER_TORCHVISION_PYTHON")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TORCHVISION_PYTHON, reason="set NETBUILDER_TORCHVISION_PYTHON to a Python with torchvision"),
]
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)

_MAKE = textwrap.dedent("""
    import sys, torch, torchvision
    name, folder = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    for m in model.modules():  # randomised statistics, so that eval mode really uses them
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    torch.save(model.state_dict(), f"{folder}/{name}.pth")
    x = torch.load(f"{folder}/x.pt", weights_only=True)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
    with torch.no_grad():
        torch.save(model((x - mean) / std), f"{folder}/expected.pt")
    print(torch.__version__, torchvision.__version__)
""")


def _torchvision(name: str, folder) -> torch.Tensor:
    """torchvision's output for ``folder/x.pt`` ([0, 1] images); writes ``folder/<name>.pth``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run([TORCHVISION_PYTHON, "-c", _MAKE, name, str(folder)], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return torch.load(folder / "expected.pt", weights_only=True)


@pytest.mark.parametrize("name", ["resnet18", "densenet121", "googlenet"])
def test_a_torchvision_checkpoint_loads_completely(tmp_path, name):
    x = torch.rand(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    torch.save(x, tmp_path / "x.pt")
    expected = _torchvision(name, tmp_path)
    design = build_preset(name)
    model = compile_design(design).eval()
    report = load_into(model, design, tmp_path / f"{name}.pth")
    layers = list(dict.fromkeys(k.rpartition(".")[0] for k in model.state_dict()))
    assert report.complete and report.loaded == layers and report.matched_by == "torchvision", report.summary()
    print(f"{name}: {report.summary()}")
    with torch.no_grad():
        got = model((x - MEAN) / STD)
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)


def test_resnet18_onnx_export_matches_torchvision(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    import netbuilder

    x = torch.rand(2, 3, 224, 224, generator=torch.Generator().manual_seed(2))
    torch.save(x, tmp_path / "x.pt")
    expected = _torchvision("resnet18", tmp_path)
    result = netbuilder.export(build_preset("resnet18"), tmp_path / "resnet18.onnx",
                               weights=tmp_path / "resnet18.pth")
    assert result.trained and result.load_report.complete and len(result.load_report.loaded) == 41
    assert result.preprocessing["mean"] == [0.485, 0.456, 0.406]  # ImageNet's, as no dataset was given
    session = ort.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})  # [0, 1] images, as ToTensor gives
    diff = (torch.from_numpy(got) - expected).abs().max().item()
    print(f"resnet18 ONNX vs torchvision: max abs diff {diff:.2e}")
    torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-4, rtol=1e-4)
