"""Weights loaded in the Transfer view that were trained with another normalisation (another dataset's mean and
std) make the views and the next run feed the bound data that way: the report says so, as opening a design's
own weights file does ("Normalising digits as … was trained"), instead of changing it silently."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_the_transfer_report_says_the_data_is_normalised_as_the_loaded_weights_were_trained(
        window, explore, wait_result, qtbot, tmp_path):
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    doc = window.document
    qtbot.waitUntil(lambda: explore.wb.dataset is not None, timeout=30_000)  # (digits, loaded once Ready)
    prep = {"scale": 1 / 255, "mean": [0.5], "std": [0.25], "kind": "image", "input_shape": [1, 28, 28],
            "class_names": []}
    save_weights(compile_design(doc.snapshot()), tmp_path / "other.safetensors", preprocessing=prep)
    explore.load_weights(str(tmp_path / "other.safetensors"))
    r = wait_result(explore, "load")
    assert r["loaded"] == ["conv2d_1", "dense_1", "dense_2"]
    text = explore.transfer.report.text()
    assert "Normalising digits as other.safetensors was trained (mean 0.5, std 0.25), not with its own " \
           "statistics." in text, text


def test_weights_trained_with_the_datas_own_normalisation_say_nothing_of_it(window, explore, wait_result, qtbot,
                                                                            tmp_path):
    qtbot.waitUntil(lambda: explore.wb.dataset is not None, timeout=30_000)
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    save_weights(compile_design(window.document.snapshot()), tmp_path / "plain.safetensors")
    explore.load_weights(str(tmp_path / "plain.safetensors"))
    wait_result(explore, "load")
    assert "ormalising" not in explore.transfer.report.text()
