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
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from netbuilder.compiler.preprocess import PreprocessingError, check_preprocessing, normalize_kwargs
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
    the normalisation the weights were trained with, stored JSON-encoded. A failed write (a full disk) is a
    WeightsError naming the file; the old file stays whole."""
    from safetensors.torch import save

    from netbuilder.io.atomic import atomic_write_bytes, write_problem

    path = Path(path)
    if path.suffix.lower() != SAFE_SUFFIX:
        raise WeightsError(f"{path}: weights are saved as safetensors; use a name ending in {SAFE_SUFFIX}")
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    if preprocessing is not None:
        try:
            meta[PREPROCESSING_KEY] = json.dumps(check_preprocessing(preprocessing))
        except PreprocessingError as e:
            raise WeightsError(f"{path}: {e}") from e
    # serialised in memory, then written by the project's atomic write: safetensors' own file writer
    # reports a full disk as a SafetensorError, not as the OSError it is
    data = save(_plain_state(module_or_state), metadata=meta or None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
    except OSError as e:
        raise WeightsError(f"{path}: cannot write the weights: {write_problem(e)}") from e
    return path


def read_weights_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """What a weights file says about itself: ``{"preprocessing": dict or None, ...}`` plus any other text
    entries of a safetensors file's metadata (a torch file has none). Reads the header only."""
    path = Path(path)
    out: dict[str, Any] = {PREPROCESSING_KEY: None}
    if not _reads_as_safetensors(_existing_file_suffix(path), _head(path)):
        return out  # a torch file says nothing about itself
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
    """A state dict from ``.safetensors``, or from a torch file holding only tensors (``weights_only``):
    a bare state dict, or a checkpoint that keeps one under a key (``model_state_dict``, ``state_dict``,
    ``model``, ``weights``, ``net``; netbuilder's own training checkpoint too). Suffixes are compared
    without regard to case, and a file is read by what its first bytes say it is (a PyTorch file named
    ``.safetensors`` loads as the PyTorch file it is)."""
    path = Path(path)
    suffix = _existing_file_suffix(path)
    if suffix not in (SAFE_SUFFIX, *TORCH_SUFFIXES):
        raise WeightsError(
            f"{path}: unknown weights format; use {SAFE_SUFFIX} (or .pt/.pth holding tensors only)")
    head = _head(path)
    if _reads_as_safetensors(suffix, head):
        return _load_safetensors(path)
    return _load_torch(path, head)


def _existing_file_suffix(path: Path) -> str:
    """``path``'s suffix in lower case, once it is known to be a file (a folder or nothing is named)."""
    if path.is_dir():
        raise WeightsError(f"{path}: is a folder, not a weights file; pick the weights file inside it")
    if not path.is_file():
        raise WeightsError(f"{path}: no such weights file")
    return path.suffix.lower()


def _head(path: Path, size: int = 64) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError as e:
        raise WeightsError(f"{path}: cannot read the weights file ({e.strerror or e})") from e


_ZIP_MAGIC = b"PK\x03\x04"
_OLD_PICKLE = re.compile(rb"\(?c[\w.]+\n[\w.]+\n")  # a protocol 0/1 pickle opening with a global


def _looks_torch(head: bytes) -> bool:
    """A zip archive (torch.save since 1.6) or a pickle (the legacy format, or a pickle of anything)."""
    return (head.startswith(_ZIP_MAGIC) or (head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04",
            b"\x05")) or _OLD_PICKLE.match(head) is not None)


def _reads_as_safetensors(suffix: str, head: bytes) -> bool:
    """Safetensors by its first bytes, or by its name unless its bytes say PyTorch (a safetensors header
    length can begin like a pickle, so the safetensors test comes first)."""
    return _looks_safetensors(head) or (suffix == SAFE_SUFFIX and not _looks_torch(head))


def _looks_safetensors(head: bytes) -> bool:
    """Eight bytes of header length (little-endian), then the JSON header."""
    return len(head) > 9 and head[8:9] == b"{" and 0 < int.from_bytes(head[:8], "little") < 1 << 40


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError) as e:
        raise WeightsError(f"{path}: not a readable safetensors file ({e})") from e


# what torch's weights_only unpickler says when the file asks for something beyond tensors and containers
_RUNS_CODE = ("Unsupported global", "is blocked", "unrecognized function", "Can only create new object",
              "Can only build")


