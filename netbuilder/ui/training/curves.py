"""The Curves view: training loss per step (raw and smoothed) and validation loss per epoch, accuracy,
learning rate; setting changes marked by labelled vertical lines; earlier runs of the design overlaid,
faded; export as PNG and the metrics as CSV.

Persistent pyqtgraph items fed with ``setData`` from the controller's timer. Qt, pyqtgraph, numpy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from netbuilder.ui.training.settings import ema, metrics_csv
from netbuilder.ui.training.widgets import LiveView

MAX_HISTORY = 4
ALPHA = 0.08


class Series:
    """A growing pair of float arrays (amortised appends, views without copies)."""

    def __init__(self) -> None:
        self._x = np.empty(256)
        self._y = np.empty(256)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self._x):
            self._x = np.resize(self._x, 2 * self.n)
            self._y = np.resize(self._y, 2 * self.n)
        self._x[self.n], self._y[self.n] = x, y
        self.n += 1

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.n]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.n]


class RunCurves:
    """The metrics of one run, as plain numbers."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.loss, self.smooth, self.acc, self.acc_smooth, self.lr = (Series() for _ in range(5))
        self.val_loss, self.val_acc, self.train_acc = Series(), Series(), Series()
        self.rows: list[dict[str, Any]] = []
        self._ema = self._ema_acc = None

    def add_step(self, x: float, step: dict[str, Any]) -> None:
        loss, acc = float(step["loss"]), float(step["accuracy"])
        self.loss.append(x, loss)
        self._ema = ema([loss], ALPHA, self._ema)[-1] if self._ema is not None else loss
        self._ema_acc = ema([acc], ALPHA, self._ema_acc)[-1] if self._ema_acc is not None else acc
        self.smooth.append(x, self._ema)
        self.acc_smooth.append(x, self._ema_acc)
        self.lr.append(x, float(step["lr"]))
        self.rows.append({"run": self.label, "kind": "step", "epoch": step["epoch"] + 1, "step": step["step"],
                          "loss": loss, "accuracy": acc, "lr": step["lr"]})

    def add_epoch(self, epoch: dict[str, Any]) -> None:
        x = epoch["epoch"] + 1.0
        self.val_loss.append(x, float(epoch["val_loss"]))
        self.val_acc.append(x, float(epoch["val_accuracy"]))
        self.train_acc.append(x, float(epoch["train_accuracy"]))
        self.rows.append({"run": self.label, "kind": "epoch", "epoch": epoch["epoch"] + 1,
                          "loss": epoch["train_loss"], "accuracy": epoch["train_accuracy"], "lr": epoch["lr"],
                          "val_loss": epoch["val_loss"], "val_accuracy": epoch["val_accuracy"]})


