"""``netbuilder evaluate FILE [--dataset D] [--split test|val|train] [--json]``: a trained design's accuracy,
loss, per-class accuracy and confusion matrix on one split of a dataset.

The split is the one training used: it depends on the dataset alone, never on a seed. The model is
evaluated exactly as ``train`` evaluates it, so the test accuracy equals ``report.json``'s.
"""

from __future__ import annotations

import argparse
import json

from netbuilder.commands import _data, _model
from netbuilder.commands._progress import Progress
from netbuilder.errors import NetbuilderError

SPLITS = ("test", "val", "train")


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="a trained design's accuracy, per class, and its confusion matrix",
                       description="Evaluate a trained design (the weights file a design file names, or --weights) on a "
                                   "dataset split, the same split training used.")
    p.add_argument("design", metavar="FILE|PRESET", help="a design file (.nbd), or a preset with --weights")
    _data.add_data_arguments(p, dataset_help="the dataset (default: the design's dataset)")
    p.add_argument("--split", choices=SPLITS, default="test", help="which part of the dataset (default: test)")
    p.add_argument("--json", action="store_true", help="print one JSON object (with an 'accuracy' field)")
    p.add_argument("--batch-size", type=int, default=1024, help="examples per batch (default: 1024)")
    _model.add_weights_arguments(p, default_text="default: the design file's own weights")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress")
    p.set_defaults(func=run)


def evaluate_model(model, data, split: str, batch_size: int = 1024, device=None) -> dict:
    """accuracy, loss, per-class accuracy and the confusion matrix (rows: true class) as plain values."""
    import math

    import torch

    from netbuilder.compiler.scores import scores_of
    from netbuilder.training.evaluate import evaluate
    from netbuilder.training.feed import split_batches
    from netbuilder.training.parts import make_loss

    device = device or torch.device("cpu")
    model = model.to(device)
    if batch_size < 1:
        raise NetbuilderError(f"--batch-size {batch_size}: must be at least 1")
    from netbuilder.training.memory import eval_batch_that_fits

    # (the same numbers at any batch: no larger batch than the free memory holds, VGG-16 at 224 × 1024 does not)
    batch_size = eval_batch_that_fits(model, torch.zeros(1, *data.input_shape, device=device), device, batch_size)
    loss, accuracy, confusion = evaluate(model, split_batches(data, split, batch_size, device), data,
                                         make_loss("cross_entropy", data.num_classes, scores_of(model)), None, True)
    totals = confusion.sum(axis=1)
    per_class = {name: (None if totals[i] == 0 else float(confusion[i, i] / totals[i]))
                 for i, name in enumerate(data.class_names)}
    clean = (lambda v: None if isinstance(v, float) and not math.isfinite(v) else v)  # noqa: E731
    return {"dataset": data.name, "split": split, "examples": int(confusion.sum()), "accuracy": clean(accuracy),
            "loss": clean(loss), "class_names": list(data.class_names), "per_class_accuracy": per_class,
            "confusion": confusion.tolist()}


def run(args: argparse.Namespace) -> int:
    from netbuilder.api import load
    from netbuilder.compiler import compile_design
    from netbuilder.presets import fit_design
    from netbuilder.training.parts import resolve_device

    design = load(args.design)
    weights = _model.chosen_weights(args, design)
    if weights is None:
        why = _model.missing_text(args.design, design)
        raise NetbuilderError(f"{args.design}: no trained weights to evaluate{why}; "
                              "train it first, or give --weights FILE")
    dataset, options = _data.dataset_spec(design, args)
    progress = Progress(not args.quiet and not args.json)
    data = _data.load_data(dataset, options, args, progress)
    design = fit_design(design, list(data.input_shape), data.num_classes)
    model = compile_design(design)
    report = _model.load_weights_into(model, design, weights, partial=True)  # (require_trained says what is missing)
    progress.line(report.summary())
    data = _model.seen_by_weights(data, report, weights, progress)
    _model.require_trained(report, weights, data.name, data.num_classes)
    result = evaluate_model(model, data, args.split, args.batch_size, resolve_device("auto"))
    if args.json:
        print(json.dumps(result))
        return 0
    _print(result)
    return 0


def _print(r: dict) -> None:
    acc = "n/a" if r["accuracy"] is None else f"{100 * r['accuracy']:.2f}%"
    loss = "n/a" if r["loss"] is None else f"{r['loss']:.4f}"
    print(f"{r['dataset']} {r['split']} split, {r['examples']:,} examples: accuracy {acc}, loss {loss}")
    names = r["class_names"]
    width = max([len(n) for n in names] + [5])
    print("per class:")
    for n in names:
        a = r["per_class_accuracy"][n]
        print(f"  {n:<{width}}  {'   n/a' if a is None else f'{100 * a:5.1f}%'}")
    print("confusion matrix (rows: true class, columns: predicted):")
    cells = max([len(str(v)) for row in r["confusion"] for v in row] + [len(str(i)) for i in range(len(names))])
    print(" " * (width + 3) + " ".join(f"{i:>{cells}}" for i in range(len(names))))
    for i, (n, row) in enumerate(zip(names, r["confusion"], strict=True)):
        print(f"  {n:<{width}} " + " ".join(f"{v:>{cells}}" for v in row) + f"   ({i})")
