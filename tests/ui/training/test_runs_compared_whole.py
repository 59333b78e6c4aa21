"""Comparing runs of different lengths, and small learning rates: the Curves view's epochs reach to the
end of the longest run shown (a 1-epoch run beside a 3-epoch one showed only the first epoch of the
longer), and the schedule preview in the settings labels its scale for any rate (below 0.1 pyqtgraph's
labels were wider than the axis and left out: the scale said only "0")."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_epochs_reach_the_end_of_the_longest_run_shown(shown_curves):
    from netbuilder.ui.training.curves import EPOCH_PADDING
    from tests.ui.training.test_runs import _fake_run

    view = shown_curves(900, 500)
    view.history, view.run = [_fake_run(1, steps=300, epochs=3)], None
    view._draw_history()
    view.start_run()
    view.set_epochs(1)  # the new run trains 1 epoch
    view.run.add_step(0.5, {"epoch": 0, "step": 1, "loss": 1.0, "accuracy": 0.5, "lr": 0.01})
    view.refresh()

    def right_end():
        return view.loss_plot.getViewBox().viewRange()[0][1]

    assert right_end() == pytest.approx(3 * (1 + EPOCH_PADDING), rel=0.02)  # all of run 1's 3 epochs
    assert view.lr_plot.getViewBox().viewRange()[0][1] == pytest.approx(right_end(), rel=1e-6)
    view.set_run_visible(1, False)  # run 1 hidden: the current run's own epoch fills the plot
    assert right_end() == pytest.approx(1 * (1 + EPOCH_PADDING), rel=0.02)
    view.set_run_visible(1, True)
    assert right_end() == pytest.approx(3 * (1 + EPOCH_PADDING), rel=0.02)
    view.set_epochs(5)  # a longer planned run than any shown: its own epochs
    assert right_end() == pytest.approx(5 * (1 + EPOCH_PADDING), rel=0.02)


@pytest.mark.parametrize(("rate", "text"), [(0.1, "0.1"), (0.01, "0.01"), (0.001, "0.001"), (0.0003, "0.0003"),
                                            (3e-5, "3e-05")])
def test_schedule_preview_labels_its_scale_for_any_rate(trainer, qtbot, rate, text):
    from PySide6.QtGui import QImage, QPainter

    panel = trainer.panel
    trainer.window.workspaces.switch("Train")
    qtbot.waitUntil(lambda: panel.plots_built and panel.lr_plot.isVisible())
    panel.fields["lr"].setValue(rate)
    qtbot.waitUntil(lambda: panel._schedule is not None and float(np.max(panel._schedule[1])) == pytest.approx(rate))
    axis = panel.lr_plot.getAxis("left")
    image = QImage(200, 100, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        drawn = [spec[2] for spec in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()
    assert drawn == ["0", text]  # both ends of the scale, the top one the rate itself
