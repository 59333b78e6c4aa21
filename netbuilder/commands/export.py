"""``netbuilder export FILE|PRESET --format python|pt2|onnx -o OUT``."""

from __future__ import annotations

import argparse
import os

from netbuilder.commands._common import add_design_argument, load_from_args

FORMATS = {"python": ".py", "pt2": ".pt2", "onnx": ".onnx"}


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export as standalone PyTorch code, a torch.export program or ONNX")
    add_design_argument(p)
    p.add_argument("--format", choices=sorted(FORMATS), help="default: from the output file's suffix")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from netbuilder.api import export

    design = load_from_args(args)
    export(design, args.output, args.format)
    print(f"wrote {args.output} ({os.path.getsize(args.output):,} bytes)")
    return 0
