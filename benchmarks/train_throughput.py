"""Throughput of netbuilder's engine against two hand-written PyTorch loops.

Trains the same MLP (784-256-10) and LeNet-5 on the same 60,000 random 28x28 samples for one epoch:
(engine) netbuilder.training.train, (a) an idiomatic loop over DataLoader(TensorDataset), (b) a loop
slicing tensors with a random permutation. Prints ``name: value`` lines (samples/s and ratios).

    python benchmarks/train_throughput.py [--samples 60000] [--batch-size 64] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from netbuilder.data.bundle import DatasetBundle  # noqa: E402
from netbuilder.training import TrainConfig, train  # noqa: E402


def mlp() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def lenet5() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def make_data(n: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    return x, y


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def loop_dataloader(model, x, y, batch, device, lr) -> float:
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    sync(device)
    t = time.perf_counter()
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    sync(device)
    return len(y) / (time.perf_counter() - t)


def loop_slicing(model, x, y, batch, device, lr) -> float:
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    x, y = x.to(device), y.to(device)
    loss_fn = nn.CrossEntropyLoss()
    sync(device)
    t = time.perf_counter()
    perm = torch.randperm(len(y), device=device)
    for i in range(0, len(y), batch):
        idx = perm[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    sync(device)
    return len(y) / (time.perf_counter() - t)


def loop_engine(model, x, y, batch, device, lr) -> float:
    small = slice(0, 1)
    bundle = DatasetBundle(name="random", kind="image", input_shape=(1, 28, 28), class_names=[str(i) for i in range(10)],
                           source="built-in", x_train=x, y_train=y, x_val=x[small], y_val=y[small], x_test=x[small],
                           y_test=y[small], mean=torch.zeros(1, 1, 1), std=torch.ones(1, 1, 1),
                           samples=np.zeros((0,)), sample_labels=np.zeros((0,), np.int64))
    config = TrainConfig(optimizer="sgd", lr=lr, momentum=0.9, batch_size=batch, epochs=1, device=device.type)
    t = None
    for ev in train(model, bundle, config):
        if ev.kind == "started":
            sync(device)
            t = time.perf_counter()
        elif ev.kind == "epoch":
            sync(device)
            return len(y) / (time.perf_counter() - t)  # includes a one-sample validation pass
    raise RuntimeError("the engine did not finish an epoch")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", default="mlp,lenet5")
    parser.add_argument("--repeat", type=int, default=5,
                        help="rounds (interleaved); the ratios are the median of the rounds' own ratios")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    x, y = make_data(args.samples)
    print(f"device: {device}  threads: {torch.get_num_threads()}  samples: {args.samples}  batch: {args.batch_size}")
    loops = (("engine", loop_engine), ("dataloader", loop_dataloader), ("slicing", loop_slicing))
    for name in args.models.split(","):
        build = {"mlp": mlp, "lenet5": lenet5}[name]
        rounds: list[dict[str, float]] = []
        # warm-up (allocator, kernels), then each loop from the same initial weights
        loop_slicing(build().to(device), x[:2048], y[:2048], args.batch_size, device, 0.01)
        for r in range(args.repeat):
            # interleaved rounds, the order turned each round, so a busy moment of the machine or a drift
            # of its speed over the rounds hits every loop alike
            rates = {}
            for label, fn in loops[r % 3:] + loops[:r % 3]:
                torch.manual_seed(0)
                model = build().to(device)
                rates[label] = fn(model, x, y, args.batch_size, device, 0.01)
            rounds.append(rates)
        for label, _fn in loops:
            print(f"{name}_{label}_samples_per_s: {statistics.median(r[label] for r in rounds):.0f}", flush=True)
        # how steady the machine was: the spread of the hand-written loop's rounds (a busy shared machine
        # shows tens of percent; the ratios below are then less sure)
        base = [r["slicing"] for r in rounds]
        print(f"{name}_slicing_spread_percent: {(max(base) - min(base)) / statistics.median(base) * 100:.0f}")
        # a paired comparison: the median over the rounds of each round's own ratio
        for base in ("dataloader", "slicing"):
            ratios = [r["engine"] / r[base] for r in rounds]
            print(f"{name}_engine_vs_{base}_rounds: {' '.join(f'{v:.3f}' for v in ratios)}")
            print(f"{name}_engine_vs_{base}: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
