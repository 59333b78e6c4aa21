"""Small modules for the catalogue entries torch.nn lacks (merges, global pooling).

Each is self-contained (imports only torch) so the Python exporter can copy its source verbatim.
"""

import torch
from torch import nn


class Add(nn.Module):
    """Element-wise sum of all inputs (residual connections)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(nn.Module):
    """Element-wise product of all inputs, broadcasting (C,1,1) over (C,H,W) (squeeze-and-excitation)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Concat(nn.Module):
    """Join inputs along the channel (feature) dimension."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=1)


class GlobalAvgPool(nn.Module):
    """Average each channel over the whole image: (C, H, W) -> (C)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class Normalize(nn.Module):
    """The dataset's normalisation as the model's first step: (x - mean) / std.

    ``shape`` broadcasts mean and std over a batch ([-1, 1, 1] per image channel). They are buffers that
    the state dict leaves out (``persistent=False``): the numbers live in the model's source or
    preprocessing record, and weights files load the same with or without this step."""

    def __init__(self, mean: list[float], std: list[float], shape: list[int]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(shape), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(shape), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std
