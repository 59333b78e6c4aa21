"""Weights and checkpoints written onto a full disk fail with one WeightsError naming the file and saying
"no space left on device", and leave the old file whole: never safetensors' SafetensorError or torch's
"enforce fail" RuntimeError (which reached the student as "unexpected error ... details in errors.log")."""

from __future__ import annotations

import errno
import io
import os

import pytest
import torch

from netbuilder.training.checkpoint import load_checkpoint, save_checkpoint
from netbuilder.training.weights import WeightsError, load_weights, save_weights


@pytest.fixture
def full_disk(monkeypatch):
    """Writes fail as they do on a full disk: the atomic writer's with ENOSPC, safetensors' own file writer
    with its SafetensorError, torch.save into a file with its RuntimeError (bytes in memory still work)."""
    import safetensors.torch
    from safetensors import SafetensorError

    import netbuilder.io.atomic as atomic

    def no_space(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def safetensors_file(*args, **kwargs):
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    real_save = torch.save

    def torch_save(obj, f, *args, **kwargs):
        if not isinstance(f, io.BytesIO):
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 832 vs 726")
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(atomic, "atomic_write_bytes", no_space)
    monkeypatch.setattr(safetensors.torch, "save_file", safetensors_file)
    monkeypatch.setattr(torch, "save", torch_save)


def _model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3))


def test_saving_weights_onto_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "net.safetensors"
    save_weights(_model(), path)
    before = path.read_bytes()
    import netbuilder.io.atomic as atomic

    def no_space(target, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic, "atomic_write_bytes", no_space)
    with pytest.raises(WeightsError) as info:
        save_weights(torch.nn.Linear(4, 3), path)
    assert str(info.value) == (f"{path}: cannot write the weights: no space left on device; free some space or "
                               "choose another folder")
    assert path.read_bytes() == before


def test_weights_on_a_full_disk_are_a_weights_error_not_a_safetensors_error(tmp_path, full_disk):
    with pytest.raises(WeightsError, match="net.safetensors: cannot write the weights: no space left on device"):
        save_weights(_model(), tmp_path / "net.safetensors")
    assert os.listdir(tmp_path) == []


def test_a_checkpoint_on_a_full_disk_names_its_file(tmp_path, full_disk):
    with pytest.raises(WeightsError) as info:
        save_checkpoint(tmp_path, _model(), {"epoch": 1})
    assert str(info.value).startswith(f"{tmp_path / 'checkpoint.pt'}: cannot write the checkpoint: no space left")
    assert os.listdir(tmp_path) == []


def test_weights_and_checkpoints_still_round_trip(tmp_path):
    model = _model()
    path = save_weights(model, tmp_path / "net.safetensors", metadata={"dataset": "digits"},
                        preprocessing={"mean": [0.5], "std": [0.25], "kind": "table", "input_shape": [4]})
    assert torch.equal(load_weights(path)["0.weight"], model[0].weight)
    target = save_checkpoint(tmp_path / "run", model, {"epoch": 3})
    weights, state = load_checkpoint(target.parent)
    assert torch.equal(weights["0.bias"], model[0].bias) and state == {"epoch": 3}
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o666 & ~_umask())  # an ordinary file's permissions


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
