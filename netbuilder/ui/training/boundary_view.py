"""The Decision boundary view (2-D datasets, as TensorFlow Playground): a live heat map of what the
network predicts over the plane, with the training points on top.

Receives a probability grid computed off the GUI thread. Qt, pyqtgraph, numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netbuilder.ui.training.widgets import CLASS_COLORS, LiveView, plot_place, put

if TYPE_CHECKING:
    import numpy as np


def playground_lut() -> np.ndarray:
    """Orange (class 0) through white to blue (class 1), as TensorFlow Playground."""
    import pyqtgraph as pg

    cmap = pg.ColorMap([0.0, 0.5, 1.0], [(245, 147, 34), (232, 234, 235), (8, 119, 189)])
    return cmap.getLookupTable(nPts=256)


class BoundaryView(LiveView):
    PLOTS = frozenset({"plot_widget", "plot", "heat", "points"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = QLabel("The decision boundary is drawn for datasets with two inputs (circle, xor, "
                           "gaussian, spiral).", self)
        self.info.setWordWrap(True)
        self._place = plot_place(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.info)
        layout.addWidget(self._place, 1)
        self.grid: dict[str, Any] | None = None
        self._points: tuple[np.ndarray, np.ndarray] | None = None
        self.applicable = False
        self._rect: tuple | None = None  # the map's (x, y, width, height) on the plane
        self._square_timer = QTimer(self)
        self._square_timer.setSingleShot(True)
        self._square_timer.setInterval(0)
        self._square_timer.timeout.connect(self._keep_square)

    def build_plots(self) -> None:
        import pyqtgraph as pg

        from netbuilder.ui.training.axes import cache_axes

        self.plot_widget = put(self._place, pg.PlotWidget(self._place))
        self.plot_widget.setBackground(None)
        self.plot_widget.setFocusPolicy(pg.QtCore.Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(True)
        self.plot.setLabel("bottom", "x₁")
        self.plot.setLabel("left", "x₂")
        cache_axes(self.plot)
        self.heat = pg.ImageItem(axisOrder="col-major")
        self.heat.setLookupTable(playground_lut())
        self.heat.setOpacity(0.85)
        self.plot.addItem(self.heat)
        self.points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=0.8))
        self.plot.addItem(self.points)
        self._place.layout().setAlignment(self.plot_widget, Qt.AlignmentFlag.AlignCenter)
        self._keep_square()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        # after the event, from the event loop: resizing the plot inside a resize (the window being torn
        # down at exit) reached pyqtgraph's GraphicsView.resizeEvent on a half-deleted view
        self._square_timer.start()

    def _keep_square(self) -> None:
        """The plot as a square in the middle of its place: the plane's x₁ and x₂ share a scale, so a wide
        plot showed empty axes on both sides of the map (-12 to 12 around a map from -4 to 4)."""
        if self.plots_built:
            side = max(120, min(self._place.width(), self._place.height()))
            self.plot_widget.setMaximumSize(side, side)

    def set_points(self, points: tuple[np.ndarray, np.ndarray] | None) -> None:
        self._points = points
        self.applicable = points is not None
        if points is None:
            self.grid = None
            if self.plots_built:  # (not built yet: nothing was drawn)
                self.points.clear()
                self.heat.clear()
            self._rect = None
        self.dirty = True

    def set_result(self, result: dict[str, Any]) -> None:
        self.grid = result
        self.dirty = True

    def has_data(self) -> bool:
        return self.grid is not None and "grid" in self.grid and self.heat.image is not None

    def refresh(self) -> None:
        import pyqtgraph as pg

        super().refresh()
        if self._points is not None and self.points.data.size == 0:
            pts, labels = self._points
            brushes = [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in labels]
            self.points.setData(pos=pts, brush=brushes)
            self.plot.autoRange()
        g = self.grid
        if g is None:
            return
        if "error" in g:  # (no map of an older model left under the reason)
            self.heat.clear()
            self.info.setText(g["error"])
            return
        self.heat.setImage(g["grid"], autoLevels=False, levels=(0.0, 1.0))
        self.heat.setRect(*g["rect"])
        if self._rect != tuple(g["rect"]):  # a new plane: the view is the map's
            self._rect = tuple(g["rect"])
            x, y, w, h = g["rect"]
            self.plot.setRange(xRange=(x, x + w), yRange=(y, y + h), padding=0)
        self.info.setText("Colour: what the network predicts at each point (orange: class 0, blue: class 1; "
                          "pale: unsure). Dots: the training data.")
