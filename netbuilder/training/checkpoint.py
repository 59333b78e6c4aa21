"""Checkpoints: model weights and the optimiser, scaler and random-generator state in ONE file, written
atomically (a uniquely named temporary file in the same folder, then ``os.replace``), so a run continues
exactly where it stopped and a crash mid-write never leaves weights from one epoch beside state from
another. Read back with ``torch.load(weights_only=True)``: a file that would run code is refused.

Imports torch, this package's weights module and the atomic write of ``netbuilder.io``; never Qt.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import torch

from netbuilder.training.weights import WeightsError, _plain_state, load_weights

CHECKPOINT_FILE = "checkpoint.pt"
FORMAT = "netbuilder-checkpoint"
# the two-file layout of earlier versions, still read
MODEL_FILE = "model.safetensors"
STATE_FILE = "training_state.pt"


def checkpoint_path(folder: str | os.PathLike) -> Path:
    return Path(folder) / CHECKPOINT_FILE


def has_checkpoint(folder: str | os.PathLike) -> bool:
    folder = Path(folder)
    return (folder / CHECKPOINT_FILE).is_file() or (folder / STATE_FILE).is_file()


def save_checkpoint(folder: str | os.PathLike, model: torch.nn.Module, state: dict[str, Any]) -> Path:
    """Write ``model``'s weights and ``state`` (optimiser state dict, generator states as uint8 tensors,
    epoch and numbers) together to ``folder/checkpoint.pt``; returns the file. A failed write (a full disk)
    is a WeightsError naming the file; the previous checkpoint stays whole."""
    from netbuilder.io.atomic import atomic_write_bytes, write_problem

    folder = Path(folder)
    target = folder / CHECKPOINT_FILE
    # serialised in memory first: torch's archive writer, writing to a full disk, fails inside its destructor
    # (an enforce failure, or the process aborted), never with the OSError it is
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "weights": _plain_state(model), "state": state}, buffer)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, buffer.getvalue())
    except OSError as e:
        raise WeightsError(f"{target}: cannot write the checkpoint: {write_problem(e)}") from e
    return target


def load_checkpoint(folder: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(weights, state) from ``folder/checkpoint.pt`` (or the older model.safetensors + training_state.pt)."""
    folder = Path(folder)
    path = folder / CHECKPOINT_FILE
    if not path.is_file():
        return _load_two_files(folder)
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # an UnpicklingError means the file holds code: refuse it
        raise WeightsError(f"{path}: refused or unreadable checkpoint ({e})") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a netbuilder checkpoint")
    return data["weights"], data["state"]


def _load_two_files(folder: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    if not (folder / STATE_FILE).is_file():
        raise WeightsError(f"{folder}: no checkpoint there ({CHECKPOINT_FILE} is missing)")
    weights = load_weights(folder / MODEL_FILE)
    try:
        state = torch.load(folder / STATE_FILE, map_location="cpu", weights_only=True)
    except Exception as e:
        raise WeightsError(f"{folder / STATE_FILE}: refused or unreadable checkpoint state ({e})") from e
    return weights, state
