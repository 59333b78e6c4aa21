"""The views' jobs give plain values; an epoch's evaluation does not copy the split's images again."""

from __future__ import annotations

import numpy as np


def test_the_evaluation_sends_the_same_read_only_images_each_epoch():
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset
    from netbuilder.ui.app import default_example
    from netbuilder.workbench.views import evaluation_job

    data = load_dataset("digits")
    model = compile_design(default_example())
    first, second = evaluation_job("val")(model, data), evaluation_job("val")(model, data)
    assert second["images"] is first["images"]  # made once for the dataset and split
    assert not first["images"].flags.writeable
    assert first["probs"].shape == (len(first["labels"]), len(data.class_names))
    np.testing.assert_allclose(first["images"], data.x_val[:len(first["labels"])].numpy() * data.scale)
    test = evaluation_job("test")(model, data)
    assert test["images"] is not first["images"] and len(test["images"]) == len(test["labels"])
    assert evaluation_job("val")(model, data)["images"] is first["images"]  # both splits are kept
