"""Semantic zoom: which text a canvas box draws at a given zoom, and how large.

Sizes are in scene units (pixels at zoom 1), so the size on screen is ``px * zoom``. From
``DETAIL_ZOOM`` up a box shows its detail (title, settings, output shape); below, only its name,
large, and its output shape. ``fit`` never zooms below ``FIT_MIN_ZOOM`` for designs of up to
``FIT_MAX_BOXES`` visible boxes, where every name is at least ``LEGIBLE_PX`` tall on screen.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

LEGIBLE_PX = 8.0  # the smallest text height on screen that still reads
TITLE_PX, TEXT_PX = 13, 11  # detail: the title line and the smaller lines
BIG_PX, BIG_MIN_PX, SUB_PX = 28, 20, 20  # overview: the name (shrunk to fit, not below BIG_MIN_PX), the shape
DETAIL_ZOOM = LEGIBLE_PX / TEXT_PX  # ≈ 0.73: the detail's smallest text reads from here up
FIT_MIN_ZOOM = LEGIBLE_PX / BIG_MIN_PX  # 0.4: the overview's name and shape read from here up
FIT_MAX_BOXES = 40
BLOCK_ZOOM = 3.0 / BIG_MIN_PX  # below this nothing reads: a box is a coloured block


def font(px: int, bold: bool = False, base: QFont | None = None) -> QFont:
    """A font ``px`` scene units tall (pixel size, so it does not depend on the screen's DPI)."""
    f = QFont(base) if base is not None else QFont()
    f.setPixelSize(max(1, int(px)))
    f.setBold(bold)
    return f


def level_of_detail(painter: QPainter, option: QStyleOptionGraphicsItem) -> float:
    """The painter's scale: 1 at 100 % zoom (works in a view and in ``QGraphicsScene.render``)."""
    return option.levelOfDetailFromTransform(painter.worldTransform())


def detailed(lod: float) -> bool:
    return lod >= DETAIL_ZOOM


@functools.lru_cache(maxsize=2048)
def big_px(text: str, width: float) -> int:
    """The overview name's pixel size: ``BIG_PX``, shrunk so ``text`` fits ``width``, not below
    ``BIG_MIN_PX`` (longer names are elided)."""
    advance = QFontMetricsF(font(BIG_PX, True)).horizontalAdvance(text)
    if advance <= width:
        return BIG_PX
    return max(BIG_MIN_PX, int(BIG_PX * width / advance))


def elided(text: str, f: QFont, width: float, middle: bool = False) -> str:
    """``text`` shortened with "…" to ``width`` (in the middle: "Adaptive…Pool2d" keeps both ends)."""
    mode = Qt.TextElideMode.ElideMiddle if middle else Qt.TextElideMode.ElideRight
    return QFontMetricsF(f).elidedText(text, mode, width)


def shape_text(shape: tuple[int, ...] | None) -> str:
    return "?" if shape is None else "×".join(str(v) for v in shape)


def human(n: int) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)
