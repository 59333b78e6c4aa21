"""A design saved right after a partial load (Transfer) and opened again holds the network the student saved: a
layer the weights file records as untrained starts from the design's seed, as it did before the save, not
from new random weights each time the design opens (Explain, Evaluation and the next run would differ)."""

from __future__ import annotations

import pytest

from tests.workbench.helpers import with_param

pytestmark = pytest.mark.usefixtures("one_thread")


def test_a_layer_recorded_untrained_reopens_with_the_weights_it_was_saved_with(session, example, tmp_path):
    import torch

    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    s = session
    other = with_param(example, "conv2d_1", "kernel_size", 5)  # conv2d_1 of the file does not fit
    save_weights(compile_design(other), tmp_path / "other.safetensors")
    s.done(s.wb.load_transfer(tmp_path / "other.safetensors"))
    assert set(s.wb.host.untrained) == {"conv2d_1"}
    saved = s.wb.host.model.get_submodule("conv2d_1").weight.detach().clone()
    s.done(s.wb.save_weights(tmp_path / "mine.safetensors"))

    for _ in range(2):  # opened again, twice
        s.open(example, revision=s.wb.revision + 1)
        done = s.done(s.wb.load_weights(tmp_path / "mine.safetensors"))
        assert "conv2d_1" in done.value["untrained"]
        torch.testing.assert_close(s.wb.host.model.get_submodule("conv2d_1").weight, saved, rtol=0, atol=0)
