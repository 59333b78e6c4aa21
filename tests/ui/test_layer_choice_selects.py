"""One layer in view: a layer chosen in a view's list (Feature maps, Filters' kernels and histograms,
Explain's Grad-CAM layer, Inside the network) is selected on the canvas, as one selected on the canvas is
picked in those lists. Before, the lists only followed the canvas: lesson 6 said "open the Filters view and
select conv2d_1", the Filters view showed conv2d_1 already, and the check stayed unmet."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def choose(box, text: str) -> None:
    """Pick ``text`` as the user does (``activated`` follows a user's choice only)."""
    i = box.findText(text)
    assert i >= 0, text
    box.setCurrentIndex(i)
    box.activated.emit(i)


def fill(box, names: list[str]) -> None:
    box.clear()
    box.addItems(names)


def test_a_layer_chosen_in_the_training_views_is_selected_on_the_canvas(window):
    doc, tc = window.document, window.training
    fill(tc.features.layer_box, ["conv2d_1", "relu_1", "dense_1"])
    choose(tc.features.layer_box, "dense_1")
    assert doc.selection == ["dense_1"]
    assert window.inspector.node_id == "dense_1"
    fill(tc.filters.layer_box, ["conv2d_1"])
    fill(tc.filters.hist_box, ["conv2d_1", "dense_1", "dense_2"])
    choose(tc.filters.layer_box, "conv2d_1")
    assert doc.selection == ["conv2d_1"]
    choose(tc.filters.hist_box, "dense_2")
    assert doc.selection == ["dense_2"]
    tc.features.layer_box.setCurrentIndex(0)  # the program's own change selects nothing
    assert doc.selection == ["dense_2"]


def test_the_histograms_follow_the_layer_selected_on_the_canvas(window):
    doc, filters = window.document, window.training.filters
    fill(filters.layer_box, ["conv2d_1"])
    fill(filters.hist_box, ["conv2d_1", "dense_1", "dense_2"])
    doc.select(["dense_1"])  # no kernels to show: the kernels stay, the histograms follow
    assert filters.hist_box.currentText() == "dense_1" and filters.layer_box.currentText() == "conv2d_1"
    doc.select(["relu_1"])  # no weights: nothing changes
    assert filters.hist_box.currentText() == "dense_1"
    doc.select(["conv2d_1"])
    assert filters.hist_box.currentText() == "conv2d_1"


def test_a_layer_chosen_in_the_explore_views_is_selected_on_the_canvas(window):
    from netbuilder.ui.explore.widgets import fill_choices

    doc, ex = window.document, window.explore
    box = ex.explain.layer_box
    fill_choices(box, [("conv2d_1", "conv2d_1")], box.itemText(0))
    doc.select(["dense_2"])
    choose(box, box.itemText(0))  # the default ("last convolution") names no layer: the selection stays
    assert doc.selection == ["dense_2"]
    choose(box, "conv2d_1")
    assert doc.selection == ["conv2d_1"]
    box = ex.inside.layer_box
    fill_choices(box, [("relu_1", "relu_1"), ("maxpool2d_1", "maxpool2d_1")], box.itemText(0))
    choose(box, "maxpool2d_1")
    assert doc.selection == ["maxpool2d_1"]
