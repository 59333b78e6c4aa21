"""``netbuilder train FILE|PRESET --dataset NAME|PATH``: train headless, with a progress bar on stderr;
writes metrics.csv, model.safetensors and report.json to --out. Under torchrun: DDP, rank 0 writes.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from netbuilder.errors import NetbuilderError

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a design or preset on a dataset",
        description="Train a design file or a preset (fitted to the dataset's input shape and classes). "
                    "Run under 'torchrun --nproc_per_node N -m netbuilder train ...' for several processes.")
    p.add_argument("design", metavar="FILE|PRESET", help="a design file (.nbd) or a preset name")
    p.add_argument("--dataset", metavar="NAME|PATH",
                   help="a dataset name (see 'netbuilder datasets'), an image folder or a .csv file "
                        "(default: the design's dataset)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--schedule", choices=("none", "step", "cosine", "onecycle"))
    p.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"))
    p.add_argument("--mixed-precision", choices=("off", "auto", "bf16", "fp16"))
    p.add_argument("--seed", type=int)
    p.add_argument("--data-dir", metavar="DIR", help="dataset cache / a folder that has the dataset files")
    p.add_argument("--out", metavar="DIR", help="output folder (default: runs/<design>_<dataset>)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


class _Bar:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, enabled: bool):
        self.enabled, self.last, self.tty = enabled, 0.0, sys.stderr.isatty()

    def draw(self, text: str, fraction: float, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or not self.tty or (not force and now - self.last < 0.2):
            return
        self.last = now
        filled = int(24 * min(1.0, fraction))
        print(f"\r[{'#' * filled}{'.' * (24 - filled)}] {100 * fraction:5.1f}% {text}"[:160].ljust(100),
              end="", file=sys.stderr, flush=True)

    def line(self, text: str) -> None:
        if self.enabled:
            print(("\r" if self.tty else "") + text.ljust(100 if self.tty else 0), file=sys.stderr, flush=True)

    def download(self, name: str, done: int, total: int | None) -> None:
        frac = done / total if total else 0.0
        self.draw(f"downloading {name} {done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else ""),
                  frac, force=bool(total and done == total))


def _config(design, args):
    from netbuilder.training.config import TrainConfig

    config = TrainConfig.from_dict(design.training or {})
    overrides = {k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size), ("lr", args.lr),
                                   ("optimizer", args.optimizer), ("schedule", args.schedule),
                                   ("device", args.device), ("mixed_precision", args.mixed_precision),
                                   ("seed", args.seed)) if v is not None}
    if args.batch_size is not None:
        overrides["batch_mode"] = "minibatch"
    if overrides.get("optimizer", config.optimizer) != "sgd" and config.nesterov:
        overrides["nesterov"] = False
    return config.replace(**overrides)


def _load_data(name: str, args, options: dict, bar: _Bar, seed: int, ctx):
    from netbuilder.data import load_dataset

    def load():
        return load_dataset(name, data_dir=args.data_dir, seed=seed, **options,
                            **({"progress": bar.download} if _downloads(name) else {}))

    if not ctx.active:
        return load()
    import torch.distributed as dist

    if ctx.is_main:  # rank 0 downloads; the others wait, then read the cached files
        data = load()
        dist.barrier()
        return data
    dist.barrier()
    return load()


def _downloads(name: str) -> bool:
    from netbuilder.data.standard import STANDARD

    return name.lower().replace("-", "_") in STANDARD or name.lower() in ("cifar-10", "fashionmnist")


def run(args: argparse.Namespace) -> int:
    import torch

    from netbuilder.api import load
    from netbuilder.compiler import compile_design
    from netbuilder.presets import fit_design
    from netbuilder.training import distributed
    from netbuilder.training.engine import train
    from netbuilder.training.parts import resolve_device
    from netbuilder.training.weights import save_weights

    design = load(args.design)
    dataset = args.dataset or (design.dataset or {}).get("name")
    if not dataset:
        raise NetbuilderError(f"{args.design}: which data? give --dataset NAME|PATH (see 'netbuilder datasets')")
    options = dict((design.dataset or {}).get("options", {})) if not args.dataset else {}
    config = _config(design, args)
    rank, world, local = distributed.env_world()
    ctx = distributed.setup(resolve_device(config.device, local).type)
    bar = _Bar(ctx.is_main and not args.quiet)
    try:
        data = _load_data(dataset, args, options, bar, config.seed, ctx)
        design = fit_design(design, list(data.input_shape), data.num_classes)
        torch.manual_seed(config.seed)
        model = compile_design(design)
        out = Path(args.out or Path("runs") / f"{Path(str(args.design)).stem}_{Path(str(dataset)).stem}")
        rows, final, start = [], None, time.monotonic()
        for ev in train(model, data, config):
            if ev.kind == "started":
                bar.line(f"training {design.name or args.design} on {data.name} ({ev.train_size:,} examples) "
                         f"on {ev.device_name}" + (f", {ev.world_size} processes" if ev.world_size > 1 else ""))
            elif ev.kind == "step":
                bar.draw(f"epoch {ev.epoch + 1}/{config.epochs} loss {ev.loss:.4f} acc {100 * ev.accuracy:.1f}% "
                         f"{ev.samples_per_second:,.0f} samples/s", ev.progress)
            elif ev.kind == "epoch":
                rows.append(ev)
                bar.line(f"epoch {ev.epoch + 1}/{config.epochs}: loss {ev.train_loss:.4f} acc "
                         f"{100 * ev.train_accuracy:.1f}% | val loss {ev.val_loss:.4f} acc "
                         f"{100 * ev.val_accuracy:.1f}% | {ev.seconds:.1f}s")
            elif ev.kind == "fault":
                if ctx.is_main:
                    _write_metrics(out, rows)
                raise NetbuilderError(f"{ev.message}. What to do: {ev.advice}")
            elif ev.kind == "finished":
                final = ev
        if ctx.is_main:
            _write_metrics(out, rows)
            save_weights(model, out / "model.safetensors")
            report = {"design": str(args.design), "dataset": data.name, "device": final.device,
                      "epochs": final.epochs, "seconds": round(time.monotonic() - start, 3), "reason": final.reason,
                      "train_loss": final.train_loss, "train_accuracy": final.train_accuracy,
                      "val_loss": final.val_loss, "val_accuracy": final.val_accuracy,
                      "test_loss": final.test_loss, "test_accuracy": final.test_accuracy,
                      "class_names": final.class_names, "confusion": final.confusion.tolist(),
                      "world_size": ctx.world_size, "config": config.to_dict()}
            (out / "report.json").write_text(json.dumps(report, indent=2))
            bar.line(f"test accuracy {100 * final.test_accuracy:.2f}%; wrote {out}/metrics.csv, "
                     "model.safetensors, report.json")
    finally:
        distributed.teardown(ctx)
    return 0


def _write_metrics(out: Path, rows) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "metrics.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"])
        for e in rows:
            w.writerow([e.epoch + 1, f"{e.train_loss:.6f}", f"{e.train_accuracy:.6f}", f"{e.val_loss:.6f}",
                        f"{e.val_accuracy:.6f}", f"{e.lr:.6g}", f"{e.seconds:.3f}"])
