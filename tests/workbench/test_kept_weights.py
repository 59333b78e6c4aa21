"""The model host keeps the last trained weights of every layer across rebuilds: an edit and its Undo lose
nothing, and while some layers are fresh the weights are not called trained without naming them."""

from __future__ import annotations

from netbuilder.workbench.fit import untrained_note, why_fresh
from netbuilder.workbench.host import ModelHost
from tests.workbench.helpers import trained_host, with_param


def state_of(host: ModelHost) -> dict:
    return {k: v.detach().clone() for k, v in host.model.state_dict().items()}


def test_undoing_a_kernel_change_brings_back_the_trained_weights_of_every_layer(digits):
    import torch

    host = trained_host(digits)
    trained = state_of(host)
    host.build(with_param(digits, "conv2d_1", "kernel_size", 5), seed=0)
    changed = state_of(host)
    assert changed["conv2d_1.weight"].shape[-1] == 5
    assert torch.equal(changed["dense_1.weight"], trained["dense_1.weight"])  # unchanged layers keep theirs
    host.build(digits, seed=0)  # Undo
    for key, value in trained.items():
        assert torch.equal(host.model.state_dict()[key], value), key
    assert host.trained and host.source == "trained weights"


def test_while_a_layer_is_fresh_the_weights_name_it(digits):
    host = trained_host(digits)
    host.build(with_param(digits, "conv2d_1", "kernel_size", 5), seed=0)
    assert host.trained  # the other layers are trained
    assert host.source == "trained weights, but conv2d_1 is untrained (its kernel size changed)"


def test_a_rebuild_keeps_the_trained_weights_remembered_even_when_no_layer_fits_for_a_while(digits):
    import torch

    host = trained_host(digits)
    trained = state_of(host)
    host.build(with_param(digits, "input_1", "shape", [1, 16, 16]), seed=0)  # (dense_1's input grows)
    host.build(with_param(digits, "conv2d_1", "filters", 4), seed=0)  # every layer after conv2d_1 changes too
    host.build(digits, seed=0)
    assert all(torch.equal(host.model.state_dict()[k], v) for k, v in trained.items())
    assert host.trained and host.source == "trained weights"


def test_fresh_weights_forget_what_was_kept(digits):
    host = trained_host(digits)
    host.build(with_param(digits, "conv2d_1", "kernel_size", 5), seed=0)
    host.reset()  # Start fresh (or another design opened)
    host.build(digits, seed=0)
    assert not host.trained and host.source == "untrained weights"


def test_a_run_trains_the_fresh_layers_so_its_weights_are_all_trained(digits):
    host = trained_host(digits)
    host.build(with_param(digits, "conv2d_1", "kernel_size", 5), seed=0)
    host.trained, host.source = True, "the model being trained"
    host.source = "trained weights"
    assert host.untrained == {} and host.source == "trained weights"


def test_why_a_layer_is_fresh_and_how_it_is_said():
    assert why_fresh(None, ("dense", {"units": 3})) == "it is new"
    assert why_fresh(("dense", {"units": 3}), ("dense", {"units": 3})) == "its input shape changed"
    assert why_fresh(("conv2d", {"kernel_size": 3, "padding": 0}),
                     ("conv2d", {"kernel_size": 5, "padding": 1})) == "its kernel size and padding changed"
    two = untrained_note({"conv2d_1": "its kernel size changed", "dense_1": "its input shape changed"})
    assert two == "but conv2d_1 (its kernel size changed) and dense_1 (its input shape changed) are untrained"
    many = untrained_note({f"dense_{i}": "it is new" for i in range(5)})
    assert many.endswith("and 2 more layers are untrained")


# ----- through the workbench, after a real run: what the views receive ---------------------------------------
def test_after_a_run_an_edit_and_its_undo_give_the_views_the_trained_weights_back(digits, tmp_path):
    import time

    import numpy as np

    from netbuilder.analysis import analyze
    from netbuilder.workbench import Workbench
    from netbuilder.workbench import events as ev
    from netbuilder.workbench.fit import input_shape_of
    from netbuilder.workbench.views import evaluation_job

    inbox: list = []
    wb = Workbench(inbox.append)

    def pump(test, timeout: float = 120.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while inbox:
                event = wb.accept(inbox.pop(0))
                if event is not None and test(event):
                    return event
            time.sleep(0.005)
        raise AssertionError("no such event")

    def open_(design, revision: int, replaced: bool = False):
        a = analyze(design.graph)
        wb.set_design(design, revision, problems=[str(d) for d in a.errors], input_shape=input_shape_of(design.graph),
                      classes=10, parameters=a.total_params, replaced=replaced)

    def accuracy(view: str):
        wb.compute(view, evaluation_job("val"))
        result = pump(lambda e: isinstance(e, ev.ViewResult) and e.view == view)
        assert result.value is not None, result.message
        return float(np.mean(result.value["probs"].argmax(1) == result.value["labels"])), result

    try:
        wb.warm_up()
        pump(lambda e: isinstance(e, ev.Ready))
        open_(digits, 1, replaced=True)
        wb.set_dataset({"name": "digits"})
        pump(lambda e: isinstance(e, ev.DatasetLoaded))
        started, message, _ = wb.train({"epochs": 1, "batch_size": 64, "seed": 0})
        assert started, message
        assert pump(lambda e: isinstance(e, ev.RunEnded)).outcome.kind == "finished"
        trained, first = accuracy("a")
        assert first.trained and first.source == "trained weights"
        open_(with_param(digits, "conv2d_1", "kernel_size", 5), 2)
        _, edited = accuracy("b")
        assert edited.trained and "conv2d_1 is untrained (its kernel size changed)" in edited.source
        ticket = wb.export(tmp_path / "edited.pt2", "pt2")  # the export holds what the views use, and says it
        done = pump(lambda e: isinstance(e, ev.TaskDone | ev.TaskFailed) and e.ticket == ticket)
        assert isinstance(done, ev.TaskDone), done
        assert done.value["trained"] and "conv2d_1 is untrained (its kernel size changed)" in done.value["weights"]
        open_(digits, 3)  # Undo
        undone, back = accuracy("c")
        assert undone == trained and back.source == "trained weights"
    finally:
        assert wb.shutdown(20)


def test_building_the_same_network_again_counts_only_the_layers_that_kept_trained_weights(digits):
    """A changed network's Keep: conv2d_1 starts fresh, the rest keep theirs. The run then builds the same
    network again, and said it continued from the trained weights of every layer (the Overfitting lab: "4
    layers" where 2 of them were new)."""
    host = trained_host(digits)
    changed = with_param(digits, "conv2d_1", "kernel_size", 5)
    first = host.build(changed, seed=0)
    again = host.build(changed, seed=0)
    assert "conv2d_1" not in first["kept"] and again["kept"] == first["kept"] and not again["fresh"]
