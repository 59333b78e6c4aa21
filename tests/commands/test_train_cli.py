"""``netbuilder train`` and ``netbuilder datasets`` end to end (presets fitted to the data)."""

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netbuilder.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_mlp_on_digits_reaches_95_percent_within_a_minute(tmp_path):
    start = time.monotonic()
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "15", "--out", str(tmp_path), "-q"]) == 0
    assert time.monotonic() - start < 60
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["val_accuracy"] >= 0.95 and report["dataset"] == "digits" and report["epochs"] == 15
    assert {"train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds", "device"} <= set(report)
    with open(tmp_path / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 15 and list(rows[0]) == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr",
                                                 "seconds"]
    assert float(rows[-1]["val_acc"]) == pytest.approx(report["val_accuracy"], abs=1e-6)
    from netbuilder.training.weights import load_weights

    weights = load_weights(tmp_path / "mlp.safetensors")
    assert weights["classifier.weight"].shape == (10, 64)  # the preset was fitted to 10 classes of 8x8


@pytest.mark.slow
def test_lenet5_fitted_to_shapes_reaches_95_percent(tmp_path):
    assert main(["train", "lenet5", "--dataset", "shapes", "--epochs", "8", "--out", str(tmp_path), "-q"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    with open(tmp_path / "metrics.csv") as f:
        val = [float(row["val_acc"]) for row in csv.DictReader(f)]
    # At the defaults the last epoch's accuracy swings with the seed and with the kernels' summation order
    # (seeds 0-4, either memory layout: 0.87-1.0), while every run passes 95 % on its way (0.957-1.0).
    assert max(val) >= 0.95 and report["val_accuracy"] >= 0.8, (val, report)


def test_a_nan_run_exits_2_with_advice(tmp_path, capsys):
    code = main(["train", "mlp", "--dataset", "digits", "--epochs", "3", "--optimizer", "sgd", "--lr", "1e9",
                 "--out", str(tmp_path), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "lower the learning rate" in err and "\n" not in err.strip()


def test_unknown_dataset_is_one_line_exit_2(tmp_path, capsys):
    assert main(["train", "mlp", "--dataset", "nosuchset", "--out", str(tmp_path)]) == 2
    assert "no dataset called 'nosuchset'" in capsys.readouterr().err


def test_csv_dataset_path(tmp_path):
    rows = "".join(f"{i % 7},{(i * 3) % 5},{int(i % 7 > 3)}\n" for i in range(200))
    (tmp_path / "t.csv").write_text(rows)
    assert main(["train", "mlp", "--dataset", str(tmp_path / "t.csv"), "--epochs", "2", "--out",
                 str(tmp_path / "out"), "-q"]) == 0
    assert json.loads((tmp_path / "out" / "report.json").read_text())["dataset"] == "t"


def test_datasets_lists_every_set(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("circle", "xor", "gaussian", "spiral", "shapes", "digits", "mnist", "fashion_mnist", "kmnist",
                 "cifar10"):
        assert f"\n{name} " in out
    assert "not downloaded" in out or "downloaded" in out


@pytest.mark.slow
def test_torchrun_two_processes_only_rank0_writes(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                             "-m", "netbuilder", "train", "mlp", "--dataset", "digits", "--epochs", "4",
                             "--out", str(tmp_path / "run"), "-q"],
                            env=env, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["world_size"] == 2 and report["val_accuracy"] > 0.8
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["checkpoint.pt", "metrics.csv", "mlp.nbd",
                                                                    "mlp.safetensors", "report.json"]
    assert not (tmp_path / "runs").exists()
