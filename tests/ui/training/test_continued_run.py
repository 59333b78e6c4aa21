"""Train again without Reset Weights: the new run trains on from the weights the last one left, and its
curves go on from where that run's ended (its epochs after the other's, "continues run 1" in its legend),
kept so in the runs file; after Reset Weights a run starts from epoch 0 again. Before, a continued run was
drawn from epoch 0 over the run it continued, starting at a loss the first run had taken epochs to reach."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.gui


def test_a_continued_run_goes_on_after_the_run_it_continues(window, trainer, run_to_end, tmp_path):
    from netbuilder.ui.training.curves import EPOCH_PADDING

    curves = trainer.curves
    trainer.docks["Curves"].show()
    trainer.docks["Curves"].raise_()
    trainer.panel.fields["epochs"].setValue(1)
    assert run_to_end(trainer)["kind"] == "finished"
    first = curves.run
    assert first.continues is None and first.start == 0 and first.val_loss.x.tolist() == [1.0]
    assert run_to_end(trainer)["kind"] == "finished"  # Train again: on from the trained weights
    second = curves.run
    assert second.continues == 1 and second.start == pytest.approx(1.0)
    assert second.loss.x[0] > 1.0 and second.val_loss.x.tolist() == [2.0]  # its epoch 1 is epoch 2 on the plot
    assert [row["epoch"] for row in second.rows if row["kind"] == "epoch"] == [1]  # (its own epochs in the CSV)
    assert any(name.startswith("run 2 · continues run 1 · ") for name in curves.legend_names())
    curves.refresh()
    assert curves.loss_plot.getViewBox().viewRange()[0][1] == pytest.approx(2 * (1 + EPOCH_PADDING), rel=0.02)

    path = tmp_path / "net.nbd"
    assert window.files.save_to(path)
    saved = json.loads((tmp_path / "net.runs.json").read_text())["runs"]
    assert "continues" not in saved[0] and (saved[1]["continues"], saved[1]["start"]) == (1, 1.0)
    assert window.files.open_path(path, ask=False)
    again = curves.run
    assert (again.number, again.continues, again.start) == (2, 1, 1.0) and again.val_loss.x.tolist() == [2.0]
    curves.rename_run(1, "baseline")  # the legend names the run it continues as the run list does
    assert any(name.startswith("run 2 · continues baseline · ") for name in curves.legend_names())
    assert window.files.save_to(path) and window.files.open_path(path, ask=False)
    assert any(name.startswith("run 2 · continues baseline · ") for name in curves.legend_names())

    trainer.reset_weights()
    assert run_to_end(trainer)["kind"] == "finished"  # from fresh weights: from epoch 0 again
    third = curves.run
    assert third.number == 3 and third.continues is None and third.val_loss.x.tolist() == [1.0]
