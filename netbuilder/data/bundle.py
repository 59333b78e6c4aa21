"""DatasetBundle: what every dataset becomes (tensors or streamed sets, shape, classes, normalisation).

Owns the train/validation/test split, which depends on the dataset alone (a fixed seed, never the
training seed), and the normalisation statistics (computed on the training part only).
Imports torch and numpy; never Qt, never the training engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from netbuilder.errors import NetbuilderError

SPLIT_SEED = 0  # the split's seed: fixed, so training, evaluate and predict all see the same test set


class DatasetError(NetbuilderError):
    """A dataset that cannot be found, downloaded or read; the message names the file or row."""


@dataclass
class DatasetBundle:
    """Tensors (or streamed datasets) for training, with what the window and engine need to know.

    In-memory sets keep raw values (``uint8`` images or float tables) on the CPU; the engine moves them
    to the training device once and turns each batch into normalised floats with :meth:`normalize`.
    Streamed sets (image folders) carry ``train_set``/``val_set``/``test_set`` instead: torch
    ``Dataset`` objects giving raw ``(x, label)`` pairs, read by worker processes.
    """

    name: str
    kind: str  # "image" | "table" | "points"
    input_shape: tuple[int, ...]
    class_names: list[str]
    source: str  # "built-in" | "downloaded" | "folder" | "csv"
    x_train: torch.Tensor | None = None
    y_train: torch.Tensor | None = None
    x_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None
    x_test: torch.Tensor | None = None
    y_test: torch.Tensor | None = None
    mean: torch.Tensor = field(default_factory=lambda: torch.zeros(1))
    std: torch.Tensor = field(default_factory=lambda: torch.ones(1))
    scale: float = 1.0  # raw value * scale = value in [0, 1] (images) or as given (tables)
    samples: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    sample_labels: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int64))
    train_set: Any = None
    val_set: Any = None
    test_set: Any = None
    num_workers: int = 0
    info: dict = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def streamed(self) -> bool:
        return self.train_set is not None

    @property
    def is_image(self) -> bool:
        return len(self.input_shape) == 3

    def sizes(self) -> dict[str, int]:
        if self.streamed:
            return {k: len(s) for k, s in (("train", self.train_set), ("val", self.val_set), ("test", self.test_set))}
        return {k: 0 if y is None else int(y.shape[0])
                for k, y in (("train", self.y_train), ("val", self.y_val), ("test", self.y_test))}

    def stats_shape(self) -> tuple[int, ...]:
        return (self.input_shape[0], 1, 1) if self.is_image else tuple(self.input_shape)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        """Raw batch -> float32 normalised batch on the batch's device (one fused op per batch)."""
        mean = self.mean.to(x.device, torch.float32)
        std = self.std.to(x.device, torch.float32)
        return (x.to(torch.float32) * self.scale - mean) / std

    def with_stats(self, mean: torch.Tensor, std: torch.Tensor) -> DatasetBundle:
        """The same data (its tensors shared, not copied) normalised with ``mean`` and ``std`` instead (each
        of ``stats_shape()``): as trained weights that learnt another normalisation see it."""
        return replace(self, mean=mean.reshape(self.stats_shape()).to(torch.float32),
                       std=std.reshape(self.stats_shape()).to(torch.float32))

    def preprocessing(self) -> dict:
        """What a model needs to take this data's inputs, as plain JSON values.

        The contract: model input ``x = raw * scale`` (images in [0, 1]; table features as in the file),
        normalised as ``(x - mean) / std`` with ``mean``/``std`` per channel (images) or per feature.
        """
        return {"scale": float(self.scale), "mean": [float(v) for v in self.mean.flatten().tolist()],
                "std": [float(v) for v in self.std.flatten().tolist()], "kind": self.kind,
                "input_shape": [int(d) for d in self.input_shape], "class_names": [str(c) for c in self.class_names]}

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "input_shape": list(self.input_shape),
                "classes": list(self.class_names), "source": self.source, **self.sizes()}


