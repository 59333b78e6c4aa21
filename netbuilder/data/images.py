"""Image files: a fast check of every file's header, the input shape a folder asks for, and decoding.

Decoding keeps an image's real range: 8-bit files as they are, 16-bit files divided by 65535, float
files by their own minimum and maximum (or as they are when already within [0, 1]). Every image becomes
``uint8`` C×H×W. Imports numpy and Pillow; never Qt.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from netbuilder.data.bundle import DatasetError
from netbuilder.imagefile import GREY_MODES, read_pixels

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm", ".pbm", ".tif", ".tiff", ".webp"}
MAX_SIDE = 4096
LISTED = 10  # bad files named in one message

# progress(text, fraction done or None)
ScanProgress = Callable[[str, "float | None"], None]


def pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is a dependency
        raise DatasetError("reading image folders needs Pillow: pip install pillow") from e
    return Image


def _bomb_text(e: Exception) -> str:
    found = re.search(r"\((\d+) pixels\)", str(e))
    pixels = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
    return (f"{pixels}, over Pillow's safety limit of {pil().MAX_IMAGE_PIXELS:,}; it may be a decompression "
            "bomb (a small file that fills memory when opened)")


def _reason(e: Exception) -> str:
    image_module = pil()
    if isinstance(e, (image_module.DecompressionBombError, image_module.DecompressionBombWarning)):
        return _bomb_text(e)
    if isinstance(e, image_module.UnidentifiedImageError):
        return "not an image file, or a damaged one: PNG, JPEG, BMP, GIF, TIFF, WebP and PPM/PGM/PBM are read"
    return f"broken image data ({e})" if isinstance(e, SyntaxError) else str(e) or type(e).__name__


@contextmanager
def _bombs_refused() -> Iterator[None]:
    """Pillow's warning for a likely decompression bomb raised as an error (one filter change for a scan)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pil().DecompressionBombWarning)
        yield


def _header(path: str | Path) -> tuple[int, int, str]:
    image_module = pil()
    try:
        with image_module.open(path) as im:
            width, height, mode = im.size[0], im.size[1], im.mode
            if im.format == "JPEG":
                im.draft(im.mode, (1, 1))
                im.load()
            else:
                im.verify()
    except (OSError, ValueError, SyntaxError, EOFError, image_module.DecompressionBombError,
            image_module.DecompressionBombWarning) as e:
        raise DatasetError(_reason(e)) from e
    if width < 1 or height < 1:
        raise DatasetError(f"an image of {width}×{height} pixels")
    return height, width, mode


def check_header(path: str | Path) -> tuple[int, int, str]:
    """(height, width, mode) from the file's header; raises ``DatasetError`` with the reason.

    Pillow reads the header; a PNG then has its blocks walked (checksums, truncation) without decoding,
    and a JPEG (where Pillow has no such check) is decoded at 1/8 scale, which finds a file cut short
    at a fraction of a decode's cost. Other formats get the header check only; a file that still fails
    later is named by the worker. Decompression bombs (and Pillow's warning for them) are refused.
    """
    with _bombs_refused():
        return _header(path)


def check_files(files: list[str], progress: ScanProgress | None = None
                ) -> tuple[list[tuple[int, int, str] | None], list[str]]:
    """Every file's header (``check_header``): (height, width, mode) or None for each, and "path: reason"
    for the bad ones. ``progress(text, fraction)`` hears about twenty steps."""
    headers: list[tuple[int, int, str] | None] = []
    bad: list[str] = []
    n = len(files)
    every = max(1, n // 20)
    if progress:
        progress(f"checking {n} image files", 0.0)
    with _bombs_refused():
        for i, f in enumerate(files, start=1):
            try:
                headers.append(_header(f))
            except DatasetError as e:
                headers.append(None)
                bad.append(f"{f}: {e}")
            if progress and (i % every == 0 or i == n):
                progress(f"checked {i} of {n} image files", i / n)
    return headers, bad


class BadFilesError(DatasetError):
    """Some files of an image folder are not readable images: ``skip_bad`` would leave them out."""

    remedy = "skip_bad"
    ADVICE = "remove or replace them, or skip them with the skip_bad option (--skip-bad)"

    def __init__(self, what: str, count: int) -> None:
        self.what, self.count = what, count
        advice = self.ADVICE.replace("them", "it") if count == 1 else self.ADVICE
        super().__init__(f"{what}; {advice}")

    @property
    def brief(self) -> str:
        return self.what


def bad_files_error(root: Path, bad: list[str], total: int) -> BadFilesError:
    """One message naming the bad files (the first few, with a count)."""
    if len(bad) == 1:
        return BadFilesError(bad[0], 1)
    shown = "; ".join(bad[:LISTED]) + (f"; and {len(bad) - LISTED} more" if len(bad) > LISTED else "")
    return BadFilesError(f"{root}: {len(bad)} of {total} files are not readable images: {shown}", len(bad))


def parse_size(value: object) -> tuple[int, int]:
    """``image_size`` as given: 32, (32, 48), [32, 48], "32,48" or "32x48" -> (height, width)."""
    if isinstance(value, str):
        parts = value.replace("×", ",").replace("x", ",").replace("X", ",").split(",")
    elif isinstance(value, (int, np.integer)):
        parts = [value, value]
    else:
        parts = list(value) if isinstance(value, (tuple, list)) else [value]
    try:
        hw = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        hw = ()
    if len(hw) != 2 or not all(1 <= s <= MAX_SIDE for s in hw):
        raise DatasetError(f"image size {value!r}: give height and width, e.g. 32,32 (each 1 to {MAX_SIDE})")
    return hw  # type: ignore[return-value]


def choose_shape(headers: list[tuple[int, int, str]], image_size: object = None, channels: int | None = None
                 ) -> tuple[tuple[int, int, int], str]:
    """The input shape (C, H, W) for these images, and one plain line saying why.

    Colour: RGB unless every image is greyscale. Size: the size of most images.
    ``image_size`` and ``channels`` override either choice.
    """
    if channels is not None and channels not in (1, 3):
        raise DatasetError(f"channels={channels!r}: choose 1 (greyscale) or 3 (RGB)")
    if channels is not None:
        c = int(channels)
        colour = f"{'greyscale' if c == 1 else 'RGB'} as asked"
    elif all(mode in GREY_MODES for _, _, mode in headers):
        c, colour = 1, "greyscale: every image is greyscale"
    else:
        c = 3
        grey = sum(mode in GREY_MODES for _, _, mode in headers)
        colour = "RGB" + (f": {len(headers) - grey} of {len(headers)} images have colour" if grey else "")
    if image_size is not None:
        hw = parse_size(image_size)
        size = "the size asked for"
    else:
        (hw, count), = Counter((h, w) for h, w, _ in headers).most_common(1)
        size = (f"the size of all {count} images" if count == len(headers)
                else f"the size of most images ({count} of {len(headers)})")
    return (c, *hw), f"{c}×{hw[0]}×{hw[1]}: {size}; {colour}"


def decode_image(path: str | Path, size: tuple[int, int], channels: int) -> np.ndarray:
    """One image file -> uint8 array (channels, height, width); raises DatasetError naming the file.

    Runs in DataLoader workers (and threads), so it leaves the warning filters alone: the files were
    checked for decompression bombs up front, and Pillow's own error for the worst ones is caught.
    """
    image_module = pil()
    try:
        return read_pixels(path, size, channels)
    except (OSError, ValueError, SyntaxError, EOFError, image_module.DecompressionBombError) as e:
        raise DatasetError(f"{path}: not a readable image ({_reason(e)}); remove or replace the file") from e
