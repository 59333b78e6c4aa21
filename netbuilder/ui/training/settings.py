"""Plain helpers of the training window, free of Qt and torch: the settings' choices and defaults (from
netbuilder.choices, where they are defined once) and what a paused run may change, one setting's edit of
the design's settings and its undo text, the labels of setting changes, the metrics as CSV, progress text
and the schedule preview.

Imports netbuilder.choices and netbuilder.workbench.fit; numpy only inside schedule_preview; no Qt, no torch.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from typing import Any

from netbuilder.choices import (  # noqa: F401  (defined once, there)
    AUGMENTATION_DEFAULTS,
    BATCH_MODES,
    DEFAULTS,
    DEVICES,
    LIVE,
    LOSSES,
    OPTIMIZERS,
    SCHEDULES,
    VALUE_LABELS,
    merged_settings,
    training_value,
)
from netbuilder.workbench.fit import (  # noqa: F401  (the workbench decides what fits)
    compatible_keys,
    input_shape_of,
    layers_of,
    mismatch,
    structure_signature,
)

# what an undo step names: "set the learning rate to 0.05" (Document texts "set X to V" of one setting merge)
SETTING_NAMES = {"optimizer": "the optimiser", "lr": "the learning rate", "schedule": "the schedule",
                 "momentum": "momentum", "batch_mode": "the batch mode", "batch_size": "the batch size",
                 "epochs": "epochs", "loss": "the loss", "weight_decay": "weight decay", "device": "the device",
                 "flip": "flip augmentation", "shift": "shift augmentation", "rotation": "rotation augmentation",
                 "noise": "noise augmentation"}
UNITS = {"shift": " px", "rotation": "°", "noise": " σ"}


def edit_text(key: str, value: Any) -> str:
    """The undo step of one edited field: ``set the learning rate to 0.05``, ``set the optimiser to SGD``."""
    if isinstance(value, bool):
        shown = "on" if value else "off"
    elif isinstance(value, str):
        shown = VALUE_LABELS.get(value, value)
    else:
        shown = f"{_fmt(value)}{UNITS.get(key, '')}"
    return f"set {SETTING_NAMES.get(key, key.replace('_', ' '))} to {shown}"


def edited_training(training: Any, key: str, value: Any) -> dict[str, Any]:
    """The design's training settings with only ``key`` set to ``value`` (an augmentation's own key inside
    ``augmentation``); every other value stays as the design has it. Nesterov goes off with an optimiser
    or momentum that cannot use it (as the engine requires)."""
    out = dict(training) if isinstance(training, Mapping) else {}
    if key in AUGMENTATION_DEFAULTS:
        stored = out.get("augmentation")
        out["augmentation"] = {**(stored if isinstance(stored, Mapping) else {}), key: value}
    else:
        out[key] = value
    if key in ("optimizer", "momentum") and out.get("nesterov") is True:
        merged = merged_settings(out)
        if merged["optimizer"] != "sgd" or merged["momentum"] == 0:
            out["nesterov"] = False
    return out


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


def format_duration(seconds: float) -> str:
    """How long a run took: "0.8 s" and "19 s" under a minute (a short run is not "0:00"), else as the ETA."""
    if math.isfinite(seconds) and 0 <= seconds < 59.5:
        return f"{seconds:.1f} s" if seconds < 9.95 else f"{seconds:.0f} s"
    return format_eta(seconds)


def format_rate(samples_per_second: float) -> str:
    if samples_per_second >= 10_000:
        return f"{samples_per_second / 1000:.0f}k samples/s"
    if samples_per_second >= 1000:
        return f"{samples_per_second / 1000:.1f}k samples/s"
    if samples_per_second >= 10:
        return f"{samples_per_second:.0f} samples/s"
    # a big model on a CPU trains at less than one sample a second: two significant digits ("0.43 samples/s")
    return f"{samples_per_second:.2g} samples/s" if samples_per_second > 0 else "0 samples/s"




PREVIEW_EPOCHS = 10**9  # more epochs than this (a file may say 1e300) draw no preview


def schedule_preview(settings: Mapping[str, Any], points: int = 200):
    """``(epochs, learning rates)`` of the settings' schedule as numpy arrays, or None when the settings
    cannot make one (no torch: the window draws it before torch is loaded). Each setting is read by
    ``training_value``: a schedule, step or factor the design cannot use draws the default's."""
    import numpy as np

    from netbuilder.choices import schedule_factor

    epochs = training_value(settings, "epochs", 1, PREVIEW_EPOCHS)
    lr = training_value(settings, "lr", 0.0)
    if epochs is None or lr is None or not lr > 0:
        return None
    plan = {"epochs": epochs, "schedule": training_value(settings, "schedule"),
            "step_size": training_value(settings, "step_size", 0), "gamma": training_value(settings, "gamma", 0.0, 1.0)}
    plan = {k: DEFAULTS[k] if v is None else v for k, v in plan.items()}
    xs = np.linspace(0, epochs, points)
    return xs, np.array([lr * schedule_factor(plan, x) for x in xs])
