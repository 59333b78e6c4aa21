"""Training from the window (offscreen, CPU, tiny data): a run fills the views, pause / resume with a
changed learning rate, stop, closing mid-run, faults as messages, weights saved and reloaded, the
design fitted to its dataset, and the question after an edit of a trained network."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def show(controller, *titles):
    for title in titles:
        controller.docks[title].show()
        controller.docks[title].raise_()


def test_menu_docks_and_shortcuts(window, trainer):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Train") == titles.index("Help") - 1
    a = trainer.actions
    assert a["train"].shortcut().toString() == "F5"
    assert a["pause"].shortcut().toString() == "F6"
    assert a["stop"].shortcut().toString() == "Shift+F5"
    assert {"Training", "Curves", "Filters", "Feature maps", "Evaluation", "Decision boundary"} <= set(trainer.docks)
    assert trainer.panel.device_label.text() == "device: CPU"
    assert trainer.panel.dataset_box.findData("digits") >= 0
    assert trainer.panel.preview_item.image is not None  # sample previews of the dataset
    assert not a["pause"].isEnabled() and not a["stop"].isEnabled() and a["train"].isEnabled()


def test_short_run_fills_every_view(window, trainer, run_to_end, qtbot, tmp_path):
    show(trainer, "Filters", "Feature maps", "Evaluation", "Curves")
    result = run_to_end(trainer)
    assert result["kind"] == "finished" and result["reason"] == "completed" and result["epochs"] == 2
    run = trainer.curves.run
    steps = trainer.run.started["steps_per_epoch"] * 2
    assert run.loss.n == steps  # every step event reached the curves before the run ended
    # the plot catches up on its next redraw (the timer keeps to the GUI's time budget)
    qtbot.waitUntil(lambda: trainer.curves.loss_raw.getData()[0] is not None
                    and len(trainer.curves.loss_raw.getData()[0]) == steps, timeout=10_000)
    assert run.val_loss.n == 2 and np.all(np.isfinite(run.val_loss.y))
    assert "ETA" in trainer.panel.progress_label.text() or "finished" in trainer.panel.progress_label.text()
    for title, view in (("Filters", trainer.filters), ("Feature maps", trainer.features),
                        ("Evaluation", trainer.evaluation)):
        show(trainer, title)
        qtbot.waitUntil(view.has_data, timeout=15_000)
    # 8 kernels 3×3 in a 3×3 grid, each kernel pixel drawn 4×4 (kernels enlarged to 12 px: the gaps stay thin)
    assert trainer.filters.grid_item.image.shape == (3 * 12 + 2, 3 * 12 + 2)
    assert trainer.features.maps_item.image is not None and len(trainer.features.prob_bars.opts["height"]) == 10
    m = trainer.evaluation.matrix
    assert m.shape == (10, 10) and m.sum() == trainer.run.started["val_size"]
    assert trainer.evaluation.gallery.count() > 0  # the misclassified gallery
    i, j = np.unravel_index(np.argmax(m), m.shape)
    assert trainer.evaluation.show_cell(int(i), int(j)) == m[i, j]
    assert trainer.export_png(str(tmp_path / "curves.png")) and (tmp_path / "curves.png").stat().st_size > 1000
    assert trainer.export_csv(str(tmp_path / "m.csv"))
    rows = (tmp_path / "m.csv").read_text().splitlines()
    assert rows[0].startswith("run,kind,epoch") and len(rows) == 1 + steps + 2


def test_pause_change_learning_rate_resume_then_stop(trainer, qtbot):
    trainer.panel.fields["epochs"].setValue(200)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    qtbot.waitUntil(lambda: trainer.curves.run is not None and trainer.curves.run.loss.n > 2, timeout=10_000)
    trainer.actions["pause"].trigger()
    qtbot.waitUntil(lambda: trainer.state == "paused", timeout=10_000)
    assert trainer.actions["resume"].isEnabled() and not trainer.actions["train"].isEnabled()
    lr = trainer.panel.fields["lr"]
    assert lr.isEnabled() and not trainer.panel.fields["epochs"].isEnabled()
    steps = trainer.curves.run.loss.n
    qtbot.wait(300)
    assert trainer.curves.run.loss.n == steps  # paused: no steps
    lr.setValue(0.05)
    trainer.actions["resume"].trigger()
    qtbot.waitUntil(lambda: trainer.curves.run.loss.n > steps + 2, timeout=10_000)
    from netbuilder.choices import DEFAULTS

    assert trainer.curves.markers and f"lr {DEFAULTS['lr']:g}→0.05" in trainer.curves.markers[0][1]
    qtbot.waitUntil(lambda: trainer.curves.run.lr.n and trainer.curves.run.lr.y[-1] == pytest.approx(0.05),
                    timeout=10_000)
    trainer.actions["stop"].trigger()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=20_000)
    assert trainer.run.finished.reason == "stopped" and trainer.run.finished.epochs < 200
    assert trainer.actions["train"].isEnabled()


def test_closing_the_window_mid_training_ends_the_thread(window, trainer, qtbot):
    trainer.panel.fields["epochs"].setValue(500)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "training", timeout=30_000)
    thread = trainer.wb.executor._thread
    window.close()
    qtbot.waitUntil(lambda: trainer._closed, timeout=5000)
    assert not thread.is_alive()  # joined by the bridge's shutdown()


def test_nan_loss_shows_a_message_and_the_app_keeps_running(window, trainer, run_to_end, qtbot):
    before = window.document.snapshot().graph.to_dict()
    trainer.panel.fields["optimizer"].setCurrentIndex(trainer.panel.fields["optimizer"].findData("sgd"))
    trainer.panel.fields["loss"].setCurrentIndex(trainer.panel.fields["loss"].findData("cross_entropy"))
    trainer.panel.fields["lr"].setValue(1000.0)  # SGD at lr 1000 on cross-entropy blows up at once
    # (squared error on probabilities is bounded: it no longer blows up, even at lr 100)
    result = run_to_end(trainer)
    assert result["kind"] == "fault" and result["fault"] == "nan"
    bar = trainer.panel.messages
    assert bar.isVisible() and bar.level == "error" and "blew up" in bar.label.text()
    assert "learning rate" in bar.label.text()
    assert window.document.snapshot().graph.to_dict() == before
    trainer.panel.fields["lr"].setValue(0.01)
    assert run_to_end(trainer)["kind"] == "finished"  # still works


def test_invalid_design_is_refused_with_a_message(window, trainer):
    window.document.set_param("dense_2", "units", 0)
    assert not trainer.train()
    assert trainer.panel.messages.level == "error" and "problem" in trainer.panel.messages.label.text()


def test_mismatch_is_said_and_fit_design_is_one_undo_step(window, trainer, qtbot):
    doc = window.document
    window.workspaces.switch("Train")
    doc.set_param("input_1", "shape", [1, 12, 12])
    trainer._dataset_chosen("digits")
    bar = trainer.panel.messages
    qtbot.waitUntil(lambda: "does not fit" in bar.label.text(), timeout=15_000)
    assert "1×12×12" in bar.label.text() and bar.buttons[0].isVisible()
    count = doc.undo_stack.count()
    bar.buttons[0].click()
    assert doc.graph.node("input_1").params["shape"] == [1, 8, 8]
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.graph.node("input_1").params["shape"] == [1, 12, 12]


def test_fit_on_a_design_that_fits_says_so_and_leaves_undo_alone(window, trainer, qtbot):
    """Fit on a design that already fits (a lesson's Show me does it every time) said "0 setting(s)
    changed" and left an empty step for Undo; one change is "1 setting", not "1 setting(s)"."""
    doc = window.document
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None, timeout=15_000)
    count = doc.undo_stack.count()
    assert trainer.link.fit_design()
    assert window.statusBar().currentMessage() == "The design already fits digits: nothing to change"
    assert doc.undo_stack.count() == count
    doc.set_param("dense_2", "units", 7)
    assert trainer.link.fit_design()
    assert window.statusBar().currentMessage() == "Fitted the design to digits: 1 setting changed (undo reverts it)"