def split_indices(n: int, val_fraction: float, test_fraction: float,
                  seed: int = SPLIT_SEED) -> tuple[torch.Tensor, ...]:
    """A seeded random split of ``range(n)`` into train, validation and test index tensors."""
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise DatasetError(f"validation ({val_fraction}) and test ({test_fraction}) fractions must be in "
                           "[0, 1) and leave something to train on")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed)))
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    return perm[n_val + n_test:], perm[:n_val], perm[n_val:n_val + n_test]


def channel_stats(x: torch.Tensor, scale: float, image: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel (images) or per-feature (tables) mean and std of ``x * scale``."""
    xs = x[:20000].to(torch.float64) * scale
    if image:
        dims = (0, 2, 3)
        mean, std = xs.mean(dim=dims), xs.std(dim=dims)
        mean, std = mean.view(-1, 1, 1), std.view(-1, 1, 1)
    else:
        mean, std = xs.mean(dim=0), xs.std(dim=0)
    std = torch.where(std > 1e-6, std, torch.ones_like(std))
    return mean.to(torch.float32), std.to(torch.float32)


def pick_samples(x: torch.Tensor, y: torch.Tensor, scale: float, count: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``count`` raw examples (values in [0, 1] for images), classes taken in turn, for previews."""
    labels = y.numpy()
    order: list[int] = []
    per_class = [np.flatnonzero(labels == c).tolist() for c in np.unique(labels)]
    while len(order) < count and any(per_class):
        for idx in per_class:
            if idx and len(order) < count:
                order.append(idx.pop(0))
    chosen = torch.as_tensor(order, dtype=torch.long)
    return (x[chosen].to(torch.float32) * scale).numpy(), labels[order].astype(np.int64)


def check_labels(where: str, y: torch.Tensor, num_classes: int) -> None:
    """Refuse labels outside ``0 .. num_classes - 1``, naming ``where`` and the first such item."""
    bad = torch.nonzero((y < 0) | (y >= num_classes)).flatten()
    if len(bad):
        i = int(bad[0])
        more = f", and {len(bad) - 1} more labels are too" if len(bad) > 1 else ""
        raise DatasetError(f"{where}: label {int(y[i])} (item {i}) is outside the {num_classes} classes, 0 to "
                           f"{num_classes - 1}{more}; the file is damaged or belongs to another dataset")


def make_bundle(name: str, kind: str, x: torch.Tensor, y: torch.Tensor, class_names: list[str], *,
                source: str, scale: float = 1.0, x_test: torch.Tensor | None = None,
                y_test: torch.Tensor | None = None, val_fraction: float = 0.1, test_fraction: float = 0.15,
                info: dict | None = None) -> DatasetBundle:
    """Split (with the fixed ``SPLIT_SEED``), compute normalisation on the training part, pick previews.

    When ``x_test`` is given (a set with an official test part) only validation is carved from ``x``.
    """
    y = y.to(torch.long)
    check_labels(name, y, len(class_names))
    if x_test is None:
        tr, va, te = split_indices(len(y), val_fraction, test_fraction)
        x_test, y_test = x[te], y[te]
    else:
        tr, va, _ = split_indices(len(y), val_fraction, 0.0)
        y_test = y_test.to(torch.long)
        check_labels(f"{name} (test part)", y_test, len(class_names))
    x_train, y_train, x_val, y_val = x[tr], y[tr], x[va], y[va]
    image = x.dim() == 4
    mean, std = channel_stats(x_train, scale, image)
    samples, sample_labels = pick_samples(x_train, y_train, scale)
    return DatasetBundle(name=name, kind=kind, input_shape=tuple(int(d) for d in x.shape[1:]),
                         class_names=list(class_names), source=source, x_train=x_train, y_train=y_train,
                         x_val=x_val, y_val=y_val, x_test=x_test, y_test=y_test, mean=mean, std=std,
                         scale=scale, samples=samples, sample_labels=sample_labels,
                         info={"warnings": [], **(info or {})})