class CurvesView(LiveView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_widget = pg.GraphicsLayoutWidget(self)
        self.layout_widget.setBackground(None)
        ci = self.layout_widget.ci
        self.loss_plot = ci.addPlot(row=0, col=0, title="Loss")
        self.acc_plot = ci.addPlot(row=0, col=1, title="Accuracy")
        self.lr_plot = ci.addPlot(row=0, col=2, title="Learning rate")
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", "epoch")
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.addLegend(offset=(-6, 6), labelTextSize="8pt")
        self.acc_plot.setYRange(0, 1)
        self.acc_plot.getViewBox().setLimits(yMin=-0.05, yMax=1.05)
        self.acc_plot.setXLink(self.loss_plot)
        self.lr_plot.setXLink(self.loss_plot)
        self.loss_raw = self.loss_plot.plot(pen=pg.mkPen((8, 119, 189, 70), width=1), name="train (per step)")
        self.loss_smooth = self.loss_plot.plot(pen=pg.mkPen("#0877bd", width=2), name="train (smoothed)")
        self.val_loss = self.loss_plot.plot(pen=pg.mkPen("#f59322", width=2), symbol="o", symbolSize=6,
                                            symbolBrush="#f59322", name="validation")
        self.acc_smooth = self.acc_plot.plot(pen=pg.mkPen("#0877bd", width=2), name="train (smoothed)")
        self.val_acc = self.acc_plot.plot(pen=pg.mkPen("#f59322", width=2), symbol="o", symbolSize=6,
                                          symbolBrush="#f59322", name="validation")
        self.lr_line = self.lr_plot.plot(pen=pg.mkPen("#2ca02c", width=2), name="lr")
        self.status = QLabel("Train the network to see its curves.", self)
        self.png_button = QPushButton("Export PNG…", self)
        self.csv_button = QPushButton("Export CSV…", self)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.layout_widget, 1)
        self.run: RunCurves | None = None
        self.history: list[RunCurves] = []
        self._history_items: list[Any] = []
        self.markers: list[tuple[float, str]] = []
        self._lr_top = 0.0
        self._marker_items: list[Any] = []

    # ----- data in (GUI thread; cheap) ---------------------------------------------------------
    def set_epochs(self, epochs: int) -> None:
        """Show the whole run along x from the start (the axis then stays still while it trains)."""
        self.loss_plot.enableAutoRange(x=False)
        self.loss_plot.setXRange(0, max(1, epochs), padding=0.01)

    def start_run(self, label: str) -> None:
        if self.run is not None and self.run.loss.n:
            self.history = ([self.run] + self.history)[:MAX_HISTORY]
        self.run = RunCurves(label)
        for plot, item in self._marker_items:
            plot.removeItem(item)
        self._marker_items, self.markers = [], []
        self._draw_history()
        self.dirty = True

    def clear_history(self) -> None:
        self.history = []
        self._draw_history()

    def add_steps(self, steps: list[dict[str, Any]], epochs: int) -> None:
        if self.run is None:
            self.start_run("run 1")
        for s in steps:
            self.run.add_step(float(s["progress"]) * epochs, s)
        self.dirty = True

    def add_epoch(self, epoch: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.add_epoch(epoch)
            self.dirty = True

    def mark(self, x: float, label: str) -> None:
        """A vertical line with a label at ``x`` (epochs) on every plot: a setting changed there."""
        self.markers.append((x, label))
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            line = pg.InfiniteLine(x, angle=90, pen=pg.mkPen("#9467bd", width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                   label=label if plot is self.loss_plot else None,
                                   labelOpts={"position": 0.92, "color": "#9467bd", "fill": (255, 255, 255, 180)})
            plot.addItem(line)
            self._marker_items.append((plot, line))
        self.dirty = True

    # ----- drawing (from the timer) ------------------------------------------------------------
    def refresh(self) -> None:
        super().refresh()
        r = self.run
        if r is None:
            return
        self.loss_raw.setData(r.loss.x, r.loss.y)
        self.loss_smooth.setData(r.smooth.x, r.smooth.y)
        self.val_loss.setData(r.val_loss.x, r.val_loss.y)
        self.acc_smooth.setData(r.acc_smooth.x, r.acc_smooth.y)
        self.val_acc.setData(r.val_acc.x, r.val_acc.y)
        self.lr_line.setData(r.lr.x, r.lr.y)
        top = float(r.lr.y.max()) * 1.15 if r.lr.n else 0.0
        if top > 0 and top != self._lr_top:  # from 0, so a constant rate is a flat line, not noise
            self._lr_top = top
            self.lr_plot.setYRange(0, top, padding=0)
        if r.loss.n:
            last = r.smooth.y[-1]
            val = f" · validation loss {r.val_loss.y[-1]:.4f}, accuracy {r.val_acc.y[-1]:.1%}" if r.val_loss.n else ""
            self.status.setText(f"{r.label}: loss {last:.4f}{val}" if math.isfinite(last) else r.label)

    def _draw_history(self) -> None:
        for plot, item in self._history_items:
            plot.removeItem(item)
        self._history_items = []
        for age, run in enumerate(self.history):
            alpha = max(40, 110 - 25 * age)
            pen = pg.mkPen((120, 120, 120, alpha), width=1.5)
            for plot, series in ((self.loss_plot, run.smooth), (self.acc_plot, run.acc_smooth),
                                 (self.lr_plot, run.lr)):
                item = pg.PlotDataItem(series.x.copy(), series.y.copy(), pen=pen)
                item.setZValue(-10)
                plot.addItem(item)
                self._history_items.append((plot, item))
            vl = pg.PlotDataItem(run.val_loss.x.copy(), run.val_loss.y.copy(), pen=pg.mkPen((245, 147, 34, alpha)))
            vl.setZValue(-10)
            self.loss_plot.addItem(vl)
            self._history_items.append((self.loss_plot, vl))

    # ----- export -------------------------------------------------------------------------------
    def metrics_csv(self) -> str:
        rows = [row for run in reversed(self.history) for row in run.rows]
        if self.run is not None:
            rows += self.run.rows
        return metrics_csv(rows)

    def has_data(self) -> bool:
        return self.run is not None and self.run.loss.n > 0
