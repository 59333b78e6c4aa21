"""``netbuilder predict FILE IMAGE... [--top K] [--json]``: each image's most likely classes.

Images are read as the design's input takes them (its channels and size), scaled to [0, 1]; the model,
compiled with the preprocessing recorded in its weights file, normalises them itself, as an exported
model does. Every image that can be read is answered; one that cannot (missing, a folder, broken) gets
its one-line message in its place, and the exit status is then 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from netbuilder.commands import _model
from netbuilder.errors import NetbuilderError


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="classify images with a trained design",
                       description="Classify image files with a trained design (the weights file a design "
                                   "file names, or --weights). Each image is read at the design's input size and channels.")
    p.add_argument("design", metavar="FILE|PRESET", help="a design file (.nbd), or a preset with --weights")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    p.add_argument("--top", type=int, default=3, metavar="K", help="how many classes to show per image (default: 3)")
    p.add_argument("--json", action="store_true",
                   help='print a JSON list of {"file", "class", "probability"} (the top K of each image)')
    _model.add_weights_arguments(p, default_text="default: the design file's own weights")
    p.set_defaults(func=run)


def input_shape_of(design) -> list[int]:
    """The (C, H, W) the design's input takes; refuses designs whose input is not an image."""
    from netbuilder.analysis import analyze

    inputs = [n for n in design.graph.iter_nodes() if n.kind == "input"]
    if len(inputs) != 1:
        raise NetbuilderError(f"{design.name}: predict needs a design with one input, not {len(inputs)}")
    shape = [int(v) for v in inputs[0].params.get("shape", [])]
    analysis = analyze(design.graph)
    if not analysis.valid:
        raise NetbuilderError(f"{design.name}: the design has problems; run 'netbuilder check' to see them")
    if len(shape) != 3 or shape[0] not in (1, 3):
        raise NetbuilderError(f"{design.name}: predict reads images, but the design's input is "
                              f"{'×'.join(map(str, shape))} (give it 1×H×W or 3×H×W)")
    return shape


def read_images(paths: list[str], shape: list[int]):
    """``(batch, read, failed)``: the images that could be read as a float batch N×C×H×W in [0, 1] (None
    when none could), their paths, and ``(path, why)`` for each that could not (missing, a folder, not an
    image): one bad file among many does not cost the others their answers."""
    import numpy as np
    import torch

    from netbuilder.data.images import decode_image

    c, h, w = shape
    arrays, read, failed = [], [], []
    for p in paths:
        try:
            if not os.path.lexists(p):
                raise NetbuilderError(f"{p}: no such file")
            if os.path.isdir(p):
                raise NetbuilderError(f"{p}: is a folder, not an image; give image files")
            arrays.append(decode_image(p, (h, w), c))
            read.append(p)
        except NetbuilderError as e:
            failed.append((p, str(e)))
    batch = torch.from_numpy(np.stack(arrays).astype(np.float32) / 255.0) if arrays else None
    return batch, read, failed


def predict(model, x, class_names: list[str], top: int) -> list[list[tuple[str, float]]]:
    """For each input, its ``top`` (class name, probability) pairs, most likely first."""
    import torch

    from netbuilder.compiler.scores import probabilities, scores_of
    from netbuilder.introspect._util import eval_mode

    with eval_mode(model), torch.no_grad():
        out = model(x)
    probs = probabilities(out, scores_of(model))  # (a final Softmax or Sigmoid gives probabilities already)
    k = max(1, min(top, probs.shape[1]))
    values, indices = probs.topk(k, dim=1)
    names = list(class_names) + [f"class {i}" for i in range(len(class_names), probs.shape[1])]
    return [[(names[int(i)], float(v)) for v, i in zip(vs, ix, strict=True)]
            for vs, ix in zip(values.tolist(), indices.tolist(), strict=True)]


def run(args: argparse.Namespace) -> int:
    from netbuilder.api import load

    if args.top < 1:
        raise NetbuilderError(f"--top {args.top}: give 1 or more")
    design = load(args.design)
    weights = _model.chosen_weights(args, design)
    if weights is None:
        why = _model.missing_text(args.design, design)
        raise NetbuilderError(f"{args.design}: no trained weights to predict with{why}; "
                              "train it first, or give --weights FILE")
    shape = input_shape_of(design)
    prep, note = _model.weights_preprocessing(design, weights)  # (the one rule: export, evaluate, the window)
    if note:
        print(f"netbuilder: note: {note}", file=sys.stderr)
    model = _model.compile_normalising(design, prep)
    report = _model.load_weights_into(model, design, weights, partial=True)  # (require_trained says what is missing)
    head = model.get_submodule(report.fresh[0][0]) if report.fresh else None
    _model.require_trained(report, weights, "the design", int(getattr(head, "out_features", 0)))
    class_names = list((prep or {}).get("class_names") or (design.dataset or {}).get("class_names") or [])
    x, read, failed = read_images(args.images, shape)
    answers = dict(zip(read, predict(model, x, class_names, args.top), strict=True)) if x is not None else {}
    why = dict(failed)
    if args.json:  # (an image that could not be read: {"file", "error"})
        print(json.dumps([entry for f in args.images for entry in (
            [{"file": f, "class": name, "probability": round(p, 6)} for name, p in answers[f]] if f in answers
            else [{"file": f, "error": why[f]}])]))
    else:
        for f in args.images:
            if f in answers:
                print(f"{f}: " + ", ".join(f"{name} {100 * p:.1f}%" for name, p in answers[f]), flush=True)
            else:
                print(f"netbuilder: {why[f]}", file=sys.stderr, flush=True)
    if failed:  # every user-facing error: exit status 2 (the readable images answered all the same)
        if len(args.images) > 1:
            print(f"netbuilder: {len(failed)} of {len(args.images)} images could not be read", file=sys.stderr)
        return 2
    return 0
