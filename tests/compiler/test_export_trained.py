"""Exports carry trained weights and the normalisation: fed [0, 1] inputs, ONNX, .pt2 and the Python file
give what the trained model gives on normalised inputs; each states its input contract; the Python file
loads its weights with torch alone; special output paths are written through (links) or refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from _compiler_helpers import branchy, lenet5

from netbuilder.compiler import compile_design
from netbuilder.compiler.export import export
from netbuilder.compiler.standalone import read_safetensors
from netbuilder.errors import NetbuilderError
from netbuilder.io import NotARegularFileError

PREP = {"scale": 1 / 255, "mean": [0.49, 0.48, 0.45], "std": [0.25, 0.24, 0.26], "kind": "image",
        "input_shape": [3, 16, 16], "class_names": [f"class {i}" for i in range(10)]}


@pytest.fixture(scope="module")
def trained():
    """The branchy design with trained-looking weights (random parameters and batch-norm statistics)."""
    design = branchy()
    model = compile_design(design).eval()
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                low, high = (0.5, 1.5) if "running_var" in name else (-0.3, 0.3)
                t.copy_(torch.rand(t.shape, generator=gen) * (high - low) + low)
    return design, model


def _expected(model, x):
    mean, std = torch.tensor(PREP["mean"]).view(-1, 1, 1), torch.tensor(PREP["std"]).view(-1, 1, 1)
    with torch.no_grad():
        return model((x - mean) / std)


def test_onnx_of_a_trained_model_normalises_its_input(tmp_path, trained):
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    design, model = trained
    result = export(design, tmp_path / "net.onnx", weights=model.state_dict(), preprocessing=PREP)
    assert result.trained and result.format == "onnx" and result.preprocessing["mean"] == PREP["mean"]
    x = torch.rand(5, 3, 16, 16)  # images in [0, 1], as ToTensor gives them
    session = ort.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    expected = _expected(model, x)
    assert not torch.allclose(_expected(compile_design(design).eval(), x), expected, atol=1e-2)  # weights matter
    torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-4, rtol=1e-4)
    meta = {p.key: p.value for p in onnx.load(str(result.path)).metadata_props}
    assert meta["netbuilder.trained"] == "true"
    assert "values in [0, 1]" in meta["netbuilder.input_contract"]
    assert json.loads(meta["netbuilder.preprocessing"])["std"] == PREP["std"]
    assert json.loads(meta["netbuilder.class_names"])[3] == "class 3"


def test_an_export_without_weights_says_untrained(tmp_path):
    onnx = pytest.importorskip("onnx")
    result = export(lenet5(), tmp_path / "net.onnx")
    assert result.trained is False and result.preprocessing is None
    meta = {p.key: p.value for p in onnx.load(str(result.path)).metadata_props}
    assert meta["netbuilder.trained"] == "false" and "no normalisation" in meta["netbuilder.input_contract"]
    src = export(lenet5(), tmp_path / "net.py")
    assert src.trained is False and "Weights: untrained" in src.path.read_text()
    assert sorted(os.listdir(tmp_path)) == ["net.onnx", "net.py"]


def test_pt2_of_a_trained_model_normalises_and_notes_its_contract(tmp_path, trained):
    design, model = trained
    result = export(None, tmp_path / "net.pt2", module=model, preprocessing=PREP)
    extra = {"netbuilder.json": ""}
    program = torch.export.load(result.path, extra_files=extra)
    note = json.loads(extra["netbuilder.json"])
    assert note["trained"] is True and "values in [0, 1]" in note["input_contract"]
    x = torch.rand(3, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(program.module()(x), _expected(model, x), atol=1e-5, rtol=1e-5)
    assert model.training is False and all(not m.training for m in model.modules())


# Runs a generated file where neither netbuilder nor safetensors can be imported: torch alone.
_RUNNER = textwrap.dedent("""
    import runpy, sys
    sys.modules["netbuilder"] = None
    sys.modules["safetensors"] = None
    import torch
    ns = runpy.run_path(sys.argv[1])
    model = ns["load_model"]()
    x = torch.load(sys.argv[2], weights_only=True)
    with torch.no_grad():
        torch.save(model(x), sys.argv[3])
    print(ns["__doc__"])
""")


def test_python_export_loads_its_weights_with_torch_alone(tmp_path, trained):
    design, model = trained
    result = export(design, tmp_path / "net.py", weights=model.state_dict(), preprocessing=PREP)
    assert result.trained and sorted(p.name for p in result.files) == ["net.py", "net.weights.safetensors"]
    x = torch.rand(4, 3, 16, 16)
    torch.save(x, tmp_path / "x.pt")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    proc = subprocess.run([sys.executable, "-I", "-c", _RUNNER, "net.py", "x.pt", "out.pt"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    torch.testing.assert_close(torch.load(tmp_path / "out.pt", weights_only=True), _expected(model, x),
                               atol=1e-5, rtol=1e-5)
    assert "Weights: trained, in net.weights.safetensors" in proc.stdout
    assert "values in [0, 1]" in proc.stdout and "(0.49, 0.48, 0.45)" in proc.stdout


def test_read_safetensors_reads_what_safetensors_writes(tmp_path):
    from safetensors.torch import save_file

    tensors = {"a": torch.randn(3, 4), "b": torch.arange(6, dtype=torch.int64).view(2, 3),
               "c": torch.randn(5).to(torch.bfloat16), "d": torch.zeros(0, 3), "e": torch.tensor(True),
               "f": torch.randn(2, 2).half()}
    save_file(tensors, str(tmp_path / "t.safetensors"), metadata={"preprocessing": "null"})
    loaded = read_safetensors(tmp_path / "t.safetensors")
    assert loaded.keys() == tensors.keys()
    for k, v in tensors.items():
        assert loaded[k].dtype == v.dtype and torch.equal(loaded[k], v), k


@pytest.mark.skipif(os.name != "posix", reason="symbolic links and FIFOs as POSIX has them")
def test_export_writes_through_a_symlink_and_refuses_a_fifo(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("old")
    link = tmp_path / "link.py"
    os.symlink(real, link)
    export(lenet5(), link)
    assert link.is_symlink() and "class LeNet5" in real.read_text()
    fifo = tmp_path / "pipe.onnx"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError, match="FIFO"):
        export(lenet5(), fifo)
    with pytest.raises(NotARegularFileError, match="folder"):
        export(lenet5(), tmp_path, "python")
    assert fifo.is_fifo() and sorted(os.listdir(tmp_path)) == ["link.py", "pipe.onnx", "real.py"]


def test_weights_that_do_not_fit_are_refused(tmp_path):
    state = compile_design(lenet5()).state_dict()
    state.pop("dense_3.bias")
    with pytest.raises(NetbuilderError, match="do not fit.*dense_3.bias"):
        export(lenet5(), tmp_path / "net.onnx", weights=state)
    assert os.listdir(tmp_path) == []
