"""Argument helpers shared by the subcommands that take ``FILE|PRESET``."""

from __future__ import annotations

import argparse

from netbuilder.errors import NetbuilderError


def add_design_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("design", metavar="FILE|PRESET", help="a design file (.nbd) or a preset name")
    parser.add_argument("--input-shape", metavar="C,H,W",
                        help="fit a preset to this input shape (e.g. 3,32,32, 3x32x32 or 64)")
    parser.add_argument("--num-classes", type=int, metavar="K", help="fit a preset to K classes")


def finite_float(text: str) -> float:
    """An argparse type: a finite number (``--lr inf`` or ``nan`` is refused by argparse, naming the option)."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number (give one like 0.01)")
    return value


def parse_shape(text: str) -> list[int]:
    parts = [v.strip() for v in text.replace("x", ",").replace("X", ",").replace("×", ",").split(",")]
    try:  # (an empty part is a stray separator or a letter taken for one: "3,x" is not 3 features)
        shape = [int(v) for v in parts]
    except ValueError:
        raise NetbuilderError(f"--input-shape {text!r}: expected numbers like 3,32,32 or 64") from None
    if len(shape) not in (1, 3) or min(shape) < 1:
        raise NetbuilderError(f"--input-shape {text!r}: give 1 number (features) or 3 (channels,height,width)")
    return shape


def load_from_args(args: argparse.Namespace):
    from netbuilder.api import load

    options = {}
    if getattr(args, "input_shape", None):
        options["input_shape"] = parse_shape(args.input_shape)
    if getattr(args, "num_classes", None) is not None:
        options["num_classes"] = args.num_classes
    return load(args.design, **options)
