"""The confusion matrix writes its counts only where they fit their cells: in a small Evaluation view (the
Lesson panel below it) ten rows of numbers ran into one another, "50100004…"."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _result(k: int = 10, n: int = 270) -> dict:
    rng = np.random.default_rng(0)
    return {"probs": rng.dirichlet(np.ones(k), n), "labels": np.arange(n) % k, "class_names": [str(c) for c in range(k)],
            "split": "val", "images": rng.random((n, 8, 8)).astype(np.float32)}


def _cell_px(view) -> float:
    box = view.matrix_plot.getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    return min(box.width() / (x1 - x0), box.height() / (y1 - y0))


@pytest.fixture
def view(qtbot):
    from netbuilder.ui.training.evaluation_view import EvaluationView

    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_counts_show_only_when_their_cells_hold_them(view, qtbot):
    view.set_result(_result())
    view.refresh()
    qtbot.waitUntil(lambda: _cell_px(view) > 30)
    assert len(view._texts) == 100 and all(t.isVisible() for t in view._texts)
    view.resize(560, 260)  # the matrix about 90 px tall: 9 px a row
    qtbot.waitUntil(lambda: _cell_px(view) < 14)
    qtbot.waitUntil(lambda: not any(t.isVisible() for t in view._texts))
    view.resize(900, 700)
    qtbot.waitUntil(lambda: all(t.isVisible() for t in view._texts))


def test_an_empty_matrix_numbers_no_classes(view, qtbot):
    """Before an answer, or after an error, the matrix's axes counted "-20 … 10" as if those were classes."""
    qtbot.waitUntil(lambda: view.plots_built)
    axes = [view.matrix_plot.getAxis(side) for side in ("bottom", "left")]
    assert not any(axis.style["showValues"] for axis in axes)
    view.set_result(_result(3, 30))
    view.refresh()
    assert all(axis.style["showValues"] for axis in axes)
    view.set_result({"error": "the dataset could not be loaded"})
    view.refresh()
    assert not any(axis.style["showValues"] for axis in axes)
