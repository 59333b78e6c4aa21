"""A locked layer gets no gradients: its gradient histogram said "none yet", as if a run would bring some.
The filters job names the locked layers, and the view says why there are none."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def digits():
    from netbuilder.data import load_dataset

    return load_dataset("digits")


def test_the_gradients_of_a_locked_layer_are_said_to_be_none_because_it_is_locked(qtbot, digits):
    from netbuilder.introspect import freeze
    from netbuilder.ui.training.filters_view import FiltersView
    from netbuilder.workbench.views import filters_job

    torch.manual_seed(0)
    model = torch.nn.Sequential()
    model.add_module("conv2d_1", torch.nn.Conv2d(1, 4, 3, padding=1))
    model.add_module("flatten_1", torch.nn.Flatten())
    model.add_module("dense_1", torch.nn.Linear(4 * 8 * 8, 10))
    freeze(model, ["conv2d_1"])
    x, y = digits.x_train[:16].float(), digits.y_train[:16]
    torch.nn.functional.cross_entropy(model(x), y).backward()  # (a step's gradients: only dense_1 has any)
    result = filters_job(None)(model, digits)
    assert result["locked"] == ["conv2d_1"] and "dense_1" in result["grads"] and "conv2d_1" not in result["grads"]

    view = FiltersView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    view.set_result(result)
    view.refresh()
    assert view.grad_plot.titleLabel.text == "gradients of conv2d_1: none, it is locked"
    view.hist_box.setCurrentText("dense_1")
    view.refresh()
    assert view.grad_plot.titleLabel.text == "gradients of dense_1"
