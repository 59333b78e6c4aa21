"""File ▸ New keeps the dataset the design had loaded and shapes its Input for it: the new design fits its
data from the first layer on. (It had a 1×28×28 Input on the 8×8 digits, so every New began with "the
design does not fit digits … press Fit", and a student working on circle was put back on the digits.)"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _input(window) -> dict:
    return next(n for n in window.document.graph.iter_nodes() if n.kind == "input").params


def test_new_on_the_digits_has_an_8_by_8_input_and_fits(window, qtbot):
    wb = window.workbench
    qtbot.waitUntil(lambda: wb.dataset is not None, timeout=30_000)
    window.actions_["new"].trigger()
    assert sorted(n.kind for n in window.document.graph.iter_nodes()) == ["input", "output"]
    assert _input(window)["shape"] == [1, 8, 8] and window.document.design.name == "untitled"
    window.document.flush()
    qtbot.waitUntil(lambda: wb.dataset is not None, timeout=30_000)
    assert wb.misfit() is None


def test_new_keeps_a_playground_dataset_and_its_two_features(window, qtbot):
    wb = window.workbench
    window.document.set_design_field("dataset", {"name": "circle"})
    qtbot.waitUntil(lambda: wb.dataset is not None and wb.dataset["name"] == "circle", timeout=30_000)
    window.new_design()
    assert _input(window)["shape"] == [2] and window.document.design.dataset == {"name": "circle"}
    window.document.flush()
    qtbot.waitUntil(lambda: wb.dataset is not None and wb.dataset["name"] == "circle", timeout=30_000)
    assert wb.misfit() is None


def test_a_dataset_that_did_not_load_is_not_carried_into_the_new_design(window, qtbot, tmp_path):
    wb = window.workbench
    gone = str(tmp_path / "gone")  # an image folder moved away since
    window.document.set_design_field("dataset", {"name": gone})
    qtbot.waitUntil(lambda: wb.dataset_spec.get("name") == gone, timeout=30_000)
    qtbot.wait(300)
    assert wb.dataset is None
    window.new_design()
    assert window.document.design.dataset == {} and "shape" in _input(window)
