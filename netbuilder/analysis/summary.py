"""A per-layer summary of an analysed design, as torchinfo prints one: rows, a text table, JSON.

Layers the design locks (``training["frozen"]``, the Lab's lock) count as non-trainable, as torchinfo counts
parameters with ``requires_grad`` False. Imports graph, layers, analysis and choices only (no torch).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netbuilder.analysis.result import Analysis, Diagnostic
from netbuilder.choices import frozen_ids
from netbuilder.graph.design import Design
from netbuilder.graph.model import Graph
from netbuilder.layers import get_spec


def format_macs(n: int) -> str:
    """A count of multiply-accumulates as read: ``2`` and ``4,736`` exact, ``416.5 k``, ``1.81 M``,
    ``15.47 G`` (a small network's count is never "0.00 M")."""
    if n >= 1e9:
        return f"{n / 1e9:.2f} G"
    if n >= 1e6:
        return f"{n / 1e6:.2f} M"
    return f"{n / 1e3:.1f} k" if n >= 10_000 else f"{n:,}"


def shape_text(shape: tuple[int, ...] | None) -> str:
    return "×".join(str(v) for v in shape) if shape else "?"


def _title(kind: str) -> str:
    try:
        return get_spec(kind).title
    except Exception:  # noqa: BLE001  (an unknown kind shows as written)
        return str(kind)


def _split(design_or_graph: Design | Graph, frozen: Iterable[str] | None) -> tuple[Graph, set[str]]:
    """The graph and the locked node ids: ``frozen`` when given, else a design's ``training["frozen"]``."""
    if isinstance(design_or_graph, Design):
        graph = design_or_graph.graph
        locked = frozen_ids(design_or_graph.training) if frozen is None else frozen
    else:
        graph, locked = design_or_graph, frozen or ()
    return graph, {n for n in locked if isinstance(n, str)}


def _locked_params(rows: list[dict[str, Any]]) -> tuple[int, list[str]]:
    locked = [r for r in rows if r["locked"]]
    return sum(r["params"] for r in locked), [r["node"] for r in locked]


def summary_rows(design_or_graph: Design | Graph, analysis: Analysis,
                 frozen: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One dict per node in topological order: node, kind, title, output_shape (list or None),
    params, buffers, macs, diagnostics (strings), on_path and locked (a layer with parameters the design
    locks: ``frozen``, else a design's ``training["frozen"]``)."""
    _graph, frozen_set = _split(design_or_graph, frozen)
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
            "locked": nid in frozen_set and bool(info.params),
        })
    return rows


def _status(analysis: Analysis) -> str:
    n_err, n_warn = len(analysis.errors), len(analysis.warnings)
    counts = f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}"
    return f"design {'valid' if analysis.valid else 'NOT valid'} · {counts}"


def summary_table(design_or_graph: Design | Graph, analysis: Analysis, frozen: Iterable[str] | None = None) -> str:
    """A text table: Layer (node id), Kind, Output shape, Param #, MACs; then totals and validity. Locked
    layers (``frozen``, else a design's ``training["frozen"]``) are marked and counted as non-trainable."""
    rows = summary_rows(design_or_graph, analysis, frozen)
    n_locked, locked = _locked_params(rows)
    head = ("Layer (node id)", "Kind", "Output shape", "Param #", "MACs")
    cells = [(r["node"] + (" (locked)" if r["locked"] else "") + (" !" if r["diagnostics"] else ""), r["title"],
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
    out.append(f"Trainable params: {analysis.total_params - n_locked:,}")
    if locked:
        named = ", ".join(locked[:5]) + (f" and {len(locked) - 5} more" if len(locked) > 5 else "")
        out.append(f"Non-trainable params: {n_locked:,} (locked layers: {named}; buffers such as BatchNorm "
                   f"running statistics, not counted: {analysis.total_buffers:,})")
    else:
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


def summary_json(design_or_graph: Design | Graph, analysis: Analysis,
                 frozen: Iterable[str] | None = None) -> dict[str, Any]:
    """Plain values only (lists, numbers, strings): for ``--json`` output and tests. Locked layers'
    parameters (``frozen``, else a design's ``training["frozen"]``) are non-trainable."""
    rows = summary_rows(design_or_graph, analysis, frozen)
    n_locked, locked = _locked_params(rows)
    return {
        "valid": analysis.valid,
        "total_params": analysis.total_params,
        "trainable_params": analysis.total_params - n_locked,
        "non_trainable_params": n_locked,
        "locked": locked,
        "total_buffers": analysis.total_buffers,
        "total_macs": analysis.total_macs,
        "layers": rows,
        "diagnostics": [_diag_dict(d) for d in analysis.diagnostics],
    }
