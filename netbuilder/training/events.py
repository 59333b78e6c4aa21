"""The events ``train()`` yields: plain values only (Python numbers, strings, numpy arrays).

Each has a ``kind`` and ``to_dict()``; they are safe to hand to another thread. No torch here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Event:
    kind: str = field(init=False, default="event")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Started(Event):
    device: str
    device_name: str
    parameters: int
    train_size: int
    val_size: int
    test_size: int
    epochs: int
    batch_size: int
    steps_per_epoch: int
    world_size: int
    mixed_precision: str  # "off", "bf16" or "fp16"
    start_epoch: int = 0
    kind: str = field(init=False, default="started")


@dataclass
class Step(Event):
    epoch: int  # 0-based
    step: int  # steps done in all
    progress: float  # 0..1 of the whole run
    loss: float  # mean over the steps since the last Step event
    accuracy: float
    lr: float
    samples_per_second: float
    kind: str = field(init=False, default="step")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.__dict__}  # plain numbers only: a shallow copy (asdict's walk costs 40 µs a step)


@dataclass
class Epoch(Event):
    epoch: int  # 0-based
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    lr: float
    seconds: float
    complete: bool = True  # False for an epoch cut short by a stop (its metrics cover the batches done)
    kind: str = field(init=False, default="epoch")


@dataclass
class StateChanged(Event):
    state: str  # "paused" | "resumed"
    epoch: int
    step: int
    applied: dict = field(default_factory=dict)  # settings changed while paused, applied on resume
    kind: str = field(init=False, default="state")


@dataclass
class Notice(Event):
    """One line worth telling the student about how the run trains (the GPU's fast path, or why it fell
    back to training step by step); the run goes on."""

    message: str
    epoch: int
    step: int
    fast_path: bool = False  # True: each step is a replayed CUDA graph from now on
    kind: str = field(init=False, default="notice")


@dataclass
class Response(Event):
    request_id: int
    what: str
    target: str | None
    data: Any  # numpy arrays (or a dict of them), or None on error
    error: str | None = None
    kind: str = field(init=False, default="response")


@dataclass
class Predictions(Event):
    """The class probabilities of (the first ``Control.keep_predictions`` samples of) the validation set,
    from the evaluation each epoch makes anyway: yielded after an ``Epoch`` only when asked, so a live
    confusion matrix costs no second pass over the data."""

    epoch: int  # 0-based
    split: str  # "val"
    probs: Any  # numpy float32 (samples x classes); a 1-logit output reads as [1 - p, p]
    labels: Any  # numpy int64
    kind: str = field(init=False, default="predictions")


@dataclass
class CheckpointSaved(Event):
    path: str
    epoch: int
    kind: str = field(init=False, default="checkpoint")


@dataclass
class Fault(Event):
    fault: str  # "nan" | "oom" | "data" | "error"
    message: str
    advice: str
    epoch: int
    step: int
    kind: str = field(init=False, default="fault")


@dataclass
class Finished(Event):
    reason: str  # "completed" | "stopped" | "early_stopping"
    epochs: int  # epochs completed
    seconds: float
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    test_loss: float
    test_accuracy: float
    confusion: Any  # numpy int64 (classes x classes): rows true class, columns predicted
    class_names: list[str]
    device: str
    best_epoch: int
    steps: int = 0  # optimiser steps this run took (0: stopped before its first batch, nothing trained)
    kind: str = field(init=False, default="finished")
