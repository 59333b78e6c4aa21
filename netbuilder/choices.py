"""Every training setting's choices and default, defined once (torch-free, numpy-free).

The design file's ``training`` section, ``TrainConfig``'s validation, the window's training panel and
the CLI's ``train`` options all read them from here. The defaults are chosen so the examples train
well in both the window and the CLI (the 2-D playground sets and the built-in digits).

Imports the standard library only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
LOSSES = ("cross_entropy", "bce", "mse")
BATCH_MODES = ("full", "stochastic", "minibatch")
SCHEDULES = ("none", "step", "cosine", "onecycle")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("off", "auto", "bf16", "fp16")

CHOICES: dict[str, tuple[str, ...]] = {
    "optimizer": OPTIMIZERS, "loss": LOSSES, "batch_mode": BATCH_MODES, "schedule": SCHEDULES,
    "device": DEVICES, "mixed_precision": PRECISIONS,
}

# How a setting's values and the settings themselves are named to a student (the training panel's choices
# and labels, the lessons' checks): "SGD", "full batch"; "Batch mode".
VALUE_LABELS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
                "cross_entropy": "cross-entropy", "bce": "binary cross-entropy", "mse": "mean squared error",
                "full": "full batch", "stochastic": "stochastic (1 sample)", "minibatch": "mini-batch",
                "none": "constant", "step": "step decay", "cosine": "cosine", "onecycle": "one-cycle",
                "auto": "automatic", "cpu": "CPU", "cuda": "CUDA GPU", "mps": "Apple GPU"}
SETTING_LABELS = {"optimizer": "Optimiser", "lr": "Learning rate", "schedule": "Schedule", "momentum": "Momentum",
                  "batch_mode": "Batch mode", "batch_size": "Batch size", "epochs": "Epochs", "loss": "Loss",
                  "weight_decay": "Weight decay", "device": "Device", "train_fraction": "Share of the training set",
                  "early_stopping_patience": "Early stopping patience", "frozen": "Locked layers",
                  "augmentation": "Augmentation", "seed": "Seed"}

AUGMENTATION_DEFAULTS: dict[str, Any] = {"flip": False, "shift": 0, "rotation": 0.0, "noise": 0.0}

DEFAULTS: dict[str, Any] = {
    "optimizer": "adam", "lr": 0.01, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0,
    "loss": "cross_entropy", "batch_mode": "minibatch", "batch_size": 16, "epochs": 20, "schedule": "none",
    "step_size": 0, "gamma": 0.1, "early_stopping_patience": 0, "seed": 0, "device": "auto",
    "mixed_precision": "off", "augmentation": AUGMENTATION_DEFAULTS,
    "train_fraction": 1.0, "eval_batch_size": 1024, "log_every": 0, "checkpoint_every": 0, "frozen": [],
}

# settings a paused run accepts (netbuilder.training.control applies them between steps)
LIVE = ("lr", "batch_size", "momentum", "nesterov", "weight_decay", "optimizer")

SEED_MAX = 2**32 - 1


def defaults() -> dict[str, Any]:
    """A fresh deep copy of DEFAULTS."""
    return copy.deepcopy(DEFAULTS)


def training_value(training: Any, key: str, low: float | None = None, high: float | None = None) -> Any:
    """The design's training setting ``key`` (``"augmentation.shift"`` for one augmentation) as a window can
    show it. A design file's ``training`` is free-form, so every reader of it in the window comes here.

    The default (DEFAULTS) when the design does not set it; None when it sets a value that cannot be shown:
    the wrong type (text or ``null`` for a number, a number for a choice), a number that is not finite or
    lies outside ``[low, high]``, a choice not among CHOICES, an augmentation that is not an object. The
    caller shows the default for None and may mark the field; ``TrainConfig`` refuses the same value, by
    name, when a run starts. A whole-number setting takes 3.0 as 3; a number setting gives a float."""
    import math

    head, _, sub = key.partition(".")
    if head not in DEFAULTS or (sub and (head != "augmentation" or sub not in AUGMENTATION_DEFAULTS)):
        raise KeyError(f"no training setting {key!r}")
    stored = training if isinstance(training, Mapping) else {}
    if head not in stored:
        return copy.deepcopy(AUGMENTATION_DEFAULTS[sub] if sub else DEFAULTS[head])
    value = stored[head]
    if sub:
        if not isinstance(value, Mapping):
            return None
        if sub not in value:
            return AUGMENTATION_DEFAULTS[sub]
        value = value[sub]
    default = AUGMENTATION_DEFAULTS[sub] if sub else DEFAULTS[head]
    if isinstance(default, bool):
        return value if isinstance(value, bool) else None
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(default, int):
            if value != int(value):
                return None
            value = int(value)
        elif abs(value) > 1e308:  # (a whole number too large for a float)
            return None
        else:
            value = float(value)
        if (low is not None and value < low) or (high is not None and value > high):
            return None
        return value
    if head in CHOICES:
        return value if isinstance(value, str) and value in CHOICES[head] else None
    if isinstance(default, list):
        return list(value) if isinstance(value, list | tuple) else None
    if isinstance(default, dict):
        return {k: copy.deepcopy(v) for k, v in value.items()} if isinstance(value, Mapping) else None
    return value


def frozen_ids(training: Any) -> list[str]:
    """The node ids a design's ``training["frozen"]`` names (what is not a list, and entries that are not
    text, name nothing: ``check`` and Train say why)."""
    stored = training_value(training, "frozen")
    return [n for n in stored if isinstance(n, str)] if stored else []


def merged_settings(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with the known keys of a design's ``training`` dict."""
    out = defaults()
    for key, value in (stored if isinstance(stored, Mapping) else {}).items():
        if key == "augmentation" and isinstance(value, Mapping):
            out["augmentation"].update({k: v for k, v in value.items() if k in out["augmentation"]})
        elif key in out:
            out[key] = copy.deepcopy(value)
    return out


def schedule_factor(settings: Mapping[str, Any], epoch_progress: float) -> float:
    """The learning-rate schedule's multiplier of the base rate at ``epoch_progress`` (epochs done,
    fractional), from the settings ``schedule``, ``epochs``, ``step_size`` and ``gamma`` (the engine and the
    window's preview both use it)."""
    import math

    epochs = max(1, int(settings.get("epochs", 1)))
    schedule = settings.get("schedule", "none")
    t = min(1.0, epoch_progress / epochs)
    if schedule == "step":
        step = settings.get("step_size") or max(1, epochs // 3)
        return float(settings.get("gamma", 0.1)) ** int(epoch_progress // step)
    if schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * t))
    if schedule == "onecycle":  # as torch's OneCycleLR: warm up 30 %, then anneal (cosine)
        pct, start, end = 0.3, 1 / 25, 1 / 25 / 1e4
        if t < pct:
            return start + (1 - start) * 0.5 * (1 - math.cos(math.pi * t / pct))
        return end + (1 - end) * 0.5 * (1 + math.cos(math.pi * (t - pct) / (1 - pct)))
    return 1.0
