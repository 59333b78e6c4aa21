"""ONNX and torch.export (.pt2) files: they load elsewhere, take any batch size, agree with torch."""

from __future__ import annotations

import pytest
import torch
from _compiler_helpers import branchy, lenet5, single_layer_design

from netbuilder.compiler import compile_design, compiled_info
from netbuilder.compiler.export import export, export_onnx
from netbuilder.errors import NetbuilderError
from netbuilder.layers import all_specs

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _check_onnx(path, gm, batches=(1, 3)):
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert max(op.version for op in model.opset_import if op.domain in ("", "ai.onnx")) >= 17
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input_1"]
    assert [o.name for o in session.get_outputs()] == ["output_1"]
    for batch in batches:
        x = torch.randn(batch, *session.get_inputs()[0].shape[1:])
        (got,) = session.run(None, {"input_1": x.numpy()})
        with torch.no_grad():
            expected = gm(x)
        torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-4, rtol=1e-4)


def test_onnx_lenet5(tmp_path):
    gm = compile_design(lenet5()).eval()
    path = export(None, tmp_path / "lenet5.onnx", module=gm).path
    assert path.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["lenet5.onnx"]
    _check_onnx(path, gm)
    assert gm.training is False  # exporting does not change the module's mode


def test_onnx_branchy_net(tmp_path):
    design = branchy()
    gm = compile_design(design)
    # make batch norm statistics non-trivial so eval mode matters
    with torch.no_grad():
        gm.train()
        gm(torch.randn(8, 3, 16, 16) * 2 + 1)
    gm.eval()
    export(design, tmp_path / "branchy.onnx", module=gm)
    _check_onnx(tmp_path / "branchy.onnx", gm)


def test_pt2_round_trip_with_dynamic_batch(tmp_path):
    gm = compile_design(lenet5()).eval()
    path = export(lenet5(), tmp_path / "lenet5.pt2", module=gm).path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet5.pt2"]
    loaded = torch.export.load(path).module()
    for batch in (1, 3):
        x = torch.randn(batch, 1, 28, 28)
        with torch.no_grad():
            torch.testing.assert_close(loaded(x), gm(x), atol=1e-6, rtol=1e-5)


def test_pt2_branchy_net(tmp_path):
    design = branchy()
    gm = compile_design(design).eval()
    loaded = torch.export.load(export(design, tmp_path / "b.pt2", module=gm).path).module()
    x = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), gm(x), atol=1e-6, rtol=1e-5)


def test_training_mode_is_restored_after_export(tmp_path):
    gm = compile_design(lenet5())
    assert gm.training
    export(None, tmp_path / "n.pt2", module=gm)
    assert gm.training


def test_torch_failures_become_netbuilder_errors(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something deep inside torch")

    monkeypatch.setattr(torch.export, "export", broken)
    target = tmp_path / "n.pt2"
    with pytest.raises(NetbuilderError, match="something deep inside torch") as err:
        export(lenet5(), target)
    assert str(target) in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_onnx_falls_back_to_the_torchscript_exporter(tmp_path, monkeypatch):
    real = torch.onnx.export

    def no_dynamo(*args, dynamo=True, **kwargs):
        if dynamo:
            raise RuntimeError("dynamo cannot do this")
        return real(*args, dynamo=dynamo, **kwargs)

    monkeypatch.setattr(torch.onnx, "export", no_dynamo)
    gm = compile_design(branchy()).eval()
    assert export_onnx(gm, tmp_path / "b.onnx") == "torchscript"
    _check_onnx(tmp_path / "b.onnx", gm)


def test_onnx_failure_names_the_path_and_both_reasons(tmp_path, monkeypatch):
    def broken(*args, dynamo=True, **kwargs):
        raise RuntimeError(f"no luck with dynamo={dynamo}")

    monkeypatch.setattr(torch.onnx, "export", broken)
    target = tmp_path / "n.onnx"
    with pytest.raises(NetbuilderError) as err:
        export(lenet5(), target)
    text = str(err.value)
    assert str(target) in text and "dynamo=True" in text and "dynamo=False" in text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", [s.kind for s in all_specs()])
def test_every_kind_exports_to_onnx_and_pt2(kind, tmp_path):
    gm = compile_design(single_layer_design(kind)).eval()
    assert export_onnx(gm, tmp_path / "m.onnx") == "dynamo"
    _check_onnx(tmp_path / "m.onnx", gm)
    loaded = torch.export.load(export(None, tmp_path / "m.pt2", module=gm).path).module()
    shape = compiled_info(gm).input_shapes[0]
    for batch in (1, 3):
        x = torch.randn(batch, *shape)
        with torch.no_grad():
            torch.testing.assert_close(loaded(x), gm(x), atol=1e-6, rtol=1e-5)
