"""Two processes under torch.distributed.run (gloo on CPU): same weights on both, half the steps."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.data import load_dataset
from netbuilder.training.distributed import DistContext, shard


def test_shard_splits_a_permutation_evenly():
    import torch

    perm = torch.arange(11)
    parts = [shard(perm, DistContext(rank=r, world_size=3)) for r in range(3)]
    assert [len(p) for p in parts] == [4, 4, 4]
    assert set(torch.cat(parts).tolist()) == set(range(11))


@pytest.mark.slow
def test_two_process_torchrun_on_cpu(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    script = Path(__file__).with_name("ddp_script.py")
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                             "--standalone", str(script), str(tmp_path)],
                            env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    train_size = load_dataset("digits").sizes()["train"]
    for r in ranks:
        assert r["world"] == 2 and r["kind"] == "finished"
        assert r["steps"] == math.ceil(math.ceil(train_size / 2) / 32)
        assert r["val_accuracy"] > 0.85
    assert ranks[0]["checksum"] == pytest.approx(ranks[1]["checksum"], rel=1e-6)


@pytest.mark.slow
def test_two_processes_with_a_frozen_layer_stop_together_when_one_rank_asks(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    script = Path(__file__).with_name("ddp_script.py")
    result = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                             "--standalone", str(script), str(tmp_path), "freeze_stop"],
                            env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    for r in ranks:
        assert r["kind"] == "finished" and r["reason"] == "stopped" and r["frozen_unchanged"]
        assert r["last_step"] < r["steps"]  # stopped within the first epoch, at the next collective poll
    assert ranks[0]["last_step"] == ranks[1]["last_step"] and ranks[0]["epochs"] == ranks[1]["epochs"]
    assert ranks[0]["checksum"] == pytest.approx(ranks[1]["checksum"], rel=1e-6)
