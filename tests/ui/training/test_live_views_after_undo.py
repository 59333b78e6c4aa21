"""A structural Undo while a run is paused: the Filters view stops showing the network being trained as the
design (it said "conv2d_1: 4 filters" while the design had 8 again, the answer tagged as current), at once
and without being asked; Redo makes the design the trained network again and the view follows the run."""

from __future__ import annotations

from netbuilder.workbench.live import OUTDATED


def test_the_filters_view_says_the_trained_network_is_not_the_design_after_an_undo(window, trainer, qtbot):
    doc = window.document
    trainer.panel.fields["epochs"].setValue(1000)
    trainer.panel.fields["batch_size"].setValue(2)
    doc.set_param("conv2d_1", "filters", 4)  # the student's edit, then Train
    doc.flush()
    window.workspaces.show_dock("Filters")
    trainer.docks["Filters"].show()
    trainer.docks["Filters"].raise_()
    assert trainer.train()
    try:
        qtbot.waitUntil(lambda: trainer.state == "training", timeout=60_000)
        trainer.pause()
        qtbot.waitUntil(lambda: trainer.state == "paused", timeout=60_000)
        qtbot.waitUntil(lambda: trainer.filters.info.text().startswith("conv2d_1: 4 filters"), timeout=30_000)
        trainer.probe_timer.stop()  # nothing asks again: the view is told
        window.actions_["undo"].trigger()
        doc.flush()
        assert doc.graph.node("conv2d_1").params["filters"] == 8
        qtbot.waitUntil(lambda: trainer.filters.info.text() == OUTDATED, timeout=10_000)
        trainer.request_view("filters")  # asked: the same line, never the 4 trained filters
        qtbot.wait(300)
        assert trainer.filters.info.text() == OUTDATED
        window.actions_["redo"].trigger()
        doc.flush()
        trainer.request_view("filters")
        qtbot.waitUntil(lambda: trainer.filters.info.text().startswith("conv2d_1: 4 filters"), timeout=30_000)
    finally:
        trainer.stop()
        qtbot.waitUntil(lambda: trainer.state == "idle", timeout=60_000)


def test_the_explore_views_are_told_too_though_they_ask_nothing_during_a_run(window, trainer, qtbot):
    doc, ex = window.document, window.explore
    trainer.panel.fields["epochs"].setValue(1000)
    trainer.panel.fields["batch_size"].setValue(2)
    doc.set_param("conv2d_1", "filters", 4)
    doc.flush()
    window.workspaces.switch("Explore")
    for key in ("explain", "inside"):
        ex.docks[key].show()
        ex.docks[key].raise_()
    assert trainer.train()
    try:
        qtbot.waitUntil(lambda: trainer.state == "training", timeout=60_000)
        trainer.pause()
        qtbot.waitUntil(lambda: trainer.state == "paused", timeout=60_000)
        ex.results.clear()
        for key in ("explain", "inside"):
            ex.request(key, now=True)
        qtbot.waitUntil(lambda: all("error" not in ex.results.get(k, {"error": 1}) for k in ("explain", "inside")),
                        timeout=30_000)
        window.actions_["undo"].trigger()
        doc.flush()
        qtbot.waitUntil(lambda: all(ex.results[k].get("error") == OUTDATED for k in ("explain", "inside")),
                        timeout=10_000)
        window.actions_["redo"].trigger()  # back to the structure the run trains: the shown view follows it again
        doc.flush()
        shown = next(k for k in ("explain", "inside") if ex.shown.get(k))  # (the two docks share a tab)
        qtbot.waitUntil(lambda: "error" not in ex.results[shown], timeout=30_000)
    finally:
        trainer.stop()
        qtbot.waitUntil(lambda: trainer.state == "idle", timeout=60_000)
