"""Run under torch.distributed.run by test_distributed: two CPU processes train one MLP with DDP."""

import json
import sys

import torch

from netbuilder.data import load_dataset
from netbuilder.training import TrainConfig, train

torch.set_num_threads(1)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
events = list(train(model, load_dataset("digits"), TrainConfig(epochs=3, lr=3e-3, batch_size=32)))

started, fin = events[0], events[-1]
out = {"world": started.world_size, "steps": started.steps_per_epoch, "kind": fin.kind,
       "val_accuracy": getattr(fin, "val_accuracy", None), "checksum": float(sum(p.detach().sum() for p in model.parameters()))}
with open(f"{sys.argv[1]}/rank{__import__('os').environ['RANK']}.json", "w") as f:
    json.dump(out, f)
