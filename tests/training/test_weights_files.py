"""Weights files as students bring them: damaged or cut-short files named for what is wrong (not as code),
checkpoints that keep the state dict under a key, PyTorch files named .safetensors, capitalised
suffixes, and a folder picked by mistake."""

import os
import pickle

import pytest
import torch
from safetensors.torch import save_file

from netbuilder.training.checkpoint import save_checkpoint
from netbuilder.training.weights import WeightsError, load_weights, read_weights_metadata, save_weights

from .helpers import mlp


@pytest.fixture
def state():
    return mlp(4, 3).state_dict()


def same(loaded, state):
    return loaded.keys() == state.keys() and all(torch.equal(loaded[k], v) for k, v in state.items())


@pytest.mark.parametrize("content", [os.urandom(2000), b"not weights at all\n", b"\x00" * 300],
                         ids=["random", "text", "zeros"])
def test_a_corrupt_file_is_unreadable_not_code(tmp_path, content):
    path = tmp_path / "w.pt"
    path.write_bytes(content)
    with pytest.raises(WeightsError, match="not a readable PyTorch weights file") as err:
        load_weights(path)
    assert "run code" not in str(err.value)


def test_a_text_file_is_named_as_text(tmp_path):
    (tmp_path / "w.pth").write_text("hello, these are not weights\n")
    with pytest.raises(WeightsError, match="holds text"):
        load_weights(tmp_path / "w.pth")


def test_an_empty_file_is_named(tmp_path):
    (tmp_path / "w.pt").write_bytes(b"")
    with pytest.raises(WeightsError, match="not a readable PyTorch weights file.*empty"):
        load_weights(tmp_path / "w.pt")


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "legacy"])
def test_a_cut_short_file_is_named(tmp_path, state, zipped):
    whole = tmp_path / "whole.pt"
    torch.save(state, whole, _use_new_zipfile_serialization=zipped)
    data = whole.read_bytes()
    for n in (len(data) // 3, len(data) - 40):
        cut = tmp_path / f"cut{n}.pt"
        cut.write_bytes(data[:n])
        with pytest.raises(WeightsError, match=r"not a readable PyTorch weights file \(it may be cut short"):
            load_weights(cut)


class Evil:
    def __reduce__(self):
        return (print, ("this would run",))


def test_code_is_still_refused_as_code(tmp_path):
    with open(tmp_path / "evil.pt", "wb") as f:
        pickle.dump({"w": Evil()}, f, protocol=2)
    with pytest.raises(WeightsError, match="would run code"):
        load_weights(tmp_path / "evil.pt")
    torch.save({"w": Evil()}, tmp_path / "evil_zip.pt")
    with pytest.raises(WeightsError, match="would run code"):
        load_weights(tmp_path / "evil_zip.pt")


@pytest.mark.parametrize("key", ["model_state_dict", "state_dict", "model", "weights", "net"])
def test_a_checkpoint_with_the_state_dict_under_a_key_loads(tmp_path, state, key):
    opt = torch.optim.SGD(mlp(4, 3).parameters(), lr=0.1, momentum=0.9)
    torch.save({"epoch": 3, key: state, "optimizer_state_dict": opt.state_dict(), "loss": 0.25},
               tmp_path / "ckpt.pt")
    assert same(load_weights(tmp_path / "ckpt.pt"), state)


def test_a_checkpoint_with_any_one_set_of_tensors_loads(tmp_path, state):
    torch.save({"epoch": 1, "my_model": state}, tmp_path / "ckpt.pth")
    assert same(load_weights(tmp_path / "ckpt.pth"), state)


def test_the_models_state_dict_is_preferred_among_several(tmp_path, state):
    ema = {k: v + 1 for k, v in state.items()}
    torch.save({"ema": ema, "model_state_dict": state, "extra": ema}, tmp_path / "ckpt.pt")
    assert same(load_weights(tmp_path / "ckpt.pt"), state)
    torch.save({"ema": ema, "state_dict": state}, tmp_path / "ckpt2.pt")
    assert same(load_weights(tmp_path / "ckpt2.pt"), state)


def test_several_unnamed_sets_are_named(tmp_path, state):
    torch.save({"a": state, "b": state}, tmp_path / "ckpt.pt")
    with pytest.raises(WeightsError, match="several sets of tensors.*'a', 'b'"):
        load_weights(tmp_path / "ckpt.pt")


def test_no_state_dict_names_the_keys_found(tmp_path):
    torch.save({"epoch": 3, "loss": 0.5, "notes": "hello"}, tmp_path / "ckpt.pt")
    with pytest.raises(WeightsError, match="holds no state dict of tensors.*'epoch', 'loss', 'notes'"):
        load_weights(tmp_path / "ckpt.pt")
    torch.save([torch.ones(2)], tmp_path / "list.pt")
    with pytest.raises(WeightsError, match="holds no state dict of tensors.*list"):
        load_weights(tmp_path / "list.pt")


def test_netbuilders_own_training_checkpoint_loads_its_weights(tmp_path):
    model = mlp(4, 3)
    opt = torch.optim.Adam(model.parameters())
    path = save_checkpoint(tmp_path / "run", model, {"epoch": 2, "optimizer": opt.state_dict()})
    assert same(load_weights(path), model.state_dict())


def test_a_module_prefix_is_dropped_inside_a_checkpoint(tmp_path, state):
    torch.save({"model": {f"module.{k}": v for k, v in state.items()}}, tmp_path / "ddp.pt")
    assert same(load_weights(tmp_path / "ddp.pt"), state)


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "legacy"])
def test_a_pytorch_file_named_safetensors_loads(tmp_path, state, zipped):
    path = tmp_path / "w.safetensors"
    torch.save(state, path, _use_new_zipfile_serialization=zipped)
    assert same(load_weights(path), state)
    assert read_weights_metadata(path) == {"preprocessing": None}


