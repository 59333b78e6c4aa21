"""``netbuilder train FILE|PRESET [--dataset NAME|PATH] [--out DIR]``: train headless.

A design file continues from its own weights (the file its ``weights`` entry names; ``netbuilder.io.weights_file``)
unless ``--fresh``; the trained design written to ``--out`` names its new weights, ``<name>.safetensors``.
``--out DIR`` receives the trained design ``DIR/<name>.nbd`` with its weights, ``metrics.csv``,
``report.json`` and a checkpoint after every epoch; every path is checked before training starts.
The default ``--out`` is ``runs/<design>_<dataset>``, numbered ``_2``, ``_3``, ... when that already
holds a run; a given ``--out`` that holds a run's results is refused unless ``--overwrite``. A run that
fails leaves no empty folder behind. Ctrl-C (SIGINT) or SIGTERM stops at the next batch, writes the
weights of the last finished epoch (nothing when none finished) and exits 130; ``--resume`` continues
such a run. Under torchrun: DDP, rank 0 writes. Settings' choices and defaults come from
``netbuilder.choices`` (the window uses the same).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from netbuilder import choices
from netbuilder.commands import _common, _data, _model, _outputs
from netbuilder.commands._progress import Progress
from netbuilder.errors import NetbuilderError

INTERRUPTED = 130


def add_parser(subparsers) -> None:
    d = choices.DEFAULTS
    p = subparsers.add_parser(
        "train", help="train a design or preset on a dataset",
        description="Train a design file or a preset (fitted to the dataset's input shape and classes). A design "
                    "file continues from the weights it names (its \"weights\" entry) unless --fresh. The design's own training "
                    "settings apply, then these options. Ctrl-C stops after the current batch and keeps the finished "
                    "epochs' work (exit 130). Run under 'torchrun --nproc_per_node N -m netbuilder train ...' for several "
                    "processes.")
    p.add_argument("design", metavar="FILE|PRESET", help="a design file (.nbd) or a preset name")
    _data.add_data_arguments(p, dataset_help="a dataset name (see 'netbuilder datasets'), an image folder or a "
                                             ".csv file (default: the design's dataset)")
    p.add_argument("--epochs", type=int, help=f"epochs to train (default: {d['epochs']})")
    p.add_argument("--batch-size", type=int, help=f"examples per step (default: {d['batch_size']})")
    p.add_argument("--lr", type=_common.finite_float, help=f"learning rate (default: {d['lr']:g})")
    p.add_argument("--optimizer", choices=choices.OPTIMIZERS, help=f"(default: {d['optimizer']})")
    p.add_argument("--schedule", choices=choices.SCHEDULES, help=f"learning-rate schedule (default: {d['schedule']})")
    p.add_argument("--device", choices=choices.DEVICES, help=f"(default: {d['device']})")
    p.add_argument("--mixed-precision", choices=choices.PRECISIONS, help=f"CUDA only (default: {d['mixed_precision']})")
    p.add_argument("--seed", type=int, help=f"0 to {choices.SEED_MAX}: fixes the initial weights and the order of "
                                            f"the examples, never the test split (default: {d['seed']})")
    p.add_argument("--out", metavar="DIR",
                   help="output folder (default: runs/<design>_<dataset>, or runs/<design>_<dataset>_2, _3, ... "
                        "when that already holds a run); a given --out that holds a run's results is refused "
                        "unless --overwrite")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the results of an earlier run in --out (default: refuse)")
    _model.add_weights_arguments(p, default_text="default: the design file's own weights")
    p.add_argument("--fresh", action="store_true", help="start from random weights, not the design's own")
    p.add_argument("--resume", action="store_true",
                   help="continue the interrupted run in --out from its last finished epoch, with its settings")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress; only the result line")
    p.set_defaults(func=run)


def _config(design, args: argparse.Namespace, base: dict | None = None):
    """The design's training settings (or a resumed run's), then the command-line options."""
    from netbuilder.training.config import TrainConfig

    stored = base if base is not None else (design.training or {})
    TrainConfig.from_dict(stored)  # refuses unknown or bad settings by name
    config = TrainConfig.from_dict(choices.merged_settings(stored))  # the shared defaults for the rest
    overrides = {k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size), ("lr", args.lr),
                                   ("optimizer", args.optimizer), ("schedule", args.schedule),
                                   ("device", args.device), ("mixed_precision", args.mixed_precision),
                                   ("seed", args.seed)) if v is not None}
    if args.batch_size is not None:
        overrides["batch_mode"] = "minibatch"
    if overrides.get("optimizer", config.optimizer) != "sgd" and config.nesterov:
        overrides["nesterov"] = False
    return config.replace(**overrides)


@contextlib.contextmanager
def _stop_on_signals(control, progress: Progress) -> Iterator[dict]:
    """SIGINT and SIGTERM ask the run to stop at the next batch; a second Ctrl-C interrupts at once."""
    state = {"signal": None}
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum, _frame):
        if state["signal"] is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        state["signal"] = signal.Signals(signum).name
        control.stop()
        progress.note(f"netbuilder: {state['signal']}: stopping after this batch and saving the finished "
                      "epochs (Ctrl-C again to quit at once)")

    try:
        for s in old:
            signal.signal(s, handler)
    except ValueError:  # not the main thread: no signal handling
        pass
    try:
        yield state
    finally:
        with contextlib.suppress(ValueError):
            for s, h in old.items():
                signal.signal(s, h)


def _require_checkpoint(folder: Path) -> None:
    from netbuilder.training.checkpoint import has_checkpoint

    if not has_checkpoint(folder):
        raise NetbuilderError(f"--resume: {folder} holds no checkpoint to continue from "
                              "(train into it first, without --resume)")


def _resume_base(folder: Path) -> dict:
    """The interrupted run's settings, from its checkpoint."""
    from netbuilder.training.checkpoint import load_checkpoint

    _, state = load_checkpoint(folder)
    base = dict(state.get("config") or {})
    base.pop("checkpoint_every", None)  # the command's own choice, not a setting of the design
    return base


