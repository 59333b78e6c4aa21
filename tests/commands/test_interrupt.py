"""Runs never lose work: SIGINT or SIGTERM stops at the next batch, writes the finished epochs' metrics,
the weights, the design and a report marked interrupted, and exits 130; --resume continues the run."""

import csv
import json
import os
import signal
import subprocess
import sys

import pytest

from netbuilder.cli import main

from .conftest import ROOT


def _interrupt(out, sig, epochs=200):
    """Start a long run and send ``sig`` once the first epoch line appears; (status, stdout, stderr)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "netbuilder", "train", "mlp", "--dataset", "digits", "--epochs",
                          str(epochs), "--batch-size", "16", "--out", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    seen = []
    try:
        for line in p.stderr:
            seen.append(line)
            if line.startswith("epoch 1/"):
                p.send_signal(sig)
                break
        out_text, err_text = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    return p.returncode, out_text, "".join(seen) + err_text


def _rows(out):
    with open(out / "metrics.csv") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_run_keeps_the_finished_epochs_and_exits_130(tmp_path, sig):
    code, stdout, stderr = _interrupt(tmp_path / "run", sig)
    assert code == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "interrupted" in stdout
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["interrupted"] is True and report["reason"] == "stopped"
    rows = _rows(tmp_path / "run")
    assert 1 <= len(rows) < 200 and report["epochs"] == len(rows)
    assert [int(r["epoch"]) for r in rows] == list(range(1, len(rows) + 1))
    for name in ("mlp.nbd", "mlp.safetensors", "checkpoint.pt"):
        assert (tmp_path / "run" / name).is_file(), name


def test_resume_continues_up_to_the_epoch_count_without_repeating_rows(tmp_path, capsys):
    code, _, stderr = _interrupt(tmp_path / "run", signal.SIGINT, epochs=6)
    assert code in (0, 130), stderr[-2000:]
    done = len(_rows(tmp_path / "run"))
    if code == 0:  # all 6 epochs finished before the signal landed (a very fast machine)
        pytest.skip("the run finished before it could be interrupted")
    assert main(["train", "mlp", "--dataset", "digits", "--out", str(tmp_path / "run"), "--resume", "-q"]) == 0
    rows = _rows(tmp_path / "run")
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4, 5, 6]  # the run's own 6 epochs, none repeated
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["interrupted"] is False and report["epochs"] == 6 and done < 6
    assert report["config"]["batch_size"] == 16  # the interrupted run's settings, from its checkpoint


def test_resume_without_a_checkpoint_is_one_line(tmp_path, capsys):
    assert main(["train", "mlp", "--dataset", "digits", "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "no checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
