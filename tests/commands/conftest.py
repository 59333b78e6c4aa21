"""Command tests use one CPU thread (tiny models; a shared machine) and share one small trained run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """Every test here runs on one torch thread (tests/conftest.py's ``one_thread``)."""


def run_cli(*args, cwd=None, timeout=300, env=None):
    """``python -m netbuilder ARGS`` in a subprocess (stderr is a pipe: not a terminal)."""
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "netbuilder", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=full_env)


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory):
    """``train mlp --dataset digits --epochs 2 --out DIR``: (DIR, report)."""
    from netbuilder.cli import main

    out = tmp_path_factory.mktemp("trained") / "run"
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "2", "--out", str(out), "-q"]) == 0
    return out, json.loads((out / "report.json").read_text())


@pytest.fixture(scope="session")
def digit_images(tmp_path_factory):
    """Three test images of the digits set as 8×8 greyscale PNGs, with their labels."""
    from PIL import Image

    from netbuilder.data import load_dataset

    folder = tmp_path_factory.mktemp("images")
    data = load_dataset("digits")
    out = []
    for i in range(3):
        a = (data.x_test[i, 0].numpy().astype("float32") * data.scale * 255).round().astype("uint8")
        path = folder / f"digit{i}.png"
        Image.fromarray(a, "L").save(path)
        out.append((path, data.class_names[int(data.y_test[i])]))
    return out
