"""Weights on disk: safetensors to write; safetensors or weights-only torch files to read.

A file that would run code when loaded (a pickled module or arbitrary object) is refused. A safetensors
file carries its preprocessing (``compiler.preprocess``: the normalisation the weights were trained
with), JSON-encoded under the metadata key ``preprocessing``; ``read_weights_metadata`` gives it back.
Imports torch, safetensors and the compiler's preprocessing checks; never Qt.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from netbuilder.compiler.preprocess import PreprocessingError, check_preprocessing
from netbuilder.errors import NetbuilderError

SAFE_SUFFIX = ".safetensors"
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")
PREPROCESSING_KEY = "preprocessing"


class WeightsError(NetbuilderError):
    """A weights file that cannot be written, read or trusted."""


def _plain_state(module_or_state: torch.nn.Module | dict) -> dict[str, torch.Tensor]:
    state = module_or_state.state_dict() if isinstance(module_or_state, torch.nn.Module) else module_or_state
    out: dict[str, torch.Tensor] = {}
    seen: set[tuple[int, int]] = set()
    for name, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise WeightsError(f"weights entry {name!r} is not a tensor ({type(value).__name__})")
        t = value.detach().to("cpu").contiguous()
        key = (t.untyped_storage().data_ptr(), t.storage_offset())
        if key in seen or t.untyped_storage().nbytes() != t.numel() * t.element_size():
            t = t.clone()  # safetensors refuses shared or partial storage
        seen.add((t.untyped_storage().data_ptr(), t.storage_offset()))
        out[name.removeprefix("module.")] = t
    return out


def save_weights(module_or_state: torch.nn.Module | dict, path: str | os.PathLike,
                 metadata: Mapping[str, str] | None = None,
                 preprocessing: Mapping[str, Any] | None = None) -> Path:
    """Write a module's (or a state dict's) tensors as safetensors, atomically (through a symbolic link;
    never onto a folder, FIFO or device). ``metadata``: text entries kept in the file; ``preprocessing``:
    the normalisation the weights were trained with, stored JSON-encoded."""
    from safetensors.torch import save_file

    from netbuilder.io.atomic import atomic_target

    path = Path(path)
    if path.suffix != SAFE_SUFFIX:
        raise WeightsError(f"{path}: weights are saved as safetensors; use a name ending in {SAFE_SUFFIX}")
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    if preprocessing is not None:
        try:
            meta[PREPROCESSING_KEY] = json.dumps(check_preprocessing(preprocessing))
        except PreprocessingError as e:
            raise WeightsError(f"{path}: {e}") from e
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_target(path) as tmp:
            save_file(_plain_state(module_or_state), str(tmp), metadata=meta or None)
    except OSError as e:
        raise WeightsError(f"{path}: cannot write weights ({e.strerror or e})") from e
    return path


def read_weights_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """What a weights file says about itself: ``{"preprocessing": dict or None, ...}`` plus any other text
    entries of a safetensors file's metadata (a torch file has none). Reads the header only."""
    path = Path(path)
    out: dict[str, Any] = {PREPROCESSING_KEY: None}
    if path.suffix != SAFE_SUFFIX:
        if not path.is_file():
            raise WeightsError(f"{path}: no such weights file")
        return out
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            meta = dict(f.metadata() or {})
    except (SafetensorError, OSError) as e:
        raise WeightsError(f"{path}: not a readable safetensors file ({e})") from e
    out.update({k: v for k, v in meta.items() if k != PREPROCESSING_KEY})
    text = meta.get(PREPROCESSING_KEY)
    if text and text != "null":
        try:
            out[PREPROCESSING_KEY] = check_preprocessing(json.loads(text))
        except (ValueError, PreprocessingError) as e:
            raise WeightsError(f"{path}: its preprocessing record is damaged ({e})") from e
    return out


def load_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """A state dict from ``.safetensors``, or from a torch file holding only tensors (``weights_only``)."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: no such weights file")
    if path.suffix == SAFE_SUFFIX:
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except (SafetensorError, OSError) as e:
            raise WeightsError(f"{path}: not a readable safetensors file ({e})") from e
    if path.suffix in TORCH_SUFFIXES:
        try:
            data = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            raise WeightsError(
                f"{path}: refused, loading it would run code stored in the file (only plain tensors are "
                "accepted); save the weights as a state dict or as safetensors") from e
        except (RuntimeError, OSError, EOFError) as e:
            raise WeightsError(f"{path}: not a readable torch weights file ({e})") from e
        if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
            data = data["state_dict"]
        if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
            raise WeightsError(f"{path}: holds no state dict of tensors")
        return {k.removeprefix("module."): v for k, v in data.items()}
    raise WeightsError(f"{path}: unknown weights format; use {SAFE_SUFFIX} (or .pt/.pth holding tensors only)")
