"""A Python export is two files (``net.py`` and ``net.weights.safetensors``): when the code cannot be written
(a full disk, a file another program holds) after its weights were, the export fails in one line and leaves
the folder as it found it: no new weights file alone, no earlier export's weights replaced under its old code."""

import errno

import pytest

from netbuilder.cli import main


@pytest.fixture()
def code_cannot_be_written(monkeypatch):
    import netbuilder.compiler.export as export_module

    real = export_module.atomic_write_bytes

    def write(path, data):
        if str(path).endswith(".py"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(export_module, "atomic_write_bytes", write)


def test_a_failed_python_export_leaves_no_weights_file_alone(trained_run, tmp_path, capsys, code_cannot_be_written):
    out, _ = trained_run
    folder = tmp_path / "share"
    folder.mkdir()
    assert main(["export", str(out / "mlp.nbd"), "-o", str(folder / "net.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"netbuilder: {folder / 'net.py'}: could not write the file: no space left on device; free some space or choose another folder"
    assert sorted(p.name for p in folder.iterdir()) == []


def test_a_failed_python_export_keeps_the_earlier_exports_weights(trained_run, tmp_path, capsys,
                                                                  code_cannot_be_written):
    out, _ = trained_run
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "net.py").write_text("# an earlier export\n")
    (folder / "net.weights.safetensors").write_bytes(b"earlier weights")
    assert main(["export", str(out / "mlp.nbd"), "-o", str(folder / "net.py")]) == 2
    assert "net.py: could not write the file" in capsys.readouterr().err
    assert (folder / "net.py").read_text() == "# an earlier export\n"
    assert (folder / "net.weights.safetensors").read_bytes() == b"earlier weights"
    assert sorted(p.name for p in folder.iterdir()) == ["net.py", "net.weights.safetensors"]
