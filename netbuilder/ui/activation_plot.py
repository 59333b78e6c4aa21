"""A small pyqtgraph plot of an activation function, computed with numpy (no torch).

pyqtgraph and numpy are imported when the first plot is made, not when the window opens.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    import numpy as np

ACTIVATIONS = ("relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "softmax")


def _erf(x: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.vectorize(math.erf)(x)


def activation_curve(kind: str, params: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """y = f(x) for an activation kind (softmax: the first of two scores [x, 0])."""
    import numpy as np

    if kind == "relu":
        return np.maximum(x, 0.0)
    if kind == "relu6":
        return np.clip(x, 0.0, 6.0)
    if kind == "leaky_relu":
        slope = float(params.get("negative_slope", 0.01))
        return np.where(x >= 0, x, slope * x)
    if kind in ("sigmoid", "softmax"):
        return 1.0 / (1.0 + np.exp(-x))
    if kind == "tanh":
        return np.tanh(x)
    if kind == "gelu":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    if kind == "silu":
        return x / (1.0 + np.exp(-x))
    raise KeyError(kind)


class ActivationPlot(QWidget):
    """One persistent curve, updated with ``setData`` when the kind or a setting changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import numpy as np
        import pyqtgraph as pg
        from PySide6.QtGui import QPalette
        from PySide6.QtWidgets import QVBoxLayout

        self.plot = pg.PlotWidget(self, background=self.palette().color(QPalette.ColorRole.Base))
        self.plot.setMinimumHeight(150)
        self.plot.setMaximumHeight(190)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.addLine(x=0, pen=pg.mkPen((128, 128, 128, 120)))
        self.plot.addLine(y=0, pen=pg.mkPen((128, 128, 128, 120)))
        self.curve = self.plot.plot(pen=pg.mkPen("#c9a227", width=2.5))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.x = np.linspace(-6.0, 6.0, 241)

    def show_function(self, kind: str, params: dict[str, Any]) -> None:
        y = activation_curve(kind, params, self.x)
        self.curve.setData(self.x, y)
        self.plot.setTitle(f"{kind}(x)" if kind != "softmax" else "softmax([x, 0])[0]")
