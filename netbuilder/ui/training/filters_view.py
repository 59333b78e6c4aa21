"""The Filters view: the kernels of a convolution layer as an image grid (colour for an RGB first
layer), and histograms of the weights and gradients of any layer, updating live.

Receives plain values (numpy grids, ``{layer: (counts, edges)}``) from netbuilder.introspect, computed
off the GUI thread. Qt, pyqtgraph, numpy; never torch.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from netbuilder.ui.training.features_view import clear_image
from netbuilder.ui.training.widgets import LiveView, image_view, plot_place, put, show_image

WAITING = "Computing the filters… (during a run, between training steps)"
NO_CONVOLUTION = "This network has no convolution layer, so there are no filters to show."


def info_text(d: dict[str, Any]) -> str:
    """What the view says of a result: which kernels it shows, or why there are none (and never that the
    network has no convolution layer when the result names one)."""
    if "grid" in d and "shape" in d:
        out_c, in_c, kh, kw = d["shape"]
        colour = " in colour (RGB)" if getattr(d["grid"], "ndim", 2) == 3 else ""
        return (f"{d['layer']}: {out_c} filters of {in_c}×{kh}×{kw}{colour}; each scaled to its own range "
                "(dark = negative, light = positive)")
    if d.get("conv_layers"):
        return WAITING
    return NO_CONVOLUTION


class FiltersView(LiveView):
    layer_chosen = Signal(str)
    PLOTS = frozenset({"grid_widget", "grid_box", "grid_item", "hist_widget", "weight_plot", "grad_plot",
                       "weight_hist", "grad_hist"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_box = QComboBox(self)
        self.layer_box.setToolTip("The convolution layer whose kernels are shown (or select it on the canvas)")
        self.layer_box.activated.connect(lambda _i: self.layer_chosen.emit(self.layer_box.currentText()))
        self.hist_box = QComboBox(self)
        self.hist_box.setToolTip("The layer whose weights and gradients are counted")
        self.hist_box.activated.connect(lambda _i: self._mark())
        self.info = QLabel(WAITING, self)
        self.info.setWordWrap(True)  # a long message wraps: it never widens the window
        self._grid_place, self._hist_place = plot_place(self), plot_place(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Kernels of", self))
        top.addWidget(self.layer_box, 1)
        top.addWidget(QLabel("Histograms of", self))
        top.addWidget(self.hist_box, 1)
        split = QSplitter(self)
        split.addWidget(self._grid_place)
        split.addWidget(self._hist_place)
        split.setSizes([500, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(split, 1)
        self.data: dict[str, Any] | None = None

    def build_plots(self) -> None:
        import pyqtgraph as pg

        self.grid_widget, self.grid_box, self.grid_item = image_view(self._grid_place)
        put(self._grid_place, self.grid_widget)
        self.grid_widget.setFocusPolicy(pg.QtCore.Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.hist_widget = put(self._hist_place, pg.GraphicsLayoutWidget(self._hist_place))
        self.hist_widget.setBackground(None)
        self.hist_widget.setFocusPolicy(pg.QtCore.Qt.FocusPolicy.NoFocus)  # no keyboard use: no invisible Tab stop
        self.weight_plot = self.hist_widget.ci.addPlot(row=0, col=0, title="Weights")
        self.grad_plot = self.hist_widget.ci.addPlot(row=1, col=0, title="Gradients")
        self.weight_hist = self.weight_plot.plot(stepMode="center", fillLevel=0, brush=(8, 119, 189, 150),
                                                 pen=pg.mkPen("#0877bd"))
        self.grad_hist = self.grad_plot.plot(stepMode="center", fillLevel=0, brush=(245, 147, 34, 150),
                                             pen=pg.mkPen("#f59322"))

    @property
    def wanted_layer(self) -> str | None:
        return self.layer_box.currentText() or None

    def set_result(self, result: dict[str, Any]) -> None:
        """Keep ``result`` for the next redraw; its line is said at once (a label costs nothing), so what the
        view says is right even while the redraw waits (during a run the window keeps to a drawing budget)."""
        self.data = result
        self.dirty = True
        self.info.setText(str(result["error"]) if "error" in result else info_text(result))

    def follow(self, node_id: str) -> bool:
        """The layer selected on the canvas: its kernels when it is a convolution, its histograms when it
        has weights (each list offers only those). True when the kernels shown change (a new answer is due);
        the histograms redraw from the answer there is."""
        if self.hist_box.findText(node_id) >= 0 and self.hist_box.currentText() != node_id:
            self.hist_box.setCurrentText(node_id)
            self._mark()
        if self.layer_box.findText(node_id) >= 0 and self.layer_box.currentText() != node_id:
            self.layer_box.setCurrentText(node_id)
            return True
        return False

    def forget_layers(self) -> None:
        """Another design was opened: no layer of the previous network is offered (the new network's come
        with its first answer; a design that cannot compute yet has none)."""
        _fill(self.layer_box, [], None)
        _fill(self.hist_box, [], None)

    def _mark(self) -> None:
        self.dirty = True

    def has_data(self) -> bool:
        return self.data is not None and "grid" in self.data and self.grid_item.image is not None

    def refresh(self) -> None:
        import numpy as np

        d = self.fresh_data()
        if d is None:
            if self.data is not None:  # an error (fresh_data said it): blank what the answer before drew
                self._blank()
            return
        _fill(self.layer_box, d.get("conv_layers", []), d.get("layer"))
        layers = list(d.get("weights", {}))
        _fill(self.hist_box, layers, self.hist_box.currentText() or d.get("layer") or (layers[0] if layers else None))
        if "grid" in d:
            show_image(self.grid_item, self.grid_box, d["grid"])
        else:
            clear_image(self.grid_item)
        self.info.setText(info_text(d))
        name = self.hist_box.currentText()
        for item, plot, hists, what in ((self.weight_hist, self.weight_plot, d.get("weights", {}), "weights"),
                                        (self.grad_hist, self.grad_plot, d.get("grads", {}), "gradients")):
            if name in hists:
                counts, edges = hists[name]
                item.setData(np.asarray(edges, np.float64), np.asarray(counts, np.float64))
                plot.setTitle(f"{what} of {name}")
            else:
                item.clear()
                locked = what == "gradients" and name in d.get("locked", ())
                plot.setTitle(f"{what} of {name}: none, it is locked" if locked else
                              f"{what} of {name}: none yet" if name else what)

    def _blank(self) -> None:
        """No kernels or histograms: nothing of an earlier answer (another design, dataset) beside an error."""
        clear_image(self.grid_item)
        for item, plot, what in ((self.weight_hist, self.weight_plot, "Weights"),
                                 (self.grad_hist, self.grad_plot, "Gradients")):
            item.clear()
            plot.setTitle(what)


def _fill(box: QComboBox, names: list[str], current: str | None) -> None:
    if [box.itemText(i) for i in range(box.count())] != list(names):
        box.blockSignals(True)
        box.clear()
        box.addItems(names)
        box.blockSignals(False)
    if current and current in names and box.currentText() != current:
        box.setCurrentText(current)
