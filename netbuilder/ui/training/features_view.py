"""The Feature maps view: pick an input (a dataset sample, a drawing made with the mouse, or an image
file) and a layer (or click its node): the layer's feature maps as a grid, a dense layer's activations
as bars, and the softmax output as class probabilities; live while training.

Qt, pyqtgraph, numpy; the maps are computed by netbuilder.introspect off the GUI thread.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from netbuilder.ui.training.input_picker import InputPicker
from netbuilder.ui.training.widgets import LiveView, image_view, plot_place, put, show_image, swap_in_split

SOURCES = ("sample", "drawing", "file")
WAITING = "Waiting for the dataset…"


def clear_image(item) -> None:
    """Blank an image item drawn by ``show_image``, the tint behind its gaps too (a grey-blue square as large
    as the grid before stayed where the maps had been)."""
    item.clear()
    frame = getattr(item, "gap_frame", None)
    if frame is not None:
        frame.setVisible(False)


MAPS_MIN_W, PROBS_MIN_W = 160, 220  # px: the panes' narrowest when the maps' grid is fitted


class FeatureMapsView(LiveView):
    input_changed = Signal()
    layer_chosen = Signal(str)
    PLOTS = frozenset({"input_widget", "input_box", "input_item", "maps_widget", "maps_box", "maps_item",
                       "bars_plot", "bars", "prob_plot", "prob_bars"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = InputPicker(SOURCES, self)  # (its choices under their old names: source, sample, pad)
        self.source, self.sample, self.pad = self.picker.source, self.picker.sample, self.picker.pad
        self.open_button = self.picker.open_button
        self.picker.changed.connect(self.input_changed)
        self.layer_box = QComboBox(self)
        self.layer_box.setToolTip("The layer whose output is shown (or click its node on the canvas)")
        self.layer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_box.setMinimumWidth(120)
        self.layer_box.activated.connect(lambda _i: self.layer_chosen.emit(self.layer_box.currentText()))
        self.info = QLabel("Pick an input and a layer.", self)
        self.info.setWordWrap(True)  # a long message wraps: it never widens the window
        self._input_place = plot_place(self)
        self._input_place.setFixedSize(112, 112)
        self._split = split = QSplitter(self)
        self.picker.failed.connect(self.info.setText)
        top = QHBoxLayout()
        for w in (QLabel("Input", self), self.picker, QLabel("Layer", self)):
            top.addWidget(w)
        top.addWidget(self.layer_box)  # as wide as its longest layer name (across the dock it read as a field)
        top.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self._input_place)
        left.addWidget(self.pad)
        left.addStretch(1)
        for _ in range(3):  # the feature maps, the activations' bars, the class probabilities
            split.addWidget(plot_place(split))
        split.setSizes([420, 0, 260])
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(split, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addLayout(body, 1)
        self.class_names: list[str] = []
        self.data: dict[str, Any] | None = None
        self._fitted: float | None = None  # the grid's width / height the splitter was fitted to

    def build_plots(self) -> None:
        """The plots, in place of the splitter's empty widgets (the splitter keeps its sizes)."""
        import pyqtgraph as pg

        from netbuilder.ui.training.axes import cache_axes

        self.input_widget, self.input_box, self.input_item = image_view(self._input_place)
        put(self._input_place, self.input_widget)
        self.input_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.maps_widget, self.maps_box, self.maps_item = image_view(None)
        self.maps_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.bars_plot = pg.PlotWidget(None, title="Activations")
        self.bars_plot.setBackground(None)
        self.bars_plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#0877bd")
        self.bars_plot.addItem(self.bars)
        self.prob_plot = pg.PlotWidget(None, title="Class probabilities (softmax)")
        self.prob_plot.setBackground(None)
        self.prob_plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.prob_plot.setYRange(0, 1)
        self.prob_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#f59322")
        self.prob_plot.addItem(self.prob_bars)
        cache_axes(self.bars_plot.getPlotItem(), self.prob_plot.getPlotItem())
        swap_in_split(self._split, (self.maps_widget, self.bars_plot, self.prob_plot))

    # ----- the input ---------------------------------------------------------------------------
    @property
    def input_shape(self) -> list[int]:
        return self.picker.input_shape

    def set_dataset(self, info: dict[str, Any]) -> None:
        self.class_names = list(info.get("class_names", []))
        self.picker.set_dataset(info)
        if self.input_shape and self.info.text() == WAITING:  # (the maps come when asked for: shown, an input picked)
            self.info.setText("Pick an input and a layer.")
        self.input_changed.emit()

    def clear_dataset(self, why: str = WAITING) -> None:
        """The dataset changed (or failed to load): no sample, drawing or image of the one before is an input."""
        self.set_dataset({})
        self.set_result({"error": why})
        self.info.setText(why)  # at once, shown or not (the answer before is another dataset's)

    def open_image(self, path: str | None = None) -> bool:
        return self.picker.open_image(path)

    def current_input(self) -> np.ndarray | None:
        """The chosen input in display units ([0, 1] for images), or None when there is none yet."""
        return self.picker.current_input()

    @property
    def wanted_layer(self) -> str | None:
        return self.layer_box.currentText() or None

    def forget_layers(self) -> None:
        """Another design was opened: no layer of the previous network is offered (the new network's come
        with its first answer; a design that cannot compute yet has none)."""
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.blockSignals(False)

    # ----- results -------------------------------------------------------------------------------
    def set_result(self, result: dict[str, Any], shown_input: np.ndarray | None = None) -> None:
        self.data = dict(result, input=shown_input)
        self.dirty = True

    def has_data(self) -> bool:
        return self.data is not None and ("grid" in self.data or "vector" in self.data)

    def refresh(self) -> None:
        d = self.fresh_data()
        if d is None:
            if self.data is not None:  # an error (fresh_data said it): blank what the answer before drew
                self._blank()
            return
        names = d.get("layers", [])
        if [self.layer_box.itemText(i) for i in range(self.layer_box.count())] != names:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            self.layer_box.addItems(names)
            self.layer_box.blockSignals(False)
        if d.get("layer"):
            self.layer_box.setCurrentText(d["layer"])
        x = d.get("input")
        if x is not None and np.asarray(x).ndim == 3:
            img = np.asarray(x, np.float32)
            show_image(self.input_item, self.input_box, img.transpose(1, 2, 0) if img.shape[0] == 3 else img[0])
        shape = "×".join(map(str, d.get("shape", [])))
        if "grid" in d:
            show_image(self.maps_item, self.maps_box, d["grid"])
            self.maps_widget.show()
            self.bars_plot.hide()
            self._fit_maps(np.shape(d["grid"]))
            self.info.setText(f"{d['layer']}: output {shape}; each map scaled to its own range (light = strong; "
                              "a flat map, nearly one value, in one shade)")
        elif "vector" in d:
            v = np.asarray(d["vector"], np.float64)
            self.bars.setOpts(x=np.arange(len(v)), height=v, width=0.8)
            self.maps_widget.hide()
            self.bars_plot.show()
            self.bars_plot.setTitle(f"Activations of {d['layer']} ({len(v)} units)")
            self.info.setText(f"{d['layer']}: output {shape}, one bar per unit")
        else:  # (no layer to show: no earlier maps or message stay)
            clear_image(self.maps_item)
            self.info.setText("This network has no layer with an output to show.")
        probs = np.asarray(d.get("probs", []), np.float64).reshape(-1)
        classes = d.get("class_names") or self.class_names
        self.prob_bars.setOpts(x=np.arange(len(probs)), height=probs, width=0.7)
        # the classes by name, or numbers (never the names of an answer before: another dataset or network)
        named = len(probs) == len(classes) and len(probs) <= 20
        self.prob_plot.getAxis("bottom").setTicks([[(i, str(c)) for i, c in enumerate(classes)]] if named else None)
        if len(probs):
            best = int(probs.argmax())
            label = classes[best] if best < len(classes) else str(best)
            self.prob_plot.setTitle(f"Class probabilities: {label} ({probs[best]:.0%})")

    def _fit_maps(self, grid: tuple[int, ...]) -> None:
        """Give the maps as much width as their grid fills at the pane's height, the probabilities the rest
        (a square grid centred in a wide pane left a gap as wide as the input beside it). Once per grid
        shape: a splitter the student dragged stays where they put it until another layer is shown."""
        aspect = grid[1] / max(1, grid[0]) if len(grid) >= 2 else 1.0
        total, height = sum(self._split.sizes()), self._split.height()
        if aspect == self._fitted or total <= 0 or height <= 0:
            return
        self._fitted = aspect
        maps = max(MAPS_MIN_W, min(int(height * aspect) + 16, total - PROBS_MIN_W))
        self._split.setSizes([maps, 0, max(0, total - maps)])

    def _blank(self) -> None:
        """No maps, bars or probabilities: nothing of an earlier answer is shown beside an error."""
        clear_image(self.input_item)
        clear_image(self.maps_item)
        self.bars.setOpts(x=[], height=[], width=0.8)
        self.bars_plot.setTitle("Activations")
        self.prob_bars.setOpts(x=[], height=[], width=0.7)
        self.prob_plot.setTitle("Class probabilities (softmax)")
        self.prob_plot.getAxis("bottom").setTicks([[]])  # no class: not the dataset or the network before
