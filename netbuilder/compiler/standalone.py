"""Code that the Python export copies verbatim into its files, so that they need nothing but torch.

Everything here imports only the standard library and torch, and is tested as it stands.
"""

from __future__ import annotations

import json
import os
import struct

import torch


def read_safetensors(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The tensors of a ``.safetensors`` file, read with torch alone.

    The format: 8 bytes (little-endian) giving the size of a JSON header that names each tensor with its
    dtype, shape and byte range; then the raw little-endian data (as every common machine stores it)."""
    dtypes = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
              "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
              "BOOL": torch.bool}
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (too short)")
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size].decode("utf-8"))
    body = memoryview(data)[8 + size:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = dtypes[entry["dtype"]]
        start, end = entry["data_offsets"]
        raw = bytearray(body[start:end])
        flat = torch.frombuffer(raw, dtype=dtype).clone() if raw else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"])
    return tensors