def run(args: argparse.Namespace) -> int:
    from netbuilder.api import load
    from netbuilder.presets import fit_design
    from netbuilder.training import distributed
    from netbuilder.training.parts import resolve_device

    design = load(args.design)
    dataset, options = _data.dataset_spec(design, args)
    name = _outputs.run_name(args.design)
    if args.resume and not args.out:
        raise NetbuilderError("--resume needs --out DIR: the folder of the run to continue")
    if args.resume and (args.fresh or args.weights):
        raise NetbuilderError("--resume continues from the run's checkpoint; leave out --fresh and --weights")
    if args.fresh and args.weights:
        raise NetbuilderError("--fresh starts from random weights; leave out --weights (or --fresh)")
    rank, world, local = distributed.env_world()
    default = Path("runs") / f"{name}_{Path(str(dataset)).stem}"
    out = Path(args.out) if args.out else (_outputs.free_folder(default, name) if rank == 0 else default)
    if args.resume:
        _require_checkpoint(out)
    config = _config(design, args, _resume_base(out) if args.resume else None)
    weights = None if (args.fresh or args.resume) else _model.chosen_weights(args, design)
    if weights is None and not (args.fresh or args.resume) and _model.unusual_missing(args.design, design):
        print(f"netbuilder: note: training {args.design} from fresh weights"
              f"{_model.unusual_missing(args.design, design)}", file=sys.stderr)
    keep = bool(args.resume or args.overwrite)
    files = _outputs.prepare(out, name, keep=keep) if rank == 0 else _outputs.RunFiles(out, name)
    if out != default and not args.out and rank == 0:
        print(f"netbuilder: {default} already holds a run; writing this one to {out} (give --out DIR to choose)",
              file=sys.stderr)
    try:
        ctx = distributed.setup(resolve_device(config.device, local).type)
        progress = Progress(ctx.is_main and not args.quiet)
        try:
            data = _data.load_data(dataset, options, args, progress, ctx)
            design = fit_design(design, list(data.input_shape), data.num_classes)
            return _train(design, data, config, args, files, weights, dataset, options, progress, ctx)
        finally:
            distributed.teardown(ctx)
    finally:
        _outputs.remove_if_empty(files)  # a failed run (or one stopped before its first epoch) leaves no empty folder


