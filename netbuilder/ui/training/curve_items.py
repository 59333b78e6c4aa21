"""The pyqtgraph items of the Curves view's runs: how a run's epochs are marked, the points of a series
that has numbers, and an earlier run's items, drawn in its colour. pyqtgraph, numpy."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt


def epoch_marks(colour: Any, size: int) -> dict[str, Any]:
    """How a run's training loss or accuracy over each epoch is drawn: a diamond at the epoch's end."""
    return {"symbol": "d", "symbolSize": size, "symbolBrush": colour, "symbolPen": "w"}


def points(series) -> tuple[Any, Any]:
    """A series' points for an item with symbols, the epochs without a number left out (a run without a
    validation split has NaN for each epoch: pyqtgraph's scatter, clipped to the view, took the bounds of
    NaN alone and warned)."""
    import numpy as np

    y = series.y
    keep = np.isfinite(y)
    return (series.x, y) if keep.all() else (series.x[keep], y[keep])


def run_items(plots: tuple[Any, Any, Any], run, colour: str) -> list[tuple[Any, Any]]:
    """One earlier run's items, added to ``plots`` (loss, accuracy, learning rate): the first is its smoothed
    loss, named in the legend. They are drawn behind the current run and cached (an earlier run never
    changes)."""
    import pyqtgraph as pg

    from netbuilder.ui.training.axes import cache_drawing

    loss_plot, acc_plot, lr_plot = plots
    colour = pg.mkColor(colour)
    colour.setAlpha(200)
    pen = pg.mkPen(colour, width=1.5)
    dashed = pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine)
    val = {"symbol": "o", "symbolSize": 5, "symbolBrush": colour, "symbolPen": None}
    marks = epoch_marks(colour, 8)
    items = []
    for plot, series, p, kw in ((loss_plot, run.smooth, pen, {}),
                                (loss_plot, run.train_loss, None, marks),
                                (loss_plot, run.val_loss, dashed, val),
                                (acc_plot, run.val_acc, dashed, val),
                                (acc_plot, run.acc_smooth, pen, {}),
                                (acc_plot, run.train_acc, None, marks),
                                (lr_plot, run.lr, pen, {})):
        x, y = points(series) if kw else (series.x, series.y)
        item = pg.PlotDataItem(x.copy(), y.copy(), pen=p, **kw)
        item.setZValue(-10)
        cache_drawing(item.curve, item.scatter)
        plot.addItem(item)
        items.append((plot, item))
    return items
