"""Plain helpers of the training window, free of Qt and torch: the training settings as a dict (the
form's defaults and choices, mirroring ``TrainConfig`` so the window opens before torch is
imported), the design's structure signature, which trained weights fit a changed network, the
smoothing of curves and the metrics as CSV.

Imports the graph package only; no Qt, no torch, no numpy.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from netbuilder.graph import Graph

from netbuilder.choices import (  # noqa: F401  (defined once, there)
    BATCH_MODES,
    DEFAULTS,
    DEVICES,
    LIVE,
    LOSSES,
    OPTIMIZERS,
    SCHEDULES,
    merged_settings,
)


def live_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The live settings that differ between two settings dicts."""
    return {k: new[k] for k in LIVE if k in new and new.get(k) != old.get(k)}


def describe_change(old: Mapping[str, Any], applied: Mapping[str, Any]) -> str:
    """A short label for a curve marker: ``lr 0.001→0.01, batch 64→128``."""
    short = {"batch_size": "batch", "weight_decay": "wd"}
    parts = []
    for key, value in applied.items():
        before = old.get(key)
        parts.append(f"{short.get(key, key)} {_fmt(before)}→{_fmt(value)}" if before is not None
                     else f"{short.get(key, key)} {_fmt(value)}")
    return ", ".join(parts)


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def structure_signature(graph: Graph) -> tuple:
    """What decides a network's weights: nodes (id, kind, settings) and edges; positions are left out."""
    nodes = tuple(sorted((n.id, n.kind, repr(sorted(n.params.items()))) for n in graph.iter_nodes()))
    edges = tuple(sorted((e.src, e.dst, e.port) for e in graph.edges))
    return nodes, edges


def compatible_keys(old: Mapping[str, Sequence[int]], new: Mapping[str, Sequence[int]]) -> tuple[list[str], list[str]]:
    """``(kept, dropped)``: the new network's state-dict keys of the layers whose every tensor matches the
    old one's in name and shape (unchanged layers), and the rest (which start fresh)."""
    def fits(k: str) -> bool:
        return k in old and tuple(old[k]) == tuple(new[k])

    changed = {k.rsplit(".", 1)[0] for k in new if not fits(k)}
    kept = [k for k in new if k.rsplit(".", 1)[0] not in changed]
    return kept, [k for k in new if k.rsplit(".", 1)[0] in changed]


def layers_of(keys: Iterable[str]) -> list[str]:
    """The layer (node id) names of state-dict keys, in order, once each."""
    return list(dict.fromkeys(k.rsplit(".", 1)[0] for k in keys))


def weights_file_name(design_name: str, path_stem: str | None = None) -> str:
    """A plain file name for trained weights beside the design file (what design.weights holds)."""
    base = re.sub(r"[^A-Za-z0-9_\-]+", "_", (path_stem or design_name or "design")).strip("_.") or "design"
    return f"{base[:120]}.safetensors"


def ema(values: Sequence[float], alpha: float = 0.1, start: float | None = None) -> list[float]:
    """Exponential moving average (as TensorBoard's smoothing, debiased at the start); NaNs skipped."""
    out, acc, weight = [], 0.0, 0.0
    if start is not None:
        acc, weight = start, 1.0
    for v in values:
        if not math.isnan(v):
            acc = (1 - alpha) * acc + alpha * v
            weight = (1 - alpha) * weight + alpha
        out.append(acc / weight if weight else math.nan)
    return out


METRIC_COLUMNS = ("run", "kind", "epoch", "step", "loss", "accuracy", "lr", "val_loss", "val_accuracy")


def metrics_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Step and epoch rows as CSV text (columns METRIC_COLUMNS; missing values empty)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=METRIC_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in METRIC_COLUMNS})
    return buf.getvalue()


def format_eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_rate(samples_per_second: float) -> str:
    if samples_per_second >= 10_000:
        return f"{samples_per_second / 1000:.0f}k samples/s"
    if samples_per_second >= 1000:
        return f"{samples_per_second / 1000:.1f}k samples/s"
    return f"{samples_per_second:.0f} samples/s"


def input_shape_of(graph: Graph) -> list[int] | None:
    inputs = [n for n in graph.iter_nodes() if n.kind == "input"]
    if len(inputs) != 1:
        return None
    shape = inputs[0].params.get("shape")
    return [int(s) for s in shape] if isinstance(shape, list | tuple) else None


def mismatch(design_shape: Sequence[int] | None, design_classes: int | None, data_shape: Sequence[int],
             data_classes: int) -> str | None:
    """A plain sentence when the design does not take the dataset's inputs or predict its classes."""
    problems = []
    if design_shape is not None and list(design_shape) != list(data_shape):
        problems.append(f"the design takes inputs of shape {'×'.join(map(str, design_shape))} but the dataset's "
                        f"are {'×'.join(map(str, data_shape))}")
    if design_classes is not None and design_classes != data_classes and not (design_classes == 1 and data_classes == 2):
        problems.append(f"the design predicts {design_classes} classes but the dataset has {data_classes}")
    return "; ".join(problems) if problems else None
