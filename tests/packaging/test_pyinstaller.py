"""The PyInstaller recipe builds a one-folder app whose command line and window work (optional: runs
where PyInstaller is installed, `pip install pyinstaller`; about 2-3 minutes and 1 GB of disk)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_pyinstaller_folder_runs_the_cli_and_the_window(tmp_path):
    pytest.importorskip("PyInstaller")
    dist, work = tmp_path / "dist", tmp_path / "build"
    build = subprocess.run([sys.executable, "-m", "PyInstaller", str(ROOT / "packaging" / "netbuilder.spec"),
                            "--noconfirm", "--distpath", str(dist), "--workpath", str(work)],
                           capture_output=True, text=True, timeout=1500, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-3000:]
    exe = dist / "netbuilder" / ("netbuilder.exe" if os.name == "nt" else "netbuilder")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NETBUILDER_DATA_DIR=str(tmp_path / "data"))
    summary = subprocess.run([str(exe), "summary", "lenet5"], capture_output=True, text=True, timeout=300,
                             cwd=tmp_path, env=env)
    assert summary.returncode == 0 and "61,706" in summary.stdout, summary.stderr[-2000:]
    with pytest.raises(subprocess.TimeoutExpired):  # the window opens and keeps running
        subprocess.run([str(exe)], capture_output=True, timeout=15, cwd=tmp_path, env=env)
