"""Training from the window: ``install_training(window, document) -> TrainingController`` adds the
Training dock (dataset, settings, Train / Pause / Resume / Stop, progress, device), the live views
(Curves, Filters, Feature maps, Evaluation, Decision boundary) and the Train menu.

The controller runs ``netbuilder.training.train`` on a QThread (worker.py) and hands plain values to
the views, which redraw from one ~30 Hz timer. Call ``controller.shutdown()`` from the window's
closeEvent. Imports Qt and pyqtgraph; torch is imported on the worker threads only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from netbuilder.ui.training.controller import TrainingController

__all__ = ["install_training"]


def install_training(window: QMainWindow, document) -> TrainingController:
    """Add training to ``window`` for ``document``; the controller also stops and joins its threads
    when the window closes (``shutdown()`` may be called earlier, e.g. from closeEvent)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    from netbuilder.ui.training.controller import TrainingController

    controller = TrainingController(window, document)

    class _CloseWatcher(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Close:
                QTimer.singleShot(0, self._check)
            return False

        def _check(self) -> None:
            if not window.isVisible():
                controller.shutdown()

    controller._close_watcher = _CloseWatcher(controller)
    window.installEventFilter(controller._close_watcher)
    restore = getattr(window, "restore_state", None)
    if callable(restore):
        restore()  # the window's remembered dock layout now includes the training docks
    return controller
