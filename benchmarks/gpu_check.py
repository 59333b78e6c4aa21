"""GPU check: LeNet-5 and a CIFAR-style ResNet trained by netbuilder's engine on CUDA, with and without
mixed precision; prints samples/s as ``name: value`` lines. Needs no network and no install:
netbuilder is imported from the repository root. Under 4 minutes on one H200.

    python3 benchmarks/gpu_check.py            # CUDA, full sizes
    python3 benchmarks/gpu_check.py --smoke    # CPU, tiny sizes (checks the script itself)
"""

from __future__ import annotations

import argparse
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


def measure(name: str, shape, n: int, batch: int, epochs: int, device: str, precision: str,
            log_every: int = 50) -> dict:
    torch.manual_seed(0)
    model, origin = build(name, shape, 10)
    data = random_bundle(n, shape, 10)
    config = TrainConfig(optimizer="sgd", lr=0.01, momentum=0.9, batch_size=batch, epochs=epochs, device=device,
                         mixed_precision=precision, log_every=log_every)
    rates, fin, started = [], None, None
    t0 = time.perf_counter()
    for ev in train(model, data, config):
        if ev.kind == "started":
            started = ev
        elif ev.kind == "step" and ev.epoch > 0 or (ev.kind == "step" and epochs == 1 and ev.step > log_every):
            rates.append(ev.samples_per_second)  # after the first epoch's warm-up (cuDNN, allocator)
        elif ev.kind == "fault":
            raise SystemExit(f"{name} {precision}: {ev.message} ({ev.advice})")
        elif ev.kind == "finished":
            fin = ev
    return {"rate": float(np.median(rates)) if rates else float("nan"), "seconds": time.perf_counter() - t0,
            "origin": origin, "amp": started.mixed_precision, "device": started.device_name,
            "params": started.parameters, "loss": fin.train_loss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes on the CPU (to test this script)")
    args = parser.parse_args()
    if args.smoke:
        device, precisions, plan = "cpu", ("off",), [("lenet5", (1, 28, 28), 2048, 64, 2),
                                                     ("resnet_cifar", (3, 32, 32), 512, 32, 2)]
    else:
        if not torch.cuda.is_available():
            print("error: no CUDA device; use --smoke on a CPU", file=sys.stderr)
            return 2
        torch.backends.cudnn.benchmark = True
        device, precisions = "cuda", ("off", "bf16", "fp16")
        plan = [("lenet5", (1, 28, 28), 60000, 256, 3), ("resnet_cifar", (3, 32, 32), 50000, 256, 3)]
    print(f"torch: {torch.__version__}")
    if device == "cuda":
        print(f"gpu: {torch.cuda.get_device_name(0)}")
    for name, shape, n, batch, epochs in plan:
        base = None
        for precision in precisions:
            r = measure(name, shape, n, batch, epochs, device, precision, 5 if args.smoke else 50)
            label = f"{name}_{'fp32' if precision == 'off' else precision}"
            print(f"{label}_samples_per_s: {r['rate']:.0f}", flush=True)
            print(f"{label}_seconds: {r['seconds']:.1f}")
            print(f"{label}_final_train_loss: {r['loss']:.4f}")
            base = base or r["rate"]
            if precision != "off":
                print(f"{label}_speedup_vs_fp32: {r['rate'] / base:.2f}")
        print(f"{name}_model: {r['origin']} ({r['params']:,} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
