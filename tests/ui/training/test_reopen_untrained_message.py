"""Opening a design whose weights file records a layer as untrained (saved right after a partial load) says so
plainly: which file records which layer as untrained and that it starts fresh, not "… in it, so start fresh",
which reads as advice to press Start fresh (that would drop every trained layer)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_the_reopened_design_says_which_layer_starts_fresh_and_why(window, trainer, qtbot, tmp_path):
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    tc, doc = trainer, window.document
    other = doc.snapshot()
    other.graph.set_param("conv2d_1", "kernel_size", 5)  # conv2d_1 of the file does not fit
    save_weights(compile_design(other), tmp_path / "other.safetensors")
    ex = window.explore
    ex.results.pop("load", None)
    ex.load_weights(str(tmp_path / "other.safetensors"))
    qtbot.waitUntil(lambda: "load" in ex.results and not tc.wb.busy, timeout=30_000)
    assert window.files.save_to(tmp_path / "mine.nbd")
    window.set_design(other)  # another design, then the saved one again
    assert window.files.open_path(tmp_path / "mine.nbd", ask=False)
    qtbot.waitUntil(lambda: tc.wb.has_weights and not tc.wb.busy, timeout=30_000)
    text = tc.panel.messages.text()
    assert text.startswith("Loaded the trained weights of 2 layers from mine.safetensors; "), text
    assert "mine.safetensors records conv2d_1 as untrained (the weights file had none that fit it), so it " \
           "starts fresh." in text, text
    assert "so start fresh" not in text