def test_a_layer_of_one_unit_says_unit():
    from netbuilder.layers import get_spec

    dense = get_spec("dense")
    assert dense.label({"units": 1, "bias": True}) == "1 unit" and dense.label({"units": 1024}) == "1,024 units"
    assert dense.worked(dense.resolve({"units": 1}), [(2,)], (1,))[0] == "output: 1 unit"


def test_weights_saved_beside_the_design_and_reloaded(window, trainer, run_to_end, qtbot, tmp_path):
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    path = tmp_path / "digits.nbd"
    assert window.files.save_to(path)
    name = json.loads(path.read_text())["weights"]
    assert name == "digits.safetensors"  # named after the design file (digits.nbd)
    weights = tmp_path / name
    qtbot.waitUntil(weights.exists, timeout=15_000)
    from safetensors.numpy import load_file

    saved = load_file(str(weights))
    assert saved["conv2d_1.weight"].shape == (8, 1, 3, 3)
    assert window.files.open_path(path, ask=False)
    qtbot.waitUntil(lambda: "Loaded the trained weights" in trainer.panel.messages.label.text(), timeout=15_000)
    assert trainer.wb.has_weights and trainer.wb.weights_current
    show(trainer, "Filters")
    qtbot.waitUntil(trainer.filters.has_data, timeout=15_000)
    from netbuilder.introspect import filter_grid

    assert np.allclose(trainer.filters.grid_item.image, filter_grid(saved["conv2d_1.weight"], sep_value=np.nan, min_tile=12),
                       atol=1e-6, equal_nan=True)  # (the gaps and the empty cell of 8 filters in 3×3: tinted)


