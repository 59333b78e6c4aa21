"""``netbuilder lessons``: the listing, and ``--verify`` (the real one trains all twelve: ~15 s on one thread)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from netbuilder.cli import main
from netbuilder.lessons import lesson_files

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, timeout: int = 300) -> subprocess.CompletedProcess:
    """``python -m netbuilder ARGS`` in a subprocess with one CPU thread."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "netbuilder", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_list_and_json(capsys):
    assert main(["lessons"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 12 and lines[0].startswith("neuron")
    assert main(["lessons", "--json", "pooling"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["id"] == "pooling" and entry["minutes"] > 0 and "max pooling" in entry["concepts"]


def test_unknown_lesson_is_one_line(capsys):
    assert main(["lessons", "polling"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'pooling'" in err and err.count("\n") == 1


def test_verify_fails_with_exit_1(tmp_path):
    source = json.loads(lesson_files()[4].read_text(encoding="utf-8"))  # pooling: no training before step 3
    source["steps"] = source["steps"][:1]
    source["steps"][0]["checks"] = [{"check": "has_layer", "kind": "dropout", "text": "a dropout"}]
    (tmp_path / "bad.json").write_text(json.dumps(source), encoding="utf-8")
    result = run_cli("lessons", "--verify", "--folder", tmp_path, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "FAIL pooling" in result.stdout and "not met: a dropout" in result.stdout


def test_every_lessons_reference_solution_passes(tmp_path):
    start = time.monotonic()
    result = run_cli("lessons", "--verify", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("ok ") for line in lines) == 12
    assert lines[-1].startswith("12/12 lessons pass")
    assert time.monotonic() - start < 120
