"""The Filters view during a run: what it says is right as soon as the workbench answers (even while the
window's drawing budget holds the redraw back), and it never says the network has no convolution layer
when it has one."""

from __future__ import annotations

import numpy as np
import pytest

from netbuilder.ui.training.filters_view import NO_CONVOLUTION, FiltersView


def conv_result(layer: str = "conv2d_1") -> dict:
    grid = np.zeros((12, 12), np.float32)
    return {"conv_layers": [layer], "layers": [layer, "dense_1"], "layer": layer, "grid": grid,
            "shape": [8, 1, 3, 3], "weights": {}, "grads": {}}


@pytest.fixture
def view(qtbot):
    v = FiltersView()
    qtbot.addWidget(v)
    return v


def test_before_any_answer_the_view_does_not_say_there_is_no_convolution_layer(view):
    text = view.info.text()
    assert "no convolution" not in text and "when the network has a convolution layer" not in text
    assert "Computing the filters" in text


def test_an_answer_names_its_filters_before_the_next_redraw(view):
    view.set_result(conv_result())  # (the controller's timer has not redrawn yet)
    assert view.info.text().startswith("conv2d_1: 8 filters of 1×3×3")
    view.refresh()
    assert view.info.text().startswith("conv2d_1: 8 filters of 1×3×3")


def test_only_a_network_without_convolutions_is_said_to_have_none(view):
    view.set_result({"conv_layers": ["conv2d_1"], "layers": ["conv2d_1"], "layer": None, "weights": {}, "grads": {}})
    assert "no convolution" not in view.info.text()
    view.refresh()
    assert "no convolution" not in view.info.text()
    view.set_result({"conv_layers": [], "layers": ["dense_1"], "layer": None, "weights": {}, "grads": {}})
    view.refresh()
    assert view.info.text() == NO_CONVOLUTION
    view.set_result({"error": "the design has 1 problem to fix first: x"})
    assert view.info.text() == "the design has 1 problem to fix first: x"


def test_during_a_run_the_filters_view_names_the_live_filters(window, trainer, qtbot):
    """The run goes on (until stopped) while the Filters view is opened; its answer comes between training
    steps. The redraw timer is held, as the window's drawing budget may hold it for seconds."""
    trainer.panel.fields["epochs"].setValue(1000)
    trainer.panel.fields["batch_size"].setValue(2)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=60_000)
    trainer.redraw_timer.stop()
    window.workspaces.show_dock("Filters")
    trainer.docks["Filters"].show()
    trainer.docks["Filters"].raise_()
    try:
        qtbot.waitUntil(lambda: trainer.filters.info.text().startswith("conv2d_1: "), timeout=30_000)
        assert trainer.running
        assert "no convolution" not in trainer.filters.info.text()
    finally:
        trainer.redraw_timer.start()
        trainer.stop()
        qtbot.waitUntil(lambda: trainer.state == "idle", timeout=60_000)


def test_the_drawing_budget_never_holds_the_views_for_more_than_two_seconds(trainer, monkeypatch):
    """A dock shown (0.1 s of GUI work) or a run started (0.3 s) once held every redraw for 8 to 15 s."""
    import time

    from netbuilder.ui.training import controller as c

    monkeypatch.setattr(type(trainer), "running", property(lambda self: True))
    drawn = []
    monkeypatch.setattr(trainer.run, "update_progress", lambda: drawn.append(1))
    now, cpu = time.perf_counter(), time.thread_time()
    trainer._drawn = (now - 0.5, cpu - 1.0)  # 1 s of GUI work half a second ago: the budget says wait 25 s
    trainer.redraw()
    assert drawn == []
    trainer._drawn = (now - c.MAX_REDRAW_WAIT - 0.1, cpu - 1.0)
    trainer.redraw()
    assert drawn == [1]
