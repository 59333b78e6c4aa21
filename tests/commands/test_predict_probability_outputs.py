"""``predict`` reads a design's output as the window, ``evaluate`` and the exports do (``compiler.scores``): a
design that ends in a Softmax gives probabilities already (not softmaxed again), and one ending in a Sigmoid on a
single unit is a yes/no classifier whose ``p`` is the Sigmoid's own output (not squashed a second time)."""

import json

import numpy as np
import pytest
import torch

from netbuilder.cli import main


def _design_text(last: str, units: int) -> str:
    nodes = [("input", "input", {"shape": [1, 8, 8]}), ("flatten", "flatten", {}),
             ("classifier", "dense", {"units": units}), ("last", last, {}), ("output", "output", {})]
    return json.dumps({
        "format": "netbuilder-design", "version": 2, "name": f"ends_in_{last}",
        "nodes": [{"id": i, "kind": k, "params": p, "pos": [0.0, 60.0 * n]} for n, (i, k, p) in enumerate(nodes)],
        "edges": [{"src": a[0], "dst": b[0], "port": 0} for a, b in zip(nodes, nodes[1:])],
        "dataset": {"name": "digits"}, "weights": "net.safetensors"})


def _saved(tmp_path, last: str, units: int, bias: float):
    """A design ending in ``last`` with weights (zero weights, the head's bias ``bias``) saved beside it."""
    from PIL import Image

    from netbuilder.api import load
    from netbuilder.compiler import compile_design
    from netbuilder.training import save_weights

    path = tmp_path / "net.nbd"
    path.write_text(_design_text(last, units))
    model = compile_design(load(path))
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.get_submodule("classifier").bias.copy_(torch.linspace(-3.0, bias, units) if units > 1 else bias)
    names = [str(k) for k in range(max(units, 2))]
    save_weights(model, tmp_path / "net.safetensors",
                 preprocessing={"kind": "image", "mean": [0.0], "std": [1.0], "class_names": names})
    png = tmp_path / "digit.png"
    Image.fromarray(np.zeros((8, 8), np.uint8), "L").save(png)
    return path, png


def _answers(capsys):
    return {a["class"]: a["probability"] for a in json.loads(capsys.readouterr().out)}


def test_predict_shows_a_final_softmaxs_own_probabilities(tmp_path, capsys):
    path, png = _saved(tmp_path, "softmax", 10, 3.0)
    assert main(["predict", str(path), str(png), "--top", "10", "--json"]) == 0
    expected = torch.softmax(torch.linspace(-3.0, 3.0, 10), 0)
    got = _answers(capsys)
    assert got["9"] == pytest.approx(float(expected[9]), abs=1e-5)  # ~0.50, not softmax(softmax) ~0.16
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-4)


def test_predict_reads_a_final_sigmoid_unit_as_its_probability(tmp_path, capsys):
    path, png = _saved(tmp_path, "sigmoid", 1, -2.0)  # sigmoid(-2) = 0.12: class "0" is the answer
    assert main(["predict", str(path), str(png), "--top", "1", "--json"]) == 0
    got = _answers(capsys)
    assert list(got) == ["0"] and got["0"] == pytest.approx(1 - float(torch.sigmoid(torch.tensor(-2.0))), abs=1e-5)
