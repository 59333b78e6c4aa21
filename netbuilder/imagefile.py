"""Reading one image file as the network's input: the one decoder for image folders (``data.images``), the
window's "Image file" input (``ui.training.input_picker``) and ``predict``, so a file gives the same pixels
everywhere (Qt's grey conversion weighs the colours otherwise than Pillow's, and scales otherwise).

Imports Pillow and numpy only (never torch, never Qt), so the window may read files with it too.

A picture with transparency is laid on a ground that keeps what is drawn visible: white under dark
strokes, black under light ones (``ground``). Dropping the alpha channel made black ink on a transparent
ground, whose hidden colour is black too, an all-black picture; laying every picture on white made white
ink (an MNIST-like digit) a blank one.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}
ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N"}


def pil():
    """Pillow's Image module (ImportError when Pillow is missing: a dependency)."""
    from PIL import Image

    return Image


def to_8bit(im) -> object:
    """A Pillow image in mode L or RGB, high-bit-depth and float values scaled by their real range."""
    image_module = pil()
    if im.mode in SIXTEEN_BIT or im.mode in ("I", "F"):
        a = np.asarray(im, dtype=np.float64)
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = float(a.min()), float(a.max())
        top = 1.0 if im.mode == "F" else 65535.0  # float images in [0, 1] and integer ones in 16 bits as is
        a = a / top if lo >= 0 and hi <= top else (a - lo) / (hi - lo if hi > lo else 1.0)
        return image_module.fromarray((np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8))
    if im.mode in ("L", "RGB"):
        return im
    if im.mode in ALPHA_MODES or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        shade = ground(np.asarray(rgba))
        flat = image_module.alpha_composite(image_module.new("RGBA", im.size, (shade, shade, shade, 255)), rgba)
        return flat.convert("L" if im.mode in GREY_MODES else "RGB")
    if im.mode in GREY_MODES:
        return im.convert("L")
    return im.convert("RGB")


def ground(rgba: np.ndarray) -> int:
    """The grey (0 or 255) to lay a transparent picture on: white when what is drawn (its pixels weighed by
    their opacity) is dark, black when it is light; white when nothing is drawn."""
    alpha = rgba[..., 3].astype(np.float64)
    if alpha.sum() <= 0:
        return 255
    grey = rgba[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    return 255 if (grey * alpha).sum() / alpha.sum() < 128 else 0


def read_pixels(source: str | Path | bytes, size: tuple[int, int], channels: int) -> np.ndarray:
    """One image (a file, or its bytes) -> uint8 array (channels, height, width) of ``size`` (height, width):
    grey or RGB as ``channels`` says, resized bilinearly. Raises Pillow's own errors (OSError, ValueError,
    SyntaxError, EOFError, DecompressionBombError) for a file that is not a readable image."""
    image_module = pil()
    with image_module.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
        im = to_8bit(im)
        im = im.convert("L" if channels == 1 else "RGB")
        if im.size != (size[1], size[0]):
            im = im.resize((size[1], size[0]), image_module.Resampling.BILINEAR)
        arr = np.array(im, dtype=np.uint8)
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1).copy()
