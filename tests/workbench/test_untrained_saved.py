"""Weights saved while some layers are fresh (an edit, a run, then Undo) record those layers as untrained:
reopened, the window names them, counts only the trained layers, and the command line does not use them as
trained weights. Older files without that record load as before."""

from __future__ import annotations

import pytest

from netbuilder.errors import NetbuilderError
from netbuilder.workbench.host import ModelHost
from tests.workbench.helpers import trained_host, with_param


def partly_trained(design) -> ModelHost:
    """A host trained on ``design``, then rebuilt with conv2d_1's kernel changed: conv2d_1 is fresh."""
    host = trained_host(design)
    host.build(with_param(design, "conv2d_1", "kernel_size", 5), seed=0)
    assert set(host.untrained) == {"conv2d_1"}
    return host


def test_a_reopened_file_names_its_untrained_layers_and_counts_only_the_trained(digits, tmp_path):
    changed = with_param(digits, "conv2d_1", "kernel_size", 5)
    path = tmp_path / "net.safetensors"
    partly_trained(digits).save_weights(path)

    host = ModelHost()
    result = host.load_design_weights(changed, path)
    assert "conv2d_1" not in result["kept"]
    assert "conv2d_1" in result["untrained"]
    assert host.trained and set(host.untrained) == {"conv2d_1"}
    assert "conv2d_1 is untrained" in host.source
    assert "kernel size changed" in host.untrained["conv2d_1"]


def test_the_commands_do_not_use_the_untrained_layers_as_trained(digits, tmp_path):
    from netbuilder.commands._model import load_weights_into, require_trained
    from netbuilder.compiler import compile_design
    from netbuilder.training.transfer import IncompleteWeightsError

    changed = with_param(digits, "conv2d_1", "kernel_size", 5)
    path = tmp_path / "net.safetensors"
    partly_trained(digits).save_weights(path)

    with pytest.raises(IncompleteWeightsError, match="conv2d_1"):  # evaluate / predict without --partial
        load_weights_into(compile_design(changed), changed, path)
    report = load_weights_into(compile_design(changed), changed, path, partial=True)
    assert [n for n, _ in report.untrained] == ["conv2d_1"] and "conv2d_1" not in report.loaded
    with pytest.raises(NetbuilderError, match="conv2d_1"):  # --partial: still refused as untrained
        require_trained(report, path, "digits", 10)


def test_a_file_without_the_record_loads_every_layer_as_before(digits, tmp_path):
    from netbuilder.training.weights import save_weights

    host = partly_trained(digits)
    path = tmp_path / "old.safetensors"
    save_weights(host.model, path, metadata={"format": "netbuilder"})  # as older versions wrote them

    changed = with_param(digits, "conv2d_1", "kernel_size", 5)
    loaded = ModelHost()
    result = loaded.load_design_weights(changed, path)
    assert "conv2d_1" in result["kept"] and not result["untrained"]
    assert loaded.untrained == {}