def _train(design, data, config, args, files: _outputs.RunFiles, weights: Path | None, dataset: str,
           options: dict, progress: Progress, ctx) -> int:
    from netbuilder.compiler import compile_design
    from netbuilder.training import Control, seed_everything
    from netbuilder.training.engine import train

    seed_everything(config.seed)
    model = compile_design(design)
    saved_config = config
    if weights is not None:
        report = _model.load_weights_into(model, design, weights, args.partial)
        progress.line(report.summary())
        data = _model.seen_by_weights(data, report, weights, progress)
        random_frozen = _model.frozen_without_weights(report, config.frozen)
        if random_frozen:
            names = ", ".join(random_frozen)
            progress.note(f"netbuilder: warning: {names} {'is' if len(random_frozen) == 1 else 'are'} locked (frozen) "
                          f"but got no weights from {weights.name}: {'it' if len(random_frozen) == 1 else 'they'} "
                          "would stay random, so this run unlocks and trains "
                          f"{'it' if len(random_frozen) == 1 else 'them'}; unlock "
                          f"{'it' if len(random_frozen) == 1 else 'them'} in the design, or give weights that "
                          "cover every locked layer")
            config = config.replace(frozen=[f for f in config.frozen if f not in random_frozen])
    elif config.frozen and not args.resume:
        progress.note(f"netbuilder: note: no trained weights to start from, so the frozen layers "
                      f"({', '.join(config.frozen)}) are trained too; give --weights FILE to keep them fixed")
        config = config.replace(frozen=[])
    engine_config = config.replace(checkpoint_every=1)
    control, rows, final, finished_epochs = Control(), [], None, 0
    start = time.monotonic()
    with _stop_on_signals(control, progress) as stop:
        events = train(model, data, engine_config, control, checkpoint_dir=str(files.folder) if ctx.is_main else None,
                       resume_from=str(files.folder) if args.resume else None)
        for ev in events:
            if ev.kind == "started":
                finished_epochs = ev.start_epoch
                if ev.start_epoch:
                    rows = _outputs.read_metrics(files.metrics, ev.start_epoch)
                progress.line(f"training {design.name or args.design} on {data.name} ({ev.train_size:,} examples) "
                              f"on {ev.device_name}" + (f", {ev.world_size} processes" if ev.world_size > 1 else "")
                              + (f", from epoch {ev.start_epoch + 1}" if ev.start_epoch else ""))
            elif ev.kind == "step":
                progress.draw(f"epoch {ev.epoch + 1}/{config.epochs} loss {ev.loss:.4f} acc {100 * ev.accuracy:.1f}% "
                              f"{ev.samples_per_second:,.0f} samples/s", ev.progress)
            elif ev.kind == "epoch":
                if ev.complete:
                    rows.append(_outputs.metrics_row(ev))
                    if ctx.is_main:
                        _outputs.write_metrics(files.metrics, rows)
                progress.line(f"epoch {ev.epoch + 1}/{config.epochs}{'' if ev.complete else ' (cut short)'}: "
                              f"loss {ev.train_loss:.4f} acc {100 * ev.train_accuracy:.1f}% | val loss "
                              f"{ev.val_loss:.4f} acc {100 * ev.val_accuracy:.1f}% | {ev.seconds:.1f}s")
            elif ev.kind == "checkpoint":
                finished_epochs = ev.epoch
            elif ev.kind == "notice":
                progress.note(f"netbuilder: note: {ev.message}")
            elif ev.kind == "fault":
                raise NetbuilderError(f"{ev.message}. What to do: {ev.advice}")
            elif ev.kind == "finished":
                final = ev
    interrupted = stop["signal"] is not None
    if interrupted and ctx.is_main and final is not None:
        if not finished_epochs:
            progress.result("interrupted before the first epoch finished: nothing was saved")
            return INTERRUPTED
        final = _last_finished(model, data, files, final, rows)
    if ctx.is_main and final is not None:
        _write_results(model, design, data, saved_config, files, dataset, options, final, rows, interrupted,
                       time.monotonic() - start, ctx.world_size, args)
        what = f"interrupted (kept the weights of epoch {len(rows)}, the last finished); " if interrupted else ""
        test = (f"test accuracy {100 * final.test_accuracy:.2f}%" if math.isfinite(final.test_accuracy)
                else "no test accuracy (the test part is empty)")
        progress.result(f"{what}{test} after {len(rows)} epoch{'s' * (len(rows) != 1)}; wrote {files.design}")
    return INTERRUPTED if interrupted else 0


