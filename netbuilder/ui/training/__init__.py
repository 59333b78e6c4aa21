"""Training from the window: ``install_training(window, document) -> TrainingController`` adds the
Training dock (dataset, settings, Train / Pause / Resume / Stop, progress, device), the live views
(Curves, Filters, Feature maps, Evaluation, Decision boundary) and the Train menu.

The controller asks the workbench (through the window's bridge) to train and to compute each view's
values, and hands the plain values to the views, which redraw from one ~30 Hz timer. Call
``controller.shutdown()`` from the window's closeEvent. Imports Qt and pyqtgraph; never torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from netbuilder.ui.training.controller import TrainingController

__all__ = ["install_training"]


def install_training(window: QMainWindow, document, bridge) -> TrainingController:
    """Add training (docks, Train menu, toolbar actions) to ``window`` for ``document``. The window's
    owner calls ``controller.shutdown()`` when it closes (MainWindow.closeEvent does, before the bridge
    stops the workbench), and restores its saved dock layout after installing."""
    from netbuilder.ui.layer_link import select_on_choice
    from netbuilder.ui.training.controller import TrainingController

    controller = TrainingController(window, document, bridge)
    for box in (controller.features.layer_box, controller.filters.layer_box, controller.filters.hist_box):
        select_on_choice(box, document)
    return controller