def _load_torch(path: Path, head: bytes) -> dict[str, torch.Tensor]:
    try:  # through an open file: torch.load hands a path ending in .safetensors to safetensors
        with open(path, "rb") as f:
            data = torch.load(f, map_location="cpu", weights_only=True)
    except Exception as e:  # garbage makes the unpickler raise almost anything
        if isinstance(e, pickle.UnpicklingError) and _looks_torch(head) and any(m in str(e) for m in _RUNS_CODE):
            raise WeightsError(
                f"{path}: refused, loading it would run code stored in the file (only plain tensors are "
                "accepted); save the weights as a state dict or as safetensors") from e
        raise WeightsError(f"{path}: not a readable PyTorch weights file ({_why_unreadable(head)})") from e
    state = _state_dict_in(path, data)
    return {k.removeprefix("module."): v for k, v in state.items()}


def _why_unreadable(head: bytes) -> str:
    if not head:
        return "it is empty"
    if _looks_torch(head):
        return "it may be cut short or damaged; save or copy it again"
    text = head.decode("utf-8", errors="replace").rstrip("\ufffd")  # the 64 bytes may end mid-character
    if text and all(c.isprintable() or c.isspace() for c in text):
        return "it holds text, not saved tensors"
    return "it was not written by torch.save"


NETBUILDER_CHECKPOINT = "netbuilder-checkpoint"  # training/checkpoint.py's FORMAT: tensors under "weights"
# where checkpoints commonly keep the model's state dict, most telling first
_STATE_KEYS = ("model_state_dict", "state_dict", "model", "weights", "net")


def _is_state_dict(value: Any) -> bool:
    return (isinstance(value, dict) and bool(value) and all(isinstance(k, str) for k in value)
            and all(isinstance(v, torch.Tensor) for v in value.values()))


def _state_dict_in(path: Path, data: Any) -> dict[str, torch.Tensor]:
    """The state dict a loaded torch file holds: itself, or the one (or the best-named) entry that is."""
    if not isinstance(data, dict):
        raise WeightsError(f"{path}: holds no state dict of tensors (it holds a {type(data).__name__})")
    if not data or _is_state_dict(data):
        return data
    if data.get("format") == NETBUILDER_CHECKPOINT and _is_state_dict(data.get("weights")):
        return data["weights"]
    found = [k for k, v in data.items() if _is_state_dict(v)]
    if len(found) == 1:
        return data[found[0]]
    for key in _STATE_KEYS:
        if key in found:
            return data[key]
    names = ", ".join(repr(k) for k in list(data)[:12]) + (", …" if len(data) > 12 else "")
    if found:
        raise WeightsError(
            f"{path}: holds several sets of tensors ({names}) and none under a model's usual name "
            f"({', '.join(_STATE_KEYS)}); save the model's state_dict on its own")
    raise WeightsError(f"{path}: holds no state dict of tensors (its entries: {names})")


def seen_by(data, preprocessing: Mapping[str, Any] | None):
    """``data`` (a DatasetBundle) as weights trained with ``preprocessing`` see it: normalised with the mean and
    std they learnt with (ImageNet's for torchvision weights, a teacher's image folder's for a design trained
    there), so the window's views, a run that continues training them, ``evaluate`` and ``predict`` all feed
    the model alike (ARCHITECTURE rule 11). ``data`` itself when there is no record, when it is this data's
    own normalisation, or when it does not fit the data (another kind, another number of channels)."""
    if not preprocessing:
        return data
    try:
        prep = check_preprocessing(preprocessing)
        if prep["kind"] != data.kind:
            return data
        numbers = normalize_kwargs(prep, data.input_shape)
    except PreprocessingError:
        return data
    size = int(torch.Size(data.stats_shape()).numel())
    mean, std = (torch.tensor(numbers[k], dtype=torch.float32) for k in ("mean", "std"))
    if mean.numel() != size:  # (one value for every channel, as a record may keep it)
        mean, std = mean.expand(size).clone(), std.expand(size).clone()
    shape = data.stats_shape()
    if torch.equal(mean.reshape(shape), data.mean.reshape(shape).to(torch.float32)) and torch.equal(
            std.reshape(shape), data.std.reshape(shape).to(torch.float32)):
        return data
    return data.with_stats(mean, std)


def seen_text(data, seen, source: str) -> str | None:
    """One line saying that ``seen`` (``seen_by``) normalises ``data`` as the weights of ``source`` were
    trained, not with its own statistics (None when it is the data's own): the CLI and the window say so."""
    if seen is data:
        return None

    def numbers(t) -> str:
        values = [round(float(v), 3) for v in t.flatten().tolist()]
        return ", ".join(map(str, values[:4])) + (", …" if len(values) > 4 else "")
    return (f"normalising {data.name} as {source} was trained (mean {numbers(seen.mean)}, std {numbers(seen.std)}), "
            "not with its own statistics")
