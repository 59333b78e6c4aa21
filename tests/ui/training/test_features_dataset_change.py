"""The Feature maps view when the dataset changes: its input (a sample of the dataset before) goes at
once, so no question is asked with an input of the wrong shape; and the job itself answers a plain
message for such an input (it raised in _normalised, logged twice in errors.log). Also: once Fit has
failed on a misfit, Train does not advise Fit again."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest


def test_the_features_job_answers_a_message_for_an_input_of_another_shape():
    import torch

    from netbuilder.workbench.views import features_job

    data = SimpleNamespace(input_shape=(2,), name="circle", scale=1.0, class_names=["a", "b"])
    value = features_job(None, np.zeros((1, 8, 8), np.float32))(torch.nn.Sequential(torch.nn.Linear(2, 2)), data)
    assert "1×8×8" in value["error"] and "circle" in value["error"]


@pytest.mark.gui
def test_a_new_dataset_drops_the_old_sample(window, trainer, qtbot):
    from netbuilder import log

    window.workspaces.switch("Train")
    trainer.docks["Feature maps"].show()
    trainer.docks["Feature maps"].raise_()
    qtbot.waitUntil(lambda: trainer.features.current_input() is not None, timeout=15_000)
    assert trainer.features.current_input().shape == (1, 8, 8)
    trainer._dataset_chosen("circle")
    assert trainer.features.current_input() is None  # at once, not when the new dataset has loaded
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None and trainer.wb.dataset["name"] == "circle", timeout=30_000)
    qtbot.waitUntil(lambda: trainer.features.current_input() is not None, timeout=15_000)
    assert trainer.features.current_input().shape == (2,)
    qtbot.wait(500)
    path = log.log_path()
    assert not path.exists() or "must match the size" not in path.read_text()


@pytest.mark.gui
def test_train_does_not_advise_fit_after_fit_failed(window, trainer, qtbot):
    bar = trainer.panel.messages
    window.workspaces.switch("Train")
    trainer._dataset_chosen("circle")
    qtbot.waitUntil(lambda: "does not fit circle" in bar.text(), timeout=30_000)
    assert not trainer.link.fit_design()  # the example CNN cannot take 2 features
    for _ in range(2):
        assert not trainer.train()
        text = bar.text()
        assert "Cannot train yet" in text and "Press Fit" not in text and "Conv2d works on images" in text
        assert not bar.buttons[0].isVisibleTo(bar)
        trainer.link.check_fit()  # (as after any edit): the reason stays
        assert bar.text() == text
