"""Weights: safetensors round trip, weights-only torch files, refusal of files that run code."""

import pickle

import pytest
import torch

from netbuilder.training.weights import WeightsError, load_weights, save_weights

from .helpers import mlp


def test_safetensors_round_trip(tmp_path):
    model = mlp(4, 3)
    path = save_weights(model, tmp_path / "w.safetensors")
    state = load_weights(path)
    assert state.keys() == model.state_dict().keys()
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_tied_weights_are_saved(tmp_path):
    a = torch.nn.Linear(3, 3)
    state = {"a": a.weight, "b": a.weight}
    loaded = load_weights(save_weights(state, tmp_path / "t.safetensors"))
    assert torch.equal(loaded["a"], loaded["b"])


def test_plain_tensor_file_loads_with_weights_only(tmp_path):
    model = mlp(4, 3)
    torch.save(model.state_dict(), tmp_path / "w.pt")
    assert load_weights(tmp_path / "w.pt").keys() == model.state_dict().keys()


class Evil:
    def __reduce__(self):
        return (print, ("this would run",))


def test_a_file_that_would_run_code_is_refused(tmp_path):
    with open(tmp_path / "evil.pt", "wb") as f:
        pickle.dump({"w": Evil()}, f, protocol=2)
    with pytest.raises(WeightsError, match="refused, loading it would run code"):
        load_weights(tmp_path / "evil.pt")
    torch.save(mlp(4, 3), tmp_path / "module.pth")  # a whole pickled module: refused too
    with pytest.raises(WeightsError, match="refused"):
        load_weights(tmp_path / "module.pth")


def test_wrong_suffix_is_refused(tmp_path):
    with pytest.raises(WeightsError, match="safetensors"):
        save_weights(mlp(2, 2), tmp_path / "w.pt")


def test_preprocessing_is_stored_with_the_weights(tmp_path):
    from netbuilder.training.weights import read_weights_metadata

    prep = {"mean": [0.5, 0.25], "std": [0.1, 0.2], "kind": "table", "input_shape": [2], "scale": 1.0}
    path = save_weights(mlp(2, 3), tmp_path / "w.safetensors", metadata={"format": "netbuilder"},
                        preprocessing=prep)
    meta = read_weights_metadata(path)
    assert meta["format"] == "netbuilder" and meta["preprocessing"]["mean"] == [0.5, 0.25]
    assert meta["preprocessing"]["kind"] == "table" and meta["preprocessing"]["class_names"] == []
    torch.save(mlp(2, 3).state_dict(), tmp_path / "w.pt")
    assert read_weights_metadata(tmp_path / "w.pt") == {"preprocessing": None}  # a torch file says nothing


def test_a_damaged_preprocessing_record_is_named(tmp_path):
    from safetensors.torch import save_file

    from netbuilder.training.weights import read_weights_metadata

    save_file({"w": torch.zeros(2)}, str(tmp_path / "w.safetensors"), metadata={"preprocessing": "{not json"})
    with pytest.raises(WeightsError, match="preprocessing record is damaged"):
        read_weights_metadata(tmp_path / "w.safetensors")
