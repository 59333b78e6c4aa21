"""Data augmentation on whole batches, on the training device: flip, shift, rotation, noise.

Every op works on the batch tensor (N, C, H, W) with per-sample random values drawn in one call;
no per-sample Python loop. Shift and rotation are one affine ``grid_sample``. Imports torch only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Augmentation:
    """Settings: horizontal flip (bool), shift (max pixels), rotation (max degrees), noise (std, in
    normalised units). All off by default."""

    flip: bool = False
    shift: int = 0
    rotation: float = 0.0
    noise: float = 0.0

    @property
    def active(self) -> bool:
        return bool(self.flip or self.shift or self.rotation or self.noise)


def random_flip(x: torch.Tensor, generator: torch.Generator | None = None, p: float = 0.5) -> torch.Tensor:
    mask = torch.rand(x.shape[0], device=x.device, generator=generator) < p
    return torch.where(mask.view(-1, *([1] * (x.dim() - 1))), x.flip(-1), x)


def random_affine(x: torch.Tensor, shift: float, rotation: float,
                  generator: torch.Generator | None = None, fill: torch.Tensor | None = None) -> torch.Tensor:
    """Shift by up to ``shift`` pixels and rotate by up to ``rotation`` degrees, per sample. Empty borders
    take ``fill`` (per channel, broadcast as ``(1, C, 1, 1)``): the normalised value of a black pixel,
    as torchvision's RandomAffine fills with 0; zeros (the mean grey) when None."""
    n, _, h, w = x.shape
    rnd = torch.rand(n, 3, device=x.device, generator=generator) * 2 - 1
    angle = rnd[:, 0] * math.radians(rotation)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(n, 2, 3, device=x.device, dtype=x.dtype)
    theta[:, 0, 0], theta[:, 0, 1], theta[:, 1, 0], theta[:, 1, 1] = cos, -sin * h / w, sin * w / h, cos
    theta[:, 0, 2] = rnd[:, 1] * shift * 2 / w
    theta[:, 1, 2] = rnd[:, 2] * shift * 2 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    if fill is None:
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    fill = fill.to(x.device, x.dtype).reshape(1, -1, 1, 1)
    return F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill


def black_fill(mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """A black pixel (raw 0) in normalised units, per channel: what shifted or rotated borders show."""
    return (-mean.to(torch.float32) / std.to(torch.float32)).reshape(-1)


def add_noise(x: torch.Tensor, std: float, generator: torch.Generator | None = None) -> torch.Tensor:
    return x + torch.randn(x.shape, device=x.device, dtype=x.dtype, generator=generator) * std


def augment_batch(x: torch.Tensor, settings: Augmentation, generator: torch.Generator | None = None,
                  fill: torch.Tensor | None = None) -> torch.Tensor:
    """Apply the active augmentations to a normalised float batch. Images get all four (borders left
    empty by a shift or rotation take ``fill``: see ``black_fill``); tables and points get only noise."""
    if x.dim() == 4:
        if settings.flip:
            x = random_flip(x, generator)
        if settings.shift or settings.rotation:
            x = random_affine(x, float(settings.shift), float(settings.rotation), generator, fill)
    if settings.noise:
        x = add_noise(x, float(settings.noise), generator)
    return x
