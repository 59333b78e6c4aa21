"""An export onto a full disk is one line naming the file, never a dead process: torch's own archive writer,
writing straight to a full disk, throws inside a destructor and aborts Python (SIGABRT, exit 134), and
safetensors' file writer reports it as a SafetensorError. Every export is serialised in memory and then
written by the project's atomic write, which says "no space left on device" and leaves nothing behind."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from netbuilder.errors import NetbuilderError

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def full_disk(monkeypatch):
    """Every write of the atomic writer fails as on a full disk; anything else that writes to disk is
    caught writing behind its back."""
    import torch

    import netbuilder.compiler.export as export_module
    import netbuilder.io.atomic as atomic

    def no_space(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def to_disk(*args, **kwargs):
        raise AssertionError(f"wrote to disk without the atomic writer: {args[:2]}")

    real_save = torch.export.save

    def export_save(program, f, *args, **kwargs):
        if isinstance(f, str | os.PathLike):
            to_disk(program, f)
        return real_save(program, f, *args, **kwargs)

    monkeypatch.setattr(atomic, "atomic_write_bytes", no_space)
    monkeypatch.setattr(export_module, "atomic_write_bytes", no_space)
    monkeypatch.setattr(atomic, "atomic_target", to_disk)
    monkeypatch.setattr(torch.export, "save", export_save)
    import safetensors.torch

    monkeypatch.setattr(safetensors.torch, "save_file", to_disk)


def _mlp():
    import netbuilder

    return netbuilder.load("mlp", input_shape=[1, 8, 8], num_classes=10)


@pytest.mark.parametrize("suffix", [".pt2", ".onnx", ".py"])
def test_a_full_disk_is_one_line_naming_the_file_for_every_format(full_disk, tmp_path, suffix):
    from netbuilder.compiler import compile_design
    from netbuilder.compiler.export import export

    design = _mlp()
    target = tmp_path / f"net{suffix}"
    with pytest.raises(NetbuilderError, match="no space left on device") as info:
        export(design, target, module=compile_design(design))  # trained: the .py writes its weights too
    assert str(info.value).startswith(str(tmp_path / "net"))
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs the POSIX file-size limit (RLIMIT_FSIZE)")
def test_a_pt2_export_onto_a_disk_that_refuses_the_bytes_does_not_abort_the_process(tmp_path):
    """A real refusal from the system: a file-size limit makes every write past 12 kB fail (EFBIG), as a
    full disk does (ENOSPC), from inside torch's C++ writer too."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (12000, 12000))
        from netbuilder.cli import main
        sys.exit(main(["export", "mlp", "--input-shape", "1,8,8", "-o", {str(tmp_path / "a.pt2")!r}]))
    """)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "a.pt2" in line]
    assert lines and "File too large" in lines[0], done.stderr[-2000:]
    assert "terminate called" not in done.stderr and "c10::Error" not in done.stderr
    assert os.listdir(tmp_path) == []  # no half-written or temporary file left
