"""The training views in the dock beside the canvas. The Curves view: before any run its axes span the
planned epochs; tick labels never run into each other, the three plots are laid out side by side only
when each has room (else loss and accuracy side by side, the learning rate across below, following the
loss's epochs), the run list keeps to about a fifth of the view until the user drags it, and the line
above the plots is shortened rather than cut mid-number. The Evaluation view keeps its confusion matrix
readable, the misclassified samples across below it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(("low", "high", "pixels"), [(0, 1, 70), (0, 20, 60), (0, 6, 150), (0, 1, 600),
                                                     (0.001, 0.011, 45), (0, 3000, 90)])
def test_major_ticks_leave_room_for_their_labels(qapp, low, high, pixels):
    import pyqtgraph as pg

    from netbuilder.ui.training.axes import SpacedAxis

    axis = SpacedAxis("bottom")
    levels = axis.tickSpacing(low, high, pixels)
    major, minor = levels[0][0], levels[1][0]
    assert major * pixels / (high - low) >= axis.min_px
    assert major / minor in (2, 5)
    plain = pg.AxisItem("bottom").tickSpacing(low, high, pixels)
    if plain[0][0] * pixels / (high - low) >= axis.min_px:  # room already: pyqtgraph's own ticks
        assert levels == plain
    else:  # the smallest 1-2-5 step with room
        assert any(major == pytest.approx(m * 10.0 ** e) for m in (1, 2, 5) for e in range(-4, 5))


def test_narrow_curves_stack_the_learning_rate_and_keep_the_run_list_small(qtbot, shown_curves):
    from tests.ui.training.test_runs import _fake_run

    view = shown_curves(580, 600)
    plots, run_list = view._split.sizes()
    assert 110 <= run_list <= 180 and plots > 3 * run_list - 20  # a fifth of the view, not a third
    items = view.layout_widget.ci.items
    assert items[view.loss_plot] == [(1, 0)] and items[view.acc_plot] == [(1, 1)]
    assert items[view.lr_plot] == [(2, 0), (2, 1)]  # across, below loss and accuracy

    run = _fake_run(1, steps=400, epochs=6)
    view.history, view.run = [], run
    view.set_epochs(6)
    view.refresh()
    qtbot.waitUntil(lambda: view.lr_plot.getViewBox().viewRange()[0][1] > 5)
    loss_x = view.loss_plot.getViewBox().viewRange()[0]
    assert view.lr_plot.getViewBox().viewRange()[0] == pytest.approx(loss_x, abs=1e-6)  # the same epochs
    view.loss_plot.setXRange(1, 3, padding=0)  # zooming the loss zooms the learning rate's epochs too
    assert view.lr_plot.getViewBox().viewRange()[0] == pytest.approx([1, 3], abs=1e-6)
    for plot in (view.loss_plot, view.acc_plot, view.lr_plot):
        axis = plot.getAxis("bottom")
        (low, high), pixels = axis.range, axis.geometry().width()
        assert axis.tickSpacing(low, high, pixels)[0][0] * pixels / (high - low) >= axis.min_px

    whole = view.status.toolTip()
    assert whole.startswith("run 1 · adam lr 0.01 · batch 16: loss") and "validation loss" in whole
    assert view.status.fontMetrics().horizontalAdvance(view.status.text()) <= view.status.width()
    assert view.status.text().startswith("run 1: loss") and "val." in view.status.text()

    view.resize(1400, 600)  # wide: the three side by side, the whole line
    qtbot.waitUntil(lambda: view._columns == 3)
    items = view.layout_widget.ci.items
    assert items[view.lr_plot] == [(1, 2)] and items[view.legend] == [(0, 0), (0, 1), (0, 2)]
    assert view.status.text() == whole
    assert view._split.sizes()[1] == 180

    view.resize(580, 300)  # too low for two rows: side by side however narrow (the ticks keep apart)
    qtbot.waitUntil(lambda: view._columns == 3)
    assert not view.loss_plot.getAxis("bottom").label.isVisible()
    qtbot.waitUntil(lambda: view.loss_plot.titleLabel.height() <= 18)
    assert view.loss_plot.getViewBox().height() >= 120  # (99 px with a full title and "epoch" under it)
    view.resize(580, 200)  # lower still: the values on the left keep apart too (0.8 was written on 0.6)
    qtbot.waitUntil(lambda: view.acc_plot.getViewBox().height() < 90)
    for plot in (view.loss_plot, view.acc_plot, view.lr_plot):
        axis = plot.getAxis("left")
        (low, high), pixels = axis.range, axis.geometry().height()
        assert axis.tickSpacing(low, high, pixels)[0][0] * pixels / (high - low) >= axis.min_px >= 20
    view.resize(580, 300)
    assert view.legend.columnCount == 2  # (its three entries in two lines, not three)
    view.rename_run(view.run.number, "my first run, with a long name")  # the legend's columns follow its names' widths
    qtbot.wait(20)
    edge = view.layout_widget.width()
    for _sample, label in view.legend.items:  # (the long name ran past the edge, cut)
        right = label.mapRectToScene(label.item.mapRectToParent(label.item.boundingRect())).right()
        assert right <= edge, (label.text, right, edge)
    view.resize(580, 600)
    qtbot.waitUntil(lambda: view._columns == 2)
    assert view.loss_plot.getAxis("bottom").label.isVisible()
    qtbot.waitUntil(lambda: view.loss_plot.titleLabel.height() > 18)
    for plot in (view.loss_plot, view.acc_plot, view.lr_plot):  # the full title again, not the low one's 8 pt
        assert plot.titleLabel.opts["size"] == "11pt", plot.titleLabel.text
    view.resize(1400, 600)
    qtbot.waitUntil(lambda: view._columns == 3)

    view._split.moveSplitter(900, 1)  # the user's width for the run list stays
    view._split.splitterMoved.emit(900, 1)
    chosen = view._split.sizes()[1]
    view.resize(1200, 600)
    qtbot.wait(50)
    assert view._split.sizes()[1] == chosen


def test_the_confusion_matrix_keeps_a_readable_size_beside_the_canvas(qtbot):
    """In the dock beside the canvas (about 580×600 at 1280×720) the matrix takes most of the width with
    the accuracy per class beside it and the misclassified samples across below: a long gallery heading
    never squeezes the matrix (it once left the matrix 40 px wide)."""
    import numpy as np

    from netbuilder.ui.training.evaluation_view import EvaluationView

    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(578, 598)
    view.show()
    qtbot.waitExposed(view)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 270)
    probs = np.eye(10)[np.where(rng.random(270) < 0.9, labels, (labels + 1) % 10)] * 0.9 + 0.01
    view.set_result({"split": "val", "class_names": [str(i) for i in range(10)], "labels": labels,
                     "probs": probs, "images": rng.random((270, 8, 8)).astype(np.float32)})
    view.refresh()
    view.show_cell(8, 1)  # a long heading: "True 8, predicted 1: …"
    qtbot.wait(50)
    matrix, bars, gallery = view.matrix_widget, view.acc_widget, view.gallery
    assert matrix.width() >= 0.55 * view.width() and matrix.height() >= 250
    assert bars.width() >= 0.25 * view.width()
    below = gallery.mapTo(view, gallery.rect().topLeft()).y()
    assert below >= matrix.mapTo(view, matrix.rect().bottomLeft()).y()  # the samples under the plots
    assert gallery.width() >= 0.9 * view.width() and gallery.height() >= 150
    assert view.minimumSizeHint().width() < 400  # nothing in it insists on more than the dock has


def test_before_the_first_run_the_axes_span_the_planned_epochs(window, trainer, qtbot):
    """No run yet: the curves' x axes run from 0 to the epochs the run will train (20, then 7 once the
    setting changes), not 0 to 1; once a run has data, the setting no longer moves them."""
    from netbuilder.ui.training.curves import EPOCH_PADDING
    from tests.ui.training.test_runs import _fake_run

    curves = trainer.curves
    window.workspaces.show_dock("Curves")
    trainer.panel.fields["epochs"].setValue(7)
    end = 7 * (1 + EPOCH_PADDING)  # (room for the last epoch's marks: a diamond at the very edge was cut in half)
    qtbot.waitUntil(lambda: curves.loss_plot.getViewBox().viewRange()[0][1] == pytest.approx(end, rel=0.01))
    assert curves.lr_plot.getViewBox().viewRange()[0][1] == pytest.approx(end, rel=0.01)
    assert curves.acc_plot.getViewBox().viewRange()[0][1] == pytest.approx(end, rel=0.01)
    box = curves.loss_plot.getViewBox()
    assert (box.viewRange()[0][1] - 7) * box.width() / (box.viewRange()[0][1] - box.viewRange()[0][0]) >= 5  # px
    curves.run = _fake_run(1, steps=50, epochs=3)
    trainer.panel.fields["epochs"].setValue(9)
    qtbot.wait(50)
    assert curves.loss_plot.getViewBox().viewRange()[0][1] == pytest.approx(end, rel=0.01)


def test_a_narrow_dataset_box_ends_its_choice_with_an_ellipsis(qtbot):
    from netbuilder.ui.training.widgets import ElidedComboBox

    box = ElidedComboBox()
    qtbot.addWidget(box)
    box.addItem("digits — 1×8×8, 10 classes", "digits")
    box.resize(140, box.sizeHint().height())
    box.show()
    qtbot.waitExposed(box)
    assert box.shown_text().endswith("…") and box.shown_text().startswith("digits")
    assert box.grab().width() == 140  # it paints
    box.resize(400, box.sizeHint().height())
    assert box.shown_text() == "digits — 1×8×8, 10 classes" and box.currentData() == "digits"


def test_a_legend_of_long_run_names_keeps_two_columns_in_a_narrow_view(qtbot, shown_curves):
    """Three earlier runs with their settings in their names, in a view 560 px wide: the legend stacked
    them one a line (six lines, over half a low view); now two columns of names cut to fit, each inside the
    view, and the whole names still there (legend_names, and whole again when the view is wide)."""
    from tests.ui.training.test_runs import _fake_run

    view = shown_curves(560, 300)
    runs = [_fake_run(n, steps=50, epochs=2) for n in (3, 2, 1)]
    for run in runs:
        run.name = f"run {run.number} with a long name for its settings"
    view.history, view.run = runs, None
    view._draw_history()
    qtbot.wait(20)
    assert len(view.legend.items) == 7 and view.legend.columnCount == 2
    names = view.legend_names()
    assert names[4].startswith("run 3 with a long name for its settings · adam lr 0.01")
    edge = view.layout_widget.width()
    cut = 0
    for _sample, label in view.legend.items:
        right = label.mapRectToScene(label.item.mapRectToParent(label.item.boundingRect())).right()
        assert right <= edge, (label.text, right, edge)
        cut += label.text != label.full_text
    assert cut >= 3  # the runs' names, cut
    view.resize(1600, 600)
    qtbot.waitUntil(lambda: all(label.text == label.full_text for _s, label in view.legend.items))
    assert view.legend_names() == names


def test_a_short_column_leaves_its_room_to_the_long_names(qtbot, shown_curves):
    """Two columns: the names are cut only as much as the room left by the other column's short names
    needs (equal halves cut "run 1 · adam lr 0.01 · batch 16 (smoothed)" to "run 1 · adam lr 0.01 · …");
    where there is room for all, nothing is cut."""

    view = shown_curves(560, 300)
    view.start_run(None, {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "batch_mode": "minibatch"})
    view.refresh()
    qtbot.wait(20)
    assert view.legend.columnCount == 2
    assert view.legend_names()[2] == "run 1 · adam lr 0.01 · batch 16 (smoothed)"
    shown = [label.text for _s, label in view.legend.items]
    assert shown[2].startswith("run 1 · adam lr 0.01 · batch 16") and shown[2].endswith("…")
    assert shown[1] == "validation" and shown[3] == "train (over each epoch)"
    view.resize(640, 300)
    qtbot.waitUntil(lambda: all(label.text == label.full_text for _s, label in view.legend.items))


def test_the_feature_maps_take_the_width_their_grid_fills_and_the_probabilities_the_rest(qtbot):
    """A square grid of maps in a wide pane was centred with a gap as wide as the input beside it: the
    splitter gives the maps the width their grid fills at the pane's height (once per grid shape: where
    the student drags it, it stays until another layer's grid is shown)."""
    import numpy as np

    from netbuilder.ui.training.features_view import FeatureMapsView

    view = FeatureMapsView()
    qtbot.addWidget(view)
    view.resize(930, 330)
    view.show()
    qtbot.waitExposed(view)

    def show(grid) -> list[int]:
        view.set_result({"layer": "conv2d_1", "layers": ["conv2d_1"], "shape": [8, 8, 8], "grid": grid,
                         "probs": np.full(10, 0.1)})
        view.refresh()
        qtbot.wait(20)
        return view._split.sizes()

    square = np.random.default_rng(0).random((26, 26)).astype(np.float32)
    maps, bars, probs = show(square)
    height = view._split.height()
    assert bars == 0 and abs(maps - (height + 16)) <= 2 and probs > maps  # no wide gap: the rest is the bars'
    view._split.setSizes([400, 0, sum(view._split.sizes()) - 400])  # the student drags it
    assert show(square * 0.5)[0] == 400  # the same grid shape: where they put it
    wide = np.random.default_rng(1).random((26, 52)).astype(np.float32)  # another layer: two maps side by side
    assert abs(show(wide)[0] - (2 * height + 16)) <= 2
