"""An axis whose tick labels never run into each other, however narrow (or low) its plot.

pyqtgraph always labels at least two major intervals whatever the axis's length in pixels, so a plot
squeezed to 70 px wide writes "0.20.40.60.8" or "5 1015". ``SpacedAxis`` widens the major interval
through the 1-2-5 steps until each interval has room for its label (about ``min_px`` pixels), and puts
the minor ticks between. Imported with pyqtgraph, when a plot is first built.

``cache_axes``: a plot's axes painted from a pixmap while they do not change. Their text is most of
what a live plot costs to repaint (about a third of the Curves view's painting during a run), and most
repaints during a run change only the curves.

``legend_width``: how wide a legend is in so many columns (the Curves view takes the most that fit);
``elide_legend``: its names cut to a column's width (``full_text``: a name whole).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem


def _next_step(step: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50, … (times a power of ten) above ``step``."""
    power = 10.0 ** math.floor(math.log10(step))
    mantissa = round(step / power, 6)
    for m in (1, 2, 5, 10):
        if m > mantissa:
            return m * power
    return 20 * power


def _minor(step: float) -> float:
    """The minor interval of a major one: a fifth of 5s, a half of 1s and 2s (so a minor label, written
    with the decimals its interval needs, is exact: 0.1 under 0.5, never 0.25 written 0.2)."""
    mantissa = round(step / 10.0 ** math.floor(math.log10(step)), 6)
    return step / (5 if mantissa == 5 else 2)


class SpacedAxis(pg.AxisItem):
    """An axis with at least ``min_px`` pixels between major tick labels (a bottom axis: about a label's
    width; a left one: a line's height and a little)."""

    def __init__(self, orientation: str = "bottom", min_px: float = 40.0, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.min_px = min_px

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802 (pyqtgraph's name)
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or span == 0 or size <= 0 or self._tickSpacing is not None:
            return levels
        major = levels[0][0]
        if major * size / span >= self.min_px:
            return levels
        while major * size / span < self.min_px and major < span * 1e6:
            major = _next_step(major)
        return [(major, 0), (_minor(major), 0)]


def cache_axes(*plots: pg.PlotItem) -> None:
    """Each axis of these plots drawn once into a pixmap and reused until the axis changes (its range,
    labels or size: pyqtgraph updates the item then, which renews the pixmap)."""
    cache_drawing(*(plot.getAxis(name) for plot in plots for name in ("left", "bottom", "right", "top")))


def cache_drawing(*items) -> None:
    """Items that seldom change (an axis, an earlier run's curve under the live one) painted from a
    pixmap until they do: an update of the item, or a new scale of its view, renews it."""
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def legend_width(legend, columns: int) -> float:
    """The width ``legend`` (a pyqtgraph LegendItem, its entries row by row) takes in ``columns`` columns:
    each column as wide as its widest symbol and its widest name, the layout's spacing between them."""
    spacing = legend.layout.horizontalSpacing()
    widths = [(sample.boundingRect().width(), label.item.boundingRect().width()) for sample, label in legend.items]
    total = 0.0
    for col in range(columns):
        in_column = widths[col::columns]
        if in_column:
            total += max(w for w, _ in in_column) + max(w for _, w in in_column) + 2 * spacing
    return total


def full_text(label) -> str:
    """A legend label's whole text (``elide_legend`` may show it cut)."""
    return getattr(label, "full_text", label.text)


def elide_legend(legend, room: float | None, columns: int = 2) -> None:
    """Cut the longest of ``legend``'s names so that its ``columns`` columns fit ``room`` px (a column of
    short names keeps them whole; the widest columns are cut to one width), or, None, show them whole."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetricsF

    items = legend.items
    for _sample, label in items:
        label.full_text = full_text(label)
    cap = None
    if room is not None and items:
        spacing = legend.layout.horizontalSpacing()
        metrics = QFontMetricsF(items[0][1].item.font())
        # each column: its widest symbol with the spacing, and its widest name (whole)
        fixed = [max(s.boundingRect().width() for s, _l in items[c::columns]) + 3 * spacing for c in range(columns)
                 if items[c::columns]]
        names = [max(metrics.horizontalAdvance(label.full_text) + 4 for _s, label in items[c::columns])
                 for c in range(len(fixed))]
        free = room - sum(fixed)
        if sum(names) > free:  # the widest names' columns share what the others leave: one cap for them
            cap = max(20.0, free / len(names))
            for width in sorted(names):
                if width <= cap:
                    free -= width
                    names.remove(width)
                    cap = max(20.0, free / max(1, len(names)))
    for _sample, label in items:
        shown = label.full_text
        if cap is not None:
            metrics = QFontMetricsF(label.item.font())
            shown = metrics.elidedText(label.full_text, Qt.TextElideMode.ElideRight, cap - 4)
        if shown != label.text:
            label.setText(shown)
