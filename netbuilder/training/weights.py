"""Weights on disk: safetensors to write; safetensors or weights-only torch files to read.

A file that would run code when loaded (a pickled module or arbitrary object) is refused.
Imports torch and safetensors; never Qt.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch

from netbuilder.errors import NetbuilderError

SAFE_SUFFIX = ".safetensors"
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")


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
                 metadata: dict[str, str] | None = None) -> Path:
    """Write a module's (or a state dict's) tensors as safetensors, atomically."""
    from safetensors.torch import save_file

    path = Path(path)
    if path.suffix != SAFE_SUFFIX:
        raise WeightsError(f"{path}: weights are saved as safetensors; use a name ending in {SAFE_SUFFIX}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        save_file(_plain_state(module_or_state), str(tmp), metadata=metadata)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise WeightsError(f"{path}: cannot write weights ({e.strerror or e})") from e
    return path


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
