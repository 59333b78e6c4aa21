"""Checkpoints: model weights (safetensors) plus optimiser, scaler and random-generator state
(torch.save, read back with ``weights_only=True``), so a run continues exactly where it stopped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from netbuilder.training.weights import WeightsError, load_weights, save_weights

MODEL_FILE = "model.safetensors"
STATE_FILE = "training_state.pt"


def save_checkpoint(folder: str | os.PathLike, model: torch.nn.Module, state: dict[str, Any]) -> Path:
    """``state`` holds the optimiser state dict, generator states (uint8 tensors), epoch and numbers."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_weights(model, folder / MODEL_FILE)
    tmp = folder / (STATE_FILE + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, folder / STATE_FILE)
    return folder


def load_checkpoint(folder: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    folder = Path(folder)
    weights = load_weights(folder / MODEL_FILE)
    try:
        state = torch.load(folder / STATE_FILE, map_location="cpu", weights_only=True)
    except FileNotFoundError as e:
        raise WeightsError(f"{folder}: not a checkpoint folder ({STATE_FILE} is missing)") from e
    except Exception as e:  # an UnpicklingError means the file holds code: refuse it
        raise WeightsError(f"{folder / STATE_FILE}: refused or unreadable checkpoint state ({e})") from e
    return weights, state
