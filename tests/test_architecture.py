"""The arrows of ARCHITECTURE.md, checked by machine: layering, no Qt in the core, cheap imports."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> Path:
    """The venv's console script ``name``; a missing tool fails the test (a skip would hide the check)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        pytest.fail(f"{name} is not installed in {path.parent}: run `./dev` to install the development tools")
    return path


def test_a_missing_tool_fails_instead_of_skipping():
    with pytest.raises(pytest.fail.Exception, match="no-such-tool is not installed"):
        _tool("no-such-tool")


def test_import_contracts_hold():
    lint = _tool("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    return set(out.split())


def test_import_netbuilder_is_cheap():
    mods = _modules_after("import netbuilder")
    assert not {m for m in mods if m.split(".")[0] in ("torch", "numpy", "PySide6", "pyqtgraph")}


def test_design_core_imports_neither_qt_nor_torch():
    mods = _modules_after(
        "import netbuilder.graph, netbuilder.layers, netbuilder.analysis, netbuilder.io, netbuilder.presets"
    )
    heavy = {m.split(".")[0] for m in mods} & {"torch", "numpy", "PySide6", "pyqtgraph", "shiboken6"}
    assert not heavy, f"the design core pulled in {heavy}"


def test_no_qt_outside_ui_in_source():
    offenders = []
    for path in (ROOT / "netbuilder").rglob("*.py"):
        rel = path.relative_to(ROOT / "netbuilder")
        if rel.parts[0] == "ui":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith(("import PySide6", "from PySide6", "import pyqtgraph", "from pyqtgraph")):
                if rel.name != "cli.py":
                    offenders.append(str(rel))
    assert not offenders


def test_ruff_is_clean():
    ruff = _tool("ruff")
    result = subprocess.run([str(ruff), "check", "netbuilder", "tests", "benchmarks", "docs", "packaging"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