def test_a_safetensors_file_named_pt_loads(tmp_path, state):
    save_file(state, str(tmp_path / "w.pt"))
    assert same(load_weights(tmp_path / "w.pt"), state)


def test_a_broken_safetensors_file_is_named(tmp_path):
    (tmp_path / "w.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(WeightsError, match="not a readable safetensors file"):
        load_weights(tmp_path / "w.safetensors")


@pytest.mark.parametrize("name", ["plain.PT", "plain.Pth", "plain.BIN"])
def test_suffixes_are_compared_without_case(tmp_path, state, name):
    torch.save(state, tmp_path / name)
    assert same(load_weights(tmp_path / name), state)


def test_a_capitalised_safetensors_suffix_saves_and_loads(tmp_path, state):
    path = save_weights(state, tmp_path / "w.SafeTensors", preprocessing=None)
    assert same(load_weights(path), state)


def test_an_unknown_suffix_is_still_named(tmp_path, state):
    torch.save(state, tmp_path / "w.txt")
    with pytest.raises(WeightsError, match="unknown weights format"):
        load_weights(tmp_path / "w.txt")


def test_a_folder_is_named_as_a_folder(tmp_path):
    folder = tmp_path / "weights.pt"
    folder.mkdir()
    with pytest.raises(WeightsError, match="is a folder"):
        load_weights(folder)
    with pytest.raises(WeightsError, match="is a folder"):
        read_weights_metadata(folder)
    with pytest.raises(WeightsError, match="no such weights file"):
        load_weights(tmp_path / "missing.pt")


def test_a_safetensors_header_that_begins_like_a_pickle_still_reads_as_safetensors(tmp_path, state):
    path = tmp_path / "w.safetensors"
    for pad in range(0, 2000, 7):  # header lengths from 0x0280 up begin with the bytes 0x80 0x02
        save_file(state, str(path), metadata={"pad": "x" * pad})
        head = path.read_bytes()[:2]
        if head[0] == 0x80 and head[1] in (2, 3, 4, 5):
            break
    else:
        pytest.skip("no header length of that shape came up")
    assert same(load_weights(path), state)
    assert read_weights_metadata(path)["pad"] == "x" * pad
