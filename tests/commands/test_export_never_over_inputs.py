"""``export`` never writes over what it reads: ``-o`` naming the design file itself (``--format python -o
net.nbd``) or the trained weights it exports (``--format onnx -o net.safetensors``) is refused in one line,
before any work, and both files are left as they were."""

import shutil

import pytest

from netbuilder.cli import main


@pytest.fixture()
def copied_run(trained_run, tmp_path):
    out, _ = trained_run
    for name in ("mlp.nbd", "mlp.safetensors"):
        shutil.copy(out / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize(("fmt", "target", "what"), [
    ("python", "mlp.nbd", "the design file"), ("onnx", "mlp.nbd", "the design file"),
    ("onnx", "mlp.safetensors", "the weights file"), ("pt2", "mlp.safetensors", "the weights file")])
def test_export_onto_its_own_design_or_weights_file_is_refused(copied_run, capsys, fmt, target, what):
    before = {p.name: p.read_bytes() for p in copied_run.iterdir()}
    assert main(["export", str(copied_run / "mlp.nbd"), "--format", fmt, "-o", str(copied_run / target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and target in err and what in err, err
    assert {p.name: p.read_bytes() for p in copied_run.iterdir()} == before  # nothing written, nothing new


def test_export_onto_the_weights_given_with_the_weights_option_is_refused(copied_run, tmp_path, capsys):
    other = tmp_path / "w"
    other.mkdir()
    shutil.copy(copied_run / "mlp.safetensors", other / "best.safetensors")
    before = (other / "best.safetensors").read_bytes()
    assert main(["export", "mlp", "--input-shape", "1,8,8", "--weights", str(other / "best.safetensors"),
                 "--format", "onnx", "-o", str(other / "best.safetensors")]) == 2
    assert "the weights file" in capsys.readouterr().err
    assert (other / "best.safetensors").read_bytes() == before


def test_the_notebook_api_refuses_to_export_over_its_own_design_or_weights(tmp_path):
    """``netbuilder.api.export`` (a notebook) keeps the same rule as the CLI."""
    from netbuilder import api
    from netbuilder.errors import NetbuilderError

    design_path = tmp_path / "net.nbd"
    api.save(api.load("mlp"), design_path)
    before = design_path.read_bytes()
    with pytest.raises(NetbuilderError, match="is the design file being exported"):
        api.export(design_path, design_path, "onnx")
    assert design_path.read_bytes() == before
