"""A per-layer summary of an analysed design, as torchinfo prints one: rows, a text table, JSON.

Imports graph, layers and analysis only (no torch).
"""

from __future__ import annotations

from typing import Any

from netbuilder.analysis.result import Analysis, Diagnostic
from netbuilder.graph.model import Graph
from netbuilder.layers import get_spec


def format_macs(n: int) -> str:
    """``416520`` -> ``"0.42 M"``; ``"1.82 G"`` from a billion on."""
    return f"{n / 1e9:.2f} G" if n >= 1e9 else f"{n / 1e6:.2f} M"


def shape_text(shape: tuple[int, ...] | None) -> str:
    return "×".join(str(v) for v in shape) if shape else "?"


def _title(kind: str) -> str:
    try:
        return get_spec(kind).title
    except Exception:  # noqa: BLE001  (an unknown kind shows as written)
        return str(kind)


def summary_rows(graph: Graph, analysis: Analysis) -> list[dict[str, Any]]:
    """One dict per node in topological order: node, kind, title, output_shape (list or None),
    params, buffers, macs, diagnostics (strings) and on_path."""
    rows = []
    for nid in analysis.order:
        info = analysis.nodes.get(nid)
        if info is None:
            continue
        rows.append({
            "node": nid,
            "kind": info.kind,
            "title": _title(info.kind),
            "output_shape": list(info.shape) if info.shape is not None else None,
            "params": info.params,
            "buffers": info.buffers,
            "macs": info.macs,
            "diagnostics": [str(d) for d in analysis.for_node(nid)],
            "on_path": nid in analysis.on_path,
        })
    return rows


def _status(analysis: Analysis) -> str:
    n_err, n_warn = len(analysis.errors), len(analysis.warnings)
    counts = f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}"
    return f"design {'valid' if analysis.valid else 'NOT valid'} · {counts}"


def summary_table(graph: Graph, analysis: Analysis) -> str:
    """A text table: Layer (node id), Kind, Output shape, Param #, MACs; then totals and validity."""
    rows = summary_rows(graph, analysis)
    head = ("Layer (node id)", "Kind", "Output shape", "Param #", "MACs")
    cells = [(r["node"] + (" !" if r["diagnostics"] else ""), r["title"],
              shape_text(tuple(r["output_shape"]) if r["output_shape"] else None),
              f"{r['params']:,}" if r["params"] else "--", f"{r['macs']:,}" if r["macs"] else "--")
             for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(head)]

    def line(values) -> str:
        left = "  ".join(v.ljust(w) for v, w in zip(values[:3], widths[:3]))
        right = "  ".join(v.rjust(w) for v, w in zip(values[3:], widths[3:]))
        return f"{left}  {right}"

    rule_len = sum(widths) + 2 * (len(widths) - 1)
    out = ["=" * rule_len, line(head), "=" * rule_len]
    out += [line(c) for c in cells]
    out.append("=" * rule_len)
    out.append(f"Total params: {analysis.total_params:,}")
    out.append(f"Trainable params: {analysis.total_params:,}")
    out.append(f"Non-trainable params: 0 (buffers such as BatchNorm running statistics: "
               f"{analysis.total_buffers:,})")
    out.append(f"MACs per sample: {format_macs(analysis.total_macs)}")
    out.append("=" * rule_len)
    out.append(_status(analysis))
    for d in analysis.diagnostics:
        out.append(f"  {d.severity}: {d}")
    return "\n".join(out)


def _diag_dict(d: Diagnostic) -> dict[str, Any]:
    return {"node": d.node_id, "code": d.code, "severity": d.severity, "message": d.message,
            "fix": d.fix, "param": d.param}


def summary_json(graph: Graph, analysis: Analysis) -> dict[str, Any]:
    """Plain values only (lists, numbers, strings): for ``--json`` output and tests."""
    return {
        "valid": analysis.valid,
        "total_params": analysis.total_params,
        "trainable_params": analysis.total_params,
        "total_buffers": analysis.total_buffers,
        "total_macs": analysis.total_macs,
        "layers": summary_rows(graph, analysis),
        "diagnostics": [_diag_dict(d) for d in analysis.diagnostics],
    }
