"""``netbuilder summary FILE|PRESET [--json]``: the per-layer table with shapes, parameters, MACs."""

from __future__ import annotations

import argparse
import json

from netbuilder.commands._common import add_design_argument, load_from_args


def add_parser(sub) -> None:
    p = sub.add_parser("summary", help="per-layer table: output shape, parameters, MACs, totals")
    add_design_argument(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from netbuilder.analysis import analyze
    from netbuilder.analysis.summary import summary_json, summary_table

    design = load_from_args(args)
    analysis = analyze(design.graph)
    if args.json:
        data = summary_json(design, analysis)
        data["name"] = design.name
        print(json.dumps(data, indent=2))
    else:
        print(f"{design.name}")
        print(summary_table(design, analysis))
    return 0 if analysis.valid else 2
