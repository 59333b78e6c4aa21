"""``netbuilder export FILE|PRESET --format python|pt2|onnx -o OUT``.

A design file is exported with its trained weights (the file its ``weights`` entry names beside it:
``netbuilder.io.weights_file``; or ``--weights FILE``) and the preprocessing recorded with them, so the exported model takes [0, 1]
images and normalises them itself. Without weights the export says plainly that it is untrained.
"""

from __future__ import annotations

import argparse
import os
import sys

from netbuilder.commands import _model
from netbuilder.commands._common import add_design_argument, load_from_args
from netbuilder.errors import NetbuilderError

FORMATS = {"python": ".py", "pt2": ".pt2", "onnx": ".onnx"}


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export as standalone PyTorch code, a torch.export program or ONNX",
                       description="Export a design with its trained weights (the weights file a design file "
                                   "names, or --weights) as PyTorch code, a torch.export program or ONNX. With "
                                   "trained weights the exported model takes images in [0, 1] and normalises "
                                   "them itself.")
    add_design_argument(p)
    p.add_argument("--format", choices=sorted(FORMATS), help="default: from the output file's suffix")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write")
    _model.add_weights_arguments(p, default_text="default: the design file's own weights")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from netbuilder.compiler.build import CompileError
    from netbuilder.compiler.export import export, format_for, not_over_inputs

    if os.path.isdir(args.output):
        raise NetbuilderError(f"-o {args.output}: is a folder; give a file name in it, such as "
                              f"{os.path.join(args.output, 'model.py')} (.py, .pt2 or .onnx)")
    format_for(args.output, args.format, option="--format", prefix="export: ")  # before anything is read
    design = load_from_args(args)
    weights = _model.chosen_weights(args, design)
    not_over_inputs(args.output, args.format, [(args.design, "the design file"), (weights, "the weights file")],
                    "-o ")
    prep, note = _model.weights_preprocessing(design, weights) if weights is not None else (None, None)
    if note:
        print(f"netbuilder: note: {note}", file=sys.stderr)
    options: dict = {}
    if weights is not None:
        from netbuilder.compiler import compile_design

        model = compile_design(design)  # the export adds the normalisation recorded with the weights
        report = _model.load_weights_into(model, design, weights, args.partial)
        print(f"netbuilder: {report.summary()}", file=sys.stderr)
        options["module"] = model
    if prep is not None:
        options["preprocessing"] = prep
    try:
        result = export(design, args.output, args.format, **options)
    except CompileError as e:  # the design's own problem: one line naming the design (a file error names its file)
        raise NetbuilderError(f"{args.design}: {e}") from e
    if weights is None:  # (said once the export is written: a failed one says only why it failed)
        why = _model.missing_text(args.design, design)
        print(f"netbuilder: note: {args.design} is untrained{why}: the export holds "
              "random weights; train it first, or give --weights FILE", file=sys.stderr)
    written = [os.fspath(p) for p in (getattr(result, "files", ()) or (args.output,))]  # .py: its weights too
    print("wrote " + " and ".join(f"{p} ({os.path.getsize(p):,} bytes)" for p in written)
          + ("" if weights is not None else ", untrained"))
    return 0
