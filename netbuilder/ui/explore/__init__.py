"""The course's hard parts, hands-on: ``install_explore(window, document, bridge, training_controller=None)``
adds the Overfitting lab, Augmentation preview, Transfer learning, Explain (saliency, Grad-CAM,
occlusion), Adversarial (FGSM, PGD) and Inside-the-network (receptive field, training health) docks
and the Freeze-layer action. Every design change goes through the Document (undoable).

The views ask the workbench (through the window's bridge) for their values, computed on the model
training uses: live between steps during a run, trained or untrained otherwise. Imports Qt; never torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from netbuilder.ui.explore.controller import ExploreController

__all__ = ["install_explore"]


def install_explore(window: QMainWindow, document, bridge, training_controller=None) -> ExploreController:
    """Add the explore docks and actions to ``window`` for ``document``. The window's owner calls
    ``controller.shutdown()`` when it closes (MainWindow.closeEvent does)."""
    from netbuilder.ui.explore.controller import ExploreController
    from netbuilder.ui.layer_link import select_on_choice

    controller = ExploreController(window, document, bridge, training_controller)
    for view in (controller.explain, controller.inside):
        for box in view.layer_boxes():
            select_on_choice(box, document, by_data=True)
    return controller
