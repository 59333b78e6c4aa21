"""Built-in datasets that need no network: TensorFlow Playground's four 2-D sets, a synthetic shapes
image set, and the UCI handwritten digits shipped in resources/datasets (CC BY 4.0).

Generation is vectorised numpy, seeded, and fast. Imports numpy/torch; never Qt or the engine.
"""

from __future__ import annotations

import gzip
import math

import numpy as np
import torch

from netbuilder.data.bundle import DatasetBundle, DatasetError, make_bundle
from netbuilder.paths import resource

PLAYGROUND = ("circle", "xor", "gaussian", "spiral")
SHAPE_CLASSES = ("circle", "square", "triangle", "cross", "ring", "diamond")


def _check(name: str, value: float, low: float, high: float) -> float:
    if not low <= float(value) <= high:
        raise DatasetError(f"option {name}={value} is out of range; use a value from {low} to {high}")
    return float(value)


def playground_points(kind: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 2) and labels in {0, 1} drawn the way TensorFlow Playground draws them."""
    rng = np.random.default_rng(seed)
    if kind == "circle":
        radius, half = 5.0, n // 2
        r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
        angle = rng.uniform(0, 2 * math.pi, n)
        pts = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
        jitter = rng.uniform(-radius, radius, (n, 2)) * noise
        labels = (np.hypot(*(pts + jitter).T) < radius * 0.5).astype(np.int64)
    elif kind == "xor":
        pts = rng.uniform(-5, 5, (n, 2))
        pts += np.where(pts > 0, 0.3, -0.3)
        jitter = rng.uniform(-5, 5, (n, 2)) * noise
        noisy = pts + jitter
        labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    elif kind == "gaussian":
        variance = 0.5 + (4.0 - 0.5) * (noise / 0.5)
        half = n // 2
        labels = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
        centres = np.where(labels[:, None] == 1, 2.0, -2.0)
        pts = centres + rng.normal(0, math.sqrt(variance), (n, 2))
    elif kind == "spiral":
        half = n // 2
        i = np.concatenate([np.arange(half), np.arange(n - half)]).astype(np.float64)
        labels = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
        count = np.where(labels == 1, half, n - half)
        r = i / count * 5
        t = 1.75 * i / count * 2 * math.pi + np.where(labels == 1, 0.0, math.pi)
        pts = np.stack([r * np.sin(t), r * np.cos(t)], 1) + rng.uniform(-1, 1, (n, 2)) * noise
    else:
        raise DatasetError(f"unknown playground set {kind!r}; choose one of {', '.join(PLAYGROUND)}")
    return pts.astype(np.float32), labels


def load_playground(kind: str, *, samples: int = 500, noise: float = 0.0, train_ratio: float = 0.5,
                    val_fraction: float = 0.1, seed: int = 0) -> DatasetBundle:
    """A playground set; ``train_ratio`` is Playground's "ratio of training to test data".

    ``seed`` draws the points; the split does not depend on it.
    """
    noise = _check("noise", noise, 0.0, 0.5)
    train_ratio = _check("train_ratio", train_ratio, 0.1, 0.9)
    n = int(_check("samples", samples, 20, 1_000_000))
    pts, labels = playground_points(kind, n, noise, seed)
    test_fraction = 1.0 - train_ratio
    val = min(val_fraction, max(0.0, train_ratio - 0.05))
    return make_bundle(kind, "points", torch.from_numpy(pts), torch.from_numpy(labels),
                       ["orange", "blue"], source="built-in", val_fraction=val, test_fraction=test_fraction,
                       info={"noise": noise, "train_ratio": train_ratio})


def shapes_arrays(n: int, size: int = 28, channels: int = 1, noise: float = 0.05, seed: int = 0,
                  classes: tuple[str, ...] = SHAPE_CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uint8 images (n, channels, size, size) of simple shapes and their labels, vectorised."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(classes)
    rng.shuffle(labels)
    r = rng.uniform(0.22, 0.4, n) * size  # half-extent of the shape
    cx = rng.uniform(r + 1, size - r - 1)
    cy = rng.uniform(r + 1, size - r - 1)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx = xx[None] - cx[:, None, None].astype(np.float32)
    dy = yy[None] - cy[:, None, None].astype(np.float32)
    rr = r[:, None, None].astype(np.float32)
    dist = np.hypot(dx, dy)
    thick = np.maximum(1.5, rr / 3)
    masks = {
        "circle": dist <= rr,
        "square": np.maximum(np.abs(dx), np.abs(dy)) <= rr * 0.85,
        "triangle": (dy >= -rr) & (dy <= rr) & (np.abs(dx) <= (dy + rr) * 0.55),
        "cross": ((np.abs(dx) <= thick / 2) & (np.abs(dy) <= rr)) | ((np.abs(dy) <= thick / 2) & (np.abs(dx) <= rr)),
        "ring": (dist <= rr) & (dist >= rr - thick),
        "diamond": np.abs(dx) + np.abs(dy) <= rr * 1.1,
    }
    unknown = set(classes) - set(masks)
    if unknown:
        raise DatasetError(f"unknown shape classes {sorted(unknown)}; choose from {', '.join(masks)}")
    mask = np.zeros((n, size, size), bool)
    for c, name in enumerate(classes):
        sel = labels == c
        mask[sel] = masks[name][sel]
    fg = rng.uniform(0.55, 1.0, (n, channels, 1, 1))
    bg = rng.uniform(0.0, 0.35, (n, channels, 1, 1))
    img = np.where(mask[:, None], fg, bg) + rng.normal(0, noise, (n, channels, size, size))
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8), labels.astype(np.int64)


def load_shapes(*, samples: int = 3000, size: int = 28, color: bool = False, noise: float = 0.05,
                val_fraction: float = 0.1, test_fraction: float = 0.15, seed: int = 0) -> DatasetBundle:
    n = int(_check("samples", samples, 12, 1_000_000))
    size = int(_check("size", size, 12, 256))
    x, y = shapes_arrays(n, size, 3 if color else 1, _check("noise", noise, 0.0, 1.0), seed)
    return make_bundle("shapes", "image", torch.from_numpy(x), torch.from_numpy(y), list(SHAPE_CLASSES),
                       source="built-in", scale=1 / 255, val_fraction=val_fraction,
                       test_fraction=test_fraction)


def load_digits(*, val_fraction: float = 0.15, test_fraction: float = 0.15) -> DatasetBundle:
    """The 1,797 UCI handwritten digits (8x8, values 0..16), Alpaydin & Kaynak, CC BY 4.0."""
    path = resource("datasets", "digits.csv.gz")
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    except (OSError, ValueError) as e:
        raise DatasetError(f"{path}: the bundled digits file cannot be read ({e}); reinstall netbuilder") from e
    x = torch.from_numpy(table[:, :64].astype(np.uint8).reshape(-1, 1, 8, 8))
    y = torch.from_numpy(table[:, 64])
    return make_bundle("digits", "image", x, y, [str(d) for d in range(10)], source="built-in",
                       scale=1 / 16, val_fraction=val_fraction, test_fraction=test_fraction)
