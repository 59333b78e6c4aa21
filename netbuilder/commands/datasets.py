"""``netbuilder datasets``: a table of the built-in and standard datasets (and which are downloaded)."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("datasets", help="list the datasets",
                              description="List the built-in datasets and the standard ones that download.")
    p.add_argument("--data-dir", metavar="DIR", help="where downloaded datasets are kept (default: the user "
                   "data folder)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from netbuilder.data import list_datasets

    rows = [("name", "kind", "input shape", "classes", "size", "source", "description")]
    for d in list_datasets(args.data_dir):
        source = "built-in" if d.source == "built-in" else "downloaded" if d.available else "not downloaded"
        rows.append((d.name, d.kind, "×".join(map(str, d.input_shape)), str(d.num_classes), f"{d.size:,}",
                     source, d.description))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
    return 0