def test_editing_a_trained_network_asks_keep_or_fresh(window, trainer, run_to_end, qtbot):
    trainer.panel.fields["epochs"].setValue(1)
    run_to_end(trainer)
    window.document.set_param("dense_1", "units", 16)
    bar = trainer.panel.messages
    assert "Keep the trained weights" in bar.label.text()
    assert [b.text() for b in bar.buttons] == ["Keep unchanged layers", "Start fresh"]
    bar.buttons[0].click()
    assert trainer.wb.has_weights  # kept: the next run starts from the layers that still fit
    prepared = []
    from netbuilder.workbench import events as ev

    window.bridge.received.connect(lambda e: prepared.append(e) if isinstance(e, ev.RunPrepared) else None)
    assert trainer.train()
    qtbot.waitUntil(lambda: trainer.state == "idle", timeout=30_000)
    kept = prepared[0].kept
    assert "conv2d_1" in kept and "dense_1" not in kept and "dense_2" not in kept


def test_decision_boundary_on_a_2d_dataset(window, trainer, run_to_end, qtbot):
    from netbuilder.graph import Design, Edge
    from netbuilder.ui.intents import new_node

    design = Design(name="circle_mlp", dataset={"name": "circle", "samples": 200})
    prev = None
    for kind, params in (("input", {"shape": [2]}), ("dense", {"units": 8}), ("tanh", {}),
                         ("dense", {"units": 2}), ("output", {})):
        node = new_node(design.graph, kind, (0.0, 0.0))
        node.params.update(params)
        design.graph.insert_node(node)
        if prev:
            design.graph.insert_edge(Edge(prev, node.id, 0))
        prev = node.id
    window.set_design(design)
    show(trainer, "Decision boundary")
    qtbot.waitUntil(lambda: trainer.boundary.applicable, timeout=15_000)
    trainer.panel.fields["epochs"].setValue(2)
    assert run_to_end(trainer)["kind"] == "finished"
    qtbot.waitUntil(trainer.boundary.has_data, timeout=15_000)
    grid = trainer.boundary.heat.image
    assert grid.shape == (64, 64) and 0 <= grid.min() <= grid.max() <= 1
    assert len(trainer.boundary.points.data) > 50
    view = trainer.boundary
    view.resize(700, 300)  # wide and low: the plot stays square, the axes span the map (not empty sides)
    qtbot.waitUntil(lambda: view.plot_widget.width() <= view.plot_widget.height() + 2, timeout=5000)
    (x0, x1), (y0, y1) = view.plot.getViewBox().viewRange()
    x, y, w, h = view._rect
    assert x1 - x0 <= 1.25 * w and y1 - y0 <= 1.25 * h and x0 <= x + 0.02 * w and x1 >= x + 0.98 * w
    trainer.boundary.set_result({"error": "Computing for the new design…"})  # (a design replaced)
    trainer.boundary.refresh()
    assert trainer.boundary.heat.image is None  # no map of the older model under the reason


def test_dense_layer_shows_activation_bars(window, trainer, qtbot):
    show(trainer, "Feature maps")
    window.document.select(["dense_1"])
    qtbot.waitUntil(lambda: trainer.features.data is not None and trainer.features.data.get("layer") == "dense_1",
                    timeout=15_000)
    qtbot.waitUntil(lambda: not trainer.features.dirty, timeout=5000)
    assert len(trainer.features.bars.opts["height"]) == 32 and trainer.features.bars_plot.isVisible()
    trainer.features.source.setCurrentIndex(1)  # draw with the mouse
    qtbot.mousePress(trainer.features.pad, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(trainer.features.pad, Qt.MouseButton.LeftButton)
    assert trainer.features.current_input().max() > 0.1


def test_the_gpu_fast_path_is_named_beside_the_device_and_a_fallback_is_said(window, trainer, run_to_end,
                                                                             monkeypatch):
    """The engine's notices reach the window through the workbench: captured steps (here the CPU stand-in
    for CUDA graphs) are named beside the device; a failed capture is said in the panel, and the run ends
    as any other."""
    from training.fake_graphs import ReplayedSteps

    from netbuilder.training import graphed

    monkeypatch.setattr(graphed, "backend", lambda device: ReplayedSteps())
    assert run_to_end(trainer)["kind"] == "finished"
    assert trainer.panel.device_label.text().endswith("· CUDA graph")
    monkeypatch.setattr(graphed, "backend", lambda device: ReplayedSteps(fail="operation not permitted"))
    assert run_to_end(trainer)["kind"] == "finished"
    assert "· CUDA graph" not in trainer.panel.device_label.text()
    assert "could not be captured as a CUDA graph (RuntimeError: operation not permitted)" in \
        trainer.panel.messages.text()