def _last_finished(model, data, files: _outputs.RunFiles, final, rows: list):
    """After a stop: the weights of the last finished epoch (the checkpoint's, not those of an epoch cut
    short), the test split evaluated again with them, and that epoch's numbers."""
    import dataclasses

    import numpy as np
    import torch

    from netbuilder.commands.evaluate import evaluate_model
    from netbuilder.training.checkpoint import load_checkpoint

    weights, _ = load_checkpoint(files.folder)
    model.load_state_dict(weights)
    test = evaluate_model(model, data, "test", device=torch.device(final.device))
    last = rows[-1] if rows else {}
    number = (lambda key, default: float(last[key]) if last.get(key) else default)  # noqa: E731
    return dataclasses.replace(
        final, test_loss=test["loss"] if test["loss"] is not None else float("nan"),
        test_accuracy=test["accuracy"] if test["accuracy"] is not None else float("nan"),
        confusion=np.asarray(test["confusion"]),
        train_loss=number("train_loss", final.train_loss), train_accuracy=number("train_acc", final.train_accuracy),
        val_loss=number("val_loss", final.val_loss), val_accuracy=number("val_acc", final.val_accuracy))


def _write_results(model, design, data, config, files: _outputs.RunFiles, dataset: str, options: dict, final,
                   rows: list, interrupted: bool, seconds: float, world_size: int, args) -> None:
    """The weights (with their preprocessing), the trained design, and report.json."""
    import os

    preprocessing = _model.preprocessing_of(data)
    _model.save_trained(model, files.weights, preprocessing,
                        {"design": files.design.name, "dataset": data.name, "epochs": str(len(rows))})
    trained = design.copy()
    stored_name = os.path.abspath(dataset) if os.path.exists(dataset) else dataset
    trained.dataset = _data.design_dataset(stored_name, options)
    trained.training = config.to_dict()
    trained.weights = files.weights.name
    _outputs.save_design(trained, files.design)
    report = {"design": str(args.design), "design_file": str(files.design), "weights": str(files.weights),
              "dataset": data.name, "input_shape": [int(v) for v in data.input_shape],
              "class_names": list(final.class_names), "device": final.device, "epochs": len(rows),
              "epochs_planned": config.epochs, "interrupted": interrupted, "reason": final.reason,
              "seconds": round(seconds, 3), "train_loss": final.train_loss, "train_accuracy": final.train_accuracy,
              "val_loss": final.val_loss, "val_accuracy": final.val_accuracy, "test_loss": final.test_loss,
              "test_accuracy": final.test_accuracy, "confusion": final.confusion.tolist(), "world_size": world_size,
              "preprocessing": preprocessing, "config": config.to_dict()}
    _outputs.write_report(files.report, report)
