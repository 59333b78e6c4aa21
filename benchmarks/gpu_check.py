"""GPU check: netbuilder's engine on CUDA against the eager hand-written PyTorch loop, at batch 256:
LeNet-5 on MNIST-sized data and ResNet-20 (``resnet_cifar``) on CIFAR-sized data, each trained by
  - ``hand_eager``: the idiomatic loop (data on the GPU, a permutation per epoch, SGD with momentum);
  - ``engine_graphed``: the engine with its whole step captured as a CUDA graph (the default on CUDA);
  - ``engine_eager``: the engine step by step (NETBUILDER_CUDA_GRAPHS=0);
  - ``engine_graphed_bf16``: captured, in bf16 mixed precision.
Prints ``name: value`` lines, samples/s from the epochs after the first (the first warms cuDNN, the
allocator and the captures), and the ratios the speed issue asks for:
``lenet5_graphed_vs_hand_eager`` (goal >= 3) and ``resnet_cifar_graphed_vs_hand_eager`` (goal >= 1.5).
Needs no network and no install: netbuilder is imported from the repository root. About a minute on an
H200 once torch is loaded.

    python3 benchmarks/gpu_check.py            # CUDA, full sizes
    python3 benchmarks/gpu_check.py --smoke    # CPU, tiny sizes (checks the script itself)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from netbuilder.data.bundle import DatasetBundle  # noqa: E402
from netbuilder.training import TrainConfig, train  # noqa: E402


def _hand_lenet5(classes: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, classes))


class _Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                     if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.skip(x))


def _hand_resnet20(classes: int) -> nn.Module:
    layers: list[nn.Module] = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            layers.append(_Block(cin, cout, stride if i == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes)]
    return nn.Sequential(*layers)


def build(name: str, shape: tuple[int, ...], classes: int) -> tuple[nn.Module, str]:
    """The netbuilder preset compiled by netbuilder's compiler, or a hand-written equivalent."""
    try:
        from netbuilder.compiler import compile_design
        from netbuilder.presets import build_preset

        return compile_design(build_preset(name, input_shape=list(shape), num_classes=classes)), "preset"
    except Exception as e:  # noqa: BLE001  (any failure: fall back, and say so)
        print(f"# {name}: preset/compiler unavailable ({type(e).__name__}: {e}); using a hand-written model")
        return (_hand_lenet5(classes) if name == "lenet5" else _hand_resnet20(classes)), "hand-written"


def random_bundle(n: int, shape: tuple[int, ...], classes: int) -> DatasetBundle:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, *shape), generator=g, dtype=torch.uint8)
    y = torch.randint(0, classes, (n,), generator=g)
    k = max(1, n // 20)
    return DatasetBundle(name="random", kind="image", input_shape=shape, class_names=[str(i) for i in range(classes)],
                         source="built-in", x_train=x[k:], y_train=y[k:], x_val=x[:k], y_val=y[:k], x_test=x[:k],
                         y_test=y[:k], mean=torch.full((shape[0], 1, 1), 0.5), std=torch.full((shape[0], 1, 1), 0.25),
                         scale=1 / 255, samples=np.zeros((0,)), sample_labels=np.zeros((0,), np.int64))


GOALS = {"lenet5": 3.0, "resnet_cifar": 1.5}


def engine_rate(name: str, shape, n: int, batch: int, epochs: int, device: str, precision: str, graphs: bool,
                log_every: int) -> dict:
    """The engine's samples/s: the median of its step windows after the first epoch (each window ends
    with a read of the metrics, which waits for the GPU, so it is the GPU's own rate)."""
    os.environ["NETBUILDER_CUDA_GRAPHS"] = "1" if graphs else "0"
    torch.manual_seed(0)
    model, origin = build(name, shape, 10)
    data = random_bundle(n, shape, 10)
    config = TrainConfig(optimizer="sgd", lr=0.01, momentum=0.9, batch_size=batch, epochs=epochs, device=device,
                         mixed_precision=precision, log_every=log_every)
    rates, fin, started, notes = [], None, None, []
    t0 = time.perf_counter()
    for ev in train(model, data, config):
        if ev.kind == "started":
            started = ev
        elif ev.kind == "notice":
            notes.append(ev.message)
        elif ev.kind == "step" and ev.epoch > 0:
            rates.append(ev.samples_per_second)
        elif ev.kind == "fault":
            raise SystemExit(f"{name} {precision}: {ev.message} ({ev.advice})")
        elif ev.kind == "finished":
            fin = ev
    return {"rate": float(np.median(rates)) if rates else float("nan"), "seconds": time.perf_counter() - t0,
            "origin": origin, "params": started.parameters, "loss": fin.train_loss, "notes": notes}


def hand_rate(name: str, shape, n: int, batch: int, epochs: int, device: str) -> float:
    """The eager hand-written loop's samples/s over the epochs after the first."""
    import torch.nn.functional as F

    torch.manual_seed(0)
    model, _ = build(name, shape, 10)
    model = model.to(device)
    data = random_bundle(n, shape, 10)
    x = ((data.x_train.float() / 255 - 0.5) / 0.25).to(device)
    y = data.y_train.to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    timed, samples = 0.0, 0
    for epoch in range(epochs):
        _sync(device)
        t0 = time.perf_counter()
        perm = torch.randperm(len(y), device=device)
        for i in range(0, len(y), batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        _sync(device)
        if epoch > 0:
            timed += time.perf_counter() - t0
            samples += len(y)
    return samples / timed


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes on the CPU (to test this script)")
    args = parser.parse_args()
    if args.smoke:
        device, plan, log_every = "cpu", [("lenet5", (1, 28, 28), 1024, 64, 2),
                                          ("resnet_cifar", (3, 32, 32), 256, 32, 2)], 2
    else:
        if not torch.cuda.is_available():
            print("error: no CUDA device; use --smoke on a CPU", file=sys.stderr)
            return 2
        device, log_every = "cuda", 25
        plan = [("lenet5", (1, 28, 28), 60000, 256, 3), ("resnet_cifar", (3, 32, 32), 50000, 256, 3)]
    print(f"torch: {torch.__version__}")
    if device == "cuda":
        print(f"gpu: {torch.cuda.get_device_name(0)}")
    for name, shape, n, batch, epochs in plan:
        hand = hand_rate(name, shape, n, batch, epochs, device)
        print(f"{name}_hand_eager_samples_per_s: {hand:.0f}", flush=True)
        runs = [("engine_graphed", "off", True), ("engine_eager", "off", False)]
        if device == "cuda":
            runs.append(("engine_graphed_bf16", "bf16", True))
        rates = {}
        for label, precision, graphs in runs:
            r = engine_rate(name, shape, n, batch, epochs, device, precision, graphs, log_every)
            rates[label] = r["rate"]
            print(f"{name}_{label}_samples_per_s: {r['rate']:.0f}", flush=True)
            print(f"{name}_{label}_seconds: {r['seconds']:.1f}")
            print(f"{name}_{label}_final_train_loss: {r['loss']:.4f}")
            for note in r["notes"]:
                print(f"# {name} {label}: {note}")
        print(f"{name}_model: {r['origin']} ({r['params']:,} parameters)")
        print(f"{name}_graphed_vs_hand_eager: {rates['engine_graphed'] / hand:.2f} (goal >= {GOALS[name]})")
        print(f"{name}_eager_vs_hand_eager: {rates['engine_eager'] / hand:.2f}")
        if "engine_graphed_bf16" in rates:
            print(f"{name}_graphed_bf16_vs_hand_eager: {rates['engine_graphed_bf16'] / hand:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
