"""``netbuilder check FILE|PRESET``: print the diagnostics; exit 0 when valid, 2 when not."""

from __future__ import annotations

import argparse

from netbuilder.commands._common import add_design_argument, load_from_args


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="check a design and list its problems (exit 0 valid, 2 not)")
    add_design_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from netbuilder.api import analyze

    design = load_from_args(args)
    analysis = analyze(design)
    for d in analysis.diagnostics:
        print(f"{args.design}: {d.severity}: {d}")
    n_err, n_warn = len(analysis.errors), len(analysis.diagnostics) - len(analysis.errors)
    settings = _settings_problem(design)  # what `train` would refuse in the design's training settings
    if settings:
        print(f"{args.design}: error: training settings: {settings}")
        n_err += 1
    if analysis.valid and not settings:
        extra = f" ({n_warn} warning{'s' * (n_warn != 1)})" if n_warn else ""
        print(f"{args.design}: valid: {analysis.total_params:,} parameters{extra}")
        return 0
    print(f"{args.design}: {n_err} error{'s' * (n_err != 1)}")
    return 2


def _settings_problem(design) -> str | None:
    """Why ``train`` would refuse the design's stored training settings (``"lr": "fast"``), or None."""
    from netbuilder.choices import merged_settings
    from netbuilder.training.config import ConfigError, TrainConfig

    try:
        TrainConfig.from_dict(design.training)  # as train: unknown settings (an augmentation's too) by name
        TrainConfig.from_dict(merged_settings(design.training))
    except ConfigError as e:
        return str(e)
    return None
