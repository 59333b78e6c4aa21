"""``netbuilder presets [--json]``: every preset with its aliases, year, parameters, MACs, input shape.

Imports presets (and, through them, analysis) only; no torch.
"""

from __future__ import annotations

import argparse
import json


def add_parser(sub) -> None:
    p = sub.add_parser("presets", help="list the built-in architectures (parameters, MACs, input shape)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def _human(n: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return str(n)


def preset_rows() -> list[dict]:
    from netbuilder.presets import list_presets

    rows = []
    for info in list_presets():
        g = info.gallery
        rows.append({
            "name": info.name, "aliases": list(info.aliases), "title": g.title, "year": g.year,
            "category": g.category, "params": info.params, "macs": info.macs,
            "input_shape": list(g.input_shape), "num_classes": g.num_classes, "idea": g.idea,
            "paper": None if g.paper is None else {"authors": g.paper.authors, "title": g.paper.title,
                                                    "venue": g.paper.venue, "url": g.paper.url},
        })
    return rows


def format_table(rows: list[dict]) -> str:
    header = ("name", "aliases", "year", "parameters", "MACs", "input", "classes")
    body = [(r["name"], ", ".join(r["aliases"]) or "-", str(r["year"]), f"{r['params']:,}", _human(r["macs"]),
             "×".join(map(str, r["input_shape"])), str(r["num_classes"])) for r in rows]
    widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
    right = {2, 3, 4, 6}

    def line(cells) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(header), line("-" * w for w in widths), *(line(r) for r in body)])


def run(args: argparse.Namespace) -> int:
    rows = preset_rows()
    print(json.dumps(rows, indent=2) if args.json else format_table(rows))
    return 0
