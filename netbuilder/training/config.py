"""TrainConfig: every training setting, validated, and its plain-dict form (a design file's "training").

Imports the data layer's Augmentation only (no torch at import time beyond that module).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netbuilder.choices import (  # noqa: F401  (re-exported: the choices are defined once, there)
    BATCH_MODES,
    CHOICES,
    DEFAULTS,
    DEVICES,
    LOSSES,
    OPTIMIZERS,
    PRECISIONS,
    SCHEDULES,
    SEED_MAX,
)
from netbuilder.data.augment import Augmentation
from netbuilder.errors import NetbuilderError


class ConfigError(NetbuilderError):
    """A training setting with a wrong name, type or value."""


@dataclass
class TrainConfig:
    optimizer: str = DEFAULTS["optimizer"]
    lr: float = DEFAULTS["lr"]
    momentum: float = DEFAULTS["momentum"]  # sgd and rmsprop
    nesterov: bool = DEFAULTS["nesterov"]  # sgd
    weight_decay: float = DEFAULTS["weight_decay"]
    loss: str = DEFAULTS["loss"]
    batch_mode: str = DEFAULTS["batch_mode"]
    batch_size: int = DEFAULTS["batch_size"]
    epochs: int = DEFAULTS["epochs"]
    schedule: str = DEFAULTS["schedule"]
    step_size: int = DEFAULTS["step_size"]  # epochs between decays of the step schedule; 0 = a third of the epochs
    gamma: float = DEFAULTS["gamma"]  # the step schedule's factor
    early_stopping_patience: int = DEFAULTS["early_stopping_patience"]  # epochs without a better validation loss; 0 = off
    seed: int = DEFAULTS["seed"]
    device: str = DEFAULTS["device"]
    mixed_precision: str = DEFAULTS["mixed_precision"]  # CUDA only: auto (bf16 where supported, else fp16), bf16, fp16
    augmentation: Augmentation = field(default_factory=Augmentation)
    train_fraction: float = DEFAULTS["train_fraction"]  # use only this part of the training set
    eval_batch_size: int = DEFAULTS["eval_batch_size"]
    log_every: int = DEFAULTS["log_every"]  # steps between step events; 0 = about 100 per epoch (every step on small sets;
    #                     at least 25 steps apart on a GPU, where reading metrics is a sync)
    checkpoint_every: int = DEFAULTS["checkpoint_every"]  # epochs between checkpoints (when a checkpoint folder is given); 0 = off
    frozen: list[str] = field(default_factory=list)  # node ids of layers whose parameters are not trained

    def __post_init__(self) -> None:
        if not isinstance(self.augmentation, Augmentation):
            self.augmentation = _augmentation_from_dict(self.augmentation)
        self.validate()

    def effective_batch_size(self, train_size: int) -> int:
        if self.batch_mode == "full":
            return max(1, train_size)
        if self.batch_mode == "stochastic":
            return 1
        return self.batch_size

    def validate(self) -> TrainConfig:
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(f"training setting {name}={getattr(self, name)!r} is not one of {', '.join(allowed)}")
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
                raise ConfigError(f"training setting {f.name}={value!r} must be a whole number")
            if f.type == "float" and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ConfigError(f"training setting {f.name}={value!r} must be a number")
            if f.type == "float" and not _finite(value):
                raise ConfigError(f"training setting {f.name}={value!r} must be a finite number")
            if f.type == "bool" and not isinstance(value, bool):
                raise ConfigError(f"training setting {f.name}={value!r} must be true or false")
        positive = {"lr": self.lr, "batch_size": self.batch_size, "epochs": self.epochs,
                    "eval_batch_size": self.eval_batch_size}
        for name, value in positive.items():
            if not value > 0:
                raise ConfigError(f"training setting {name}={value} must be greater than 0")
        ranges = {"momentum": (self.momentum, 0, 1), "weight_decay": (self.weight_decay, 0, 10),
                  "gamma": (self.gamma, 0, 1), "train_fraction": (self.train_fraction, 0, 1)}
        for name, (value, low, high) in ranges.items():
            if not low <= value <= high:
                raise ConfigError(f"training setting {name}={value} must be between {low} and {high}")
        if self.train_fraction == 0:
            raise ConfigError("training setting train_fraction=0 leaves nothing to train on; use up to 1")
        for name in ("step_size", "early_stopping_patience", "log_every", "checkpoint_every"):
            if getattr(self, name) < 0:
                raise ConfigError(f"training setting {name}={getattr(self, name)} cannot be negative")
        if self.nesterov and (self.optimizer != "sgd" or self.momentum == 0):
            raise ConfigError("Nesterov momentum needs optimizer 'sgd' and a momentum above 0")
        if not 0 <= self.seed <= SEED_MAX:
            raise ConfigError(f"training setting seed={self.seed} must be between 0 and {SEED_MAX} (2³²−1)")
        self._validate_frozen()
        _check_augmentation(self.augmentation)
        return self

    def _validate_frozen(self) -> None:
        frozen = self.frozen
        if isinstance(frozen, tuple):
            frozen = self.frozen = list(frozen)
        if not isinstance(frozen, list) or not all(isinstance(n, str) and n.isidentifier() for n in frozen):
            raise ConfigError(f"training setting frozen={frozen!r} must be a list of node ids (e.g. ['conv2d_1'])")
        seen = {n for n in frozen if frozen.count(n) > 1}
        if seen:
            raise ConfigError(f"training setting frozen names {', '.join(sorted(seen))} more than once; list each "
                              "frozen layer once")

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["augmentation"] = dataclasses.asdict(self.augmentation)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TrainConfig:
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown training setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        for name in ("lr", "momentum", "weight_decay", "gamma", "train_fraction"):
            if isinstance(data.get(name), int) and not isinstance(data.get(name), bool) and _finite(data[name]):
                data[name] = float(data[name])
        return cls(**data)

    def replace(self, **changes: Any) -> TrainConfig:
        merged = self.to_dict()
        merged.update(changes)
        return TrainConfig.from_dict(merged)


def _finite(value: int | float) -> bool:
    """A number a float holds, not infinite or NaN (a file's whole number may be too large for one)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


AUGMENTATION_LIKE = '{"flip": false, "shift": 0, "rotation": 0, "noise": 0}'


def _augmentation_from_dict(data: Any) -> Augmentation:
    """The augmentation of a settings dict; ConfigError names a value that is not one (the whole of it when it
    is not an object, as a file may say ``"augmentation": "yes"``)."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"training setting augmentation={data!r} must be an object like {AUGMENTATION_LIKE} "
                          "(flip true/false; shift in pixels; rotation in degrees; noise a standard deviation)")
    known = {f.name for f in dataclasses.fields(Augmentation)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown augmentation setting(s) {', '.join(map(str, unknown))}; known: "
                          f"{', '.join(sorted(known))}")
    aug = Augmentation(**data)
    _check_augmentation(aug)
    return aug


def _check_augmentation(aug: Augmentation) -> None:
    """Each augmentation setting of the right type, finite and not negative; the message names it and its value."""
    if not isinstance(aug.flip, bool):
        raise ConfigError(f"training setting augmentation.flip={aug.flip!r} must be true or false")
    if isinstance(aug.shift, bool) or not isinstance(aug.shift, int):
        raise ConfigError(f"training setting augmentation.shift={aug.shift!r} must be a whole number of pixels")
    for name in ("rotation", "noise"):
        value = getattr(aug, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            raise ConfigError(f"training setting augmentation.{name}={value!r} must be a finite number")
    for name in ("shift", "rotation", "noise"):
        if getattr(aug, name) < 0:
            raise ConfigError(f"training setting augmentation.{name}={getattr(aug, name)!r} cannot be negative")
