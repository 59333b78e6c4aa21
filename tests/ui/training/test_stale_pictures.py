"""An error answered to the Evaluation or Feature maps view blanks what the answer before it drew: no
confusion matrix, samples or maps of another dataset or design are shown beside the message as current."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui

MISFIT = "the design does not fit circle: the design takes inputs of shape 1×8×8 but the dataset's are 2"


def test_evaluation_blanks_the_earlier_matrix_beside_an_error(window, trainer):
    view = trainer.evaluation
    rng = np.random.default_rng(0)
    labels = np.arange(30) % 3
    view.set_result({"probs": rng.dirichlet(np.ones(3), 30), "labels": labels, "class_names": ["a", "b", "c"],
                     "split": "val", "images": rng.random((30, 8, 8)).astype(np.float32)})
    view.refresh()
    assert view.has_data() and view.gallery.count() > 0 and len(view._texts) == 9
    view.set_result({"error": MISFIT})
    view.refresh()
    assert view.info.text() == MISFIT
    assert view.matrix is None and view.matrix_item.image is None and not view.has_data()
    assert view.gallery.count() == 0 and view._texts == [] and len(view.acc_bars.opts["height"]) == 0
    assert view.gallery_label.text() == "Misclassified samples"  # no count of the earlier answer
    assert view.show_misclassified() is None  # (nothing to show, no failure)


def test_feature_maps_blank_the_earlier_maps_beside_an_error(window, trainer):
    view = trainer.features
    x = np.zeros((1, 8, 8), np.float32)
    view.set_result({"layers": ["conv2d_1"], "layer": "conv2d_1", "shape": [8, 8, 8],
                     "grid": np.zeros((20, 20), np.float32), "probs": np.full(10, 0.1),
                     "class_names": [str(k) for k in range(10)]}, x)
    view.refresh()
    assert view.maps_item.image is not None and len(view.prob_bars.opts["height"]) == 10
    view.set_result({"error": MISFIT})
    view.refresh()
    assert view.info.text() == MISFIT
    assert view.maps_item.image is None and view.input_item.image is None
    assert len(view.prob_bars.opts["height"]) == 0 and not view.has_data()
