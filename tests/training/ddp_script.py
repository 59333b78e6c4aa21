"""Run under torch.distributed.run by test_distributed: two CPU processes train one MLP with DDP.

``ddp_script.py OUT`` trains 3 epochs; ``ddp_script.py OUT freeze_stop`` freezes the first layer and
asks rank 1 alone to stop after its third step (the ranks must still agree on when to stop)."""

import json
import os
import sys
from collections import OrderedDict

import torch

from netbuilder.data import load_dataset
from netbuilder.training import Control, TrainConfig, train

torch.set_num_threads(1)
torch.manual_seed(0)
mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
rank = int(os.environ["RANK"])
model = torch.nn.Sequential(OrderedDict(flatten=torch.nn.Flatten(), dense_1=torch.nn.Linear(64, 32),
                                        relu=torch.nn.ReLU(), dense_2=torch.nn.Linear(32, 10)))
frozen_before = model.dense_1.weight.detach().clone()
config = TrainConfig(epochs=3, lr=3e-3, batch_size=32)
control = Control()
if mode == "freeze_stop":
    config = config.replace(frozen=["dense_1"], log_every=1)
events = []
for ev in train(model, load_dataset("digits"), config, control):
    events.append(ev)
    if mode == "freeze_stop" and rank == 1 and ev.kind == "step" and ev.step == 3:
        control.stop()

started, fin = events[0], events[-1]
out = {"world": started.world_size, "steps": started.steps_per_epoch, "kind": fin.kind,
       "reason": getattr(fin, "reason", None), "epochs": getattr(fin, "epochs", None),
       "last_step": max((e.step for e in events if e.kind == "step"), default=0),
       "val_accuracy": getattr(fin, "val_accuracy", None),
       "frozen_unchanged": bool(torch.equal(frozen_before, model.dense_1.weight.detach())),
       "checksum": float(sum(p.detach().sum() for p in model.parameters()))}
with open(f"{sys.argv[1]}/rank{rank}.json", "w") as f:
    json.dump(out, f)
