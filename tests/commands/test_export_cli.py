"""``export FILE.nbd`` uses the design's own weights and the preprocessing recorded with them (the exported
model takes [0, 1] images); without weights it says "untrained" plainly."""

import numpy as np
import pytest

from netbuilder.cli import main


def test_export_of_a_trained_design_reproduces_its_predictions_on_0_1_images(trained_run, tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    import torch

    from netbuilder.api import load
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset
    from netbuilder.training.weights import load_weights

    out, report = trained_run
    target = tmp_path / "mlp.onnx"
    assert main(["export", str(out / "mlp.nbd"), "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert "untrained" not in captured.err + captured.out and "loaded 2 " in captured.err
    data = load_dataset("digits")
    model = compile_design(load(out / "mlp.nbd"))
    model.load_state_dict(load_weights(out / "mlp.safetensors"))
    with torch.no_grad():
        expected = model.eval()(data.normalize(data.x_test)).numpy()
    session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    x01 = (data.x_test.float() * data.scale).numpy()
    got = session.run(None, {session.get_inputs()[0].name: x01})[0]
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert (got.argmax(1) == data.y_test.numpy()).mean() == pytest.approx(report["test_accuracy"])


def test_export_without_weights_says_untrained(tmp_path, capsys):
    from netbuilder.api import load, save

    save(load("mlp"), tmp_path / "fresh.nbd")
    assert main(["export", str(tmp_path / "fresh.nbd"), "-o", str(tmp_path / "fresh.py")]) == 0
    captured = capsys.readouterr()
    assert "untrained" in captured.err and "names no weights file" in captured.err
    assert "untrained" in captured.out


def test_export_with_weights_option(trained_run, tmp_path, capsys):
    out, _ = trained_run
    assert main(["export", "mlp", "--input-shape", "1,8,8", "--weights", str(out / "mlp.safetensors"),
                 "-o", str(tmp_path / "m.pt2")]) == 0
    assert "loaded 2 " in capsys.readouterr().err


def test_a_failed_export_is_one_line_naming_the_design(tmp_path, capsys):
    from netbuilder.api import load, save

    design = load("lenet5")
    conv = [n for n in design.graph.iter_nodes() if n.kind == "conv2d"][1]
    conv.params["kernel_size"] = 50  # does not fit its 14×14 input
    save(design, tmp_path / "bad.nbd")
    assert main(["export", str(tmp_path / "bad.nbd"), "-o", str(tmp_path / "bad.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"netbuilder: {tmp_path / 'bad.nbd'}: the design has a problem")
    assert not (tmp_path / "bad.py").exists()


_WHAT = {"python": "Python source", "onnx": "an ONNX model", "pt2": "a torch.export program"}


@pytest.mark.parametrize(("fmt", "name", "right", "other"), [
    ("onnx", "net.py", "net.onnx", "python"), ("python", "net.onnx", "net.py", "onnx"),
    ("pt2", "net.PY", "net.pt2", "python"), ("python", "net.pt2", "net.py", "pt2")])
def test_a_format_under_another_formats_suffix_is_refused(tmp_path, capsys, fmt, name, right, other):
    target = tmp_path / name
    assert main(["export", "mlp", "--format", fmt, "-o", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"netbuilder: export: {target} ends in {target.suffix}, the suffix of {_WHAT[other]}, but --format {fmt} "
        f"writes {_WHAT[fmt]}: name the file {tmp_path / right} or choose --format {other}"]
    assert captured.out == "" and list(tmp_path.iterdir()) == []


def test_a_refused_suffix_reads_no_weights_and_leaves_the_file(trained_run, tmp_path, capsys):
    out, _ = trained_run
    target = tmp_path / "net.py"
    target.write_text("keep")
    assert main(["export", str(out / "mlp.nbd"), "--format", "onnx", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "--format onnx" in err and "loaded" not in err and "untrained" not in err
    assert target.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["net.py"]


@pytest.mark.parametrize("name", ["net.txt", "model"])
def test_an_unknown_or_missing_suffix_takes_the_format_given(tmp_path, capsys, name):
    assert main(["export", "mlp", "--format", "python", "-o", str(tmp_path / name)]) == 0
    assert "class" in (tmp_path / name).read_text(encoding="utf-8")
