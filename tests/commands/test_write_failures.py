"""A disk that refuses the bytes (full, or over a size limit) is one line naming the file and exit status 2,
from every command that writes: never "unexpected error: SafetensorError" (exit 1), a C++ abort (134), or
"netbuilder:: No space left on device" (an error without a file name)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from netbuilder.cli import main

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs the POSIX file-size limit (RLIMIT_FSIZE)")


def run_limited(args: list[str], tmp_path: Path, limit: int = 12000) -> subprocess.CompletedProcess:
    """``netbuilder ARGS`` in a process whose every write past ``limit`` bytes fails (EFBIG), as on a
    full disk, inside torch's and safetensors' own writers too."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        from netbuilder.cli import main
        sys.exit(main({[str(a) for a in args]!r}))
    """)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT),
           "NETBUILDER_DATA_DIR": str(tmp_path / "userdata")}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)


@posix_only
def test_exporting_python_with_trained_weights_onto_a_full_disk_is_one_line(trained_run, tmp_path):
    out, _ = trained_run
    target = tmp_path / "out" / "x.py"
    target.parent.mkdir()
    done = run_limited(["export", out / "mlp.nbd", "-o", target], tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"netbuilder: {target.parent / 'x.weights.safetensors'}: could not write the file: File too large"
    assert "unexpected" not in done.stderr
    assert os.listdir(target.parent) == []


@posix_only
def test_training_into_a_full_disk_names_the_checkpoint(tmp_path):
    out = tmp_path / "run"
    done = run_limited(["train", "mlp", "--dataset", "digits", "--epochs", "1", "--out", out, "-q"], tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"netbuilder: {out / 'checkpoint.pt'}: cannot write the checkpoint: File too large"
    assert "::" not in done.stderr and "enforce fail" not in done.stderr


@pytest.mark.parametrize(("error", "expected"), [
    (BrokenPipeError(errno.EPIPE, "Broken pipe"), "netbuilder: Broken pipe"),
    (OSError(errno.ENOSPC, "No space left on device"),
     "netbuilder: no space left on device; free some space or choose another folder"),
    (OSError(errno.ENOSPC, "No space left on device", "/full/net.nbd"),
     "netbuilder: /full/net.nbd: no space left on device; free some space or choose another folder"),
    (PermissionError(errno.EACCES, "Permission denied", "/etc/x"), "netbuilder: /etc/x: Permission denied"),
])
def test_a_system_error_is_one_line_without_an_empty_file_name(monkeypatch, capsys, error, expected):
    import netbuilder.commands.presets as presets

    def fails(args):
        raise error
    monkeypatch.setattr(presets, "run", fails)
    assert main(["presets"]) == 2
    assert capsys.readouterr().err.strip() == expected
