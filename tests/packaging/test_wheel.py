"""Build the wheel, install it into a fresh virtual environment with the CPU torch, and use it from
a folder outside the source tree: the command, a preset summary, and the window offscreen."""

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    # Build from a clean copy: a build/ folder left in the checkout would leak stale modules into it.
    src = tmp_path_factory.mktemp("src") / "netbuilder"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        ".ruff_cache", "runs", "docs"))
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)])
    (whl,) = out.glob("netbuilder-*.whl")
    return whl


def test_wheel_carries_resources(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "netbuilder/resources/datasets/digits.csv.gz" in names
    assert any(n.startswith("netbuilder/resources/examples/") and n.endswith(".nbd") for n in names)
    assert "netbuilder/resources/icons/netbuilder.svg" in names
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_installed_wheel_works_outside_the_source_tree(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([str(py), "-m", "pip", "install", "-q", "torch==2.13.0"])
    _run([str(py), "-m", "pip", "install", "-q", str(wheel)])
    exe = env_dir / "bin" / "netbuilder"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", NETBUILDER_DATA_DIR=str(tmp_path / "data"))

    version = _run([str(exe), "--version"], cwd=elsewhere, env=env).stdout
    assert "netbuilder" in version
    summary = _run([str(exe), "summary", "lenet5"], cwd=elsewhere, env=env).stdout
    assert "61,706" in summary
    where = _run([str(py), "-c", "import netbuilder, sys; print(netbuilder.__file__)"], cwd=elsewhere,
                 env=env).stdout
    assert str(ROOT) not in where
    # The window opens offscreen on the bundled example and closes itself.
    shown = _run([str(py), "-c", "from netbuilder.ui.app import smoke_test; raise SystemExit(smoke_test())"],
                 cwd=elsewhere, env=env)
    assert "window shown" in shown.stdout
