"""The commands pick a design file's weights by the window's rule (``io.design_weights_file``): the file its
``weights`` entry names, whatever the design file is called; ``"weights": null`` is untrained even beside a
file named after the design. (They used ``<file stem>.safetensors`` and ignored the entry: a renamed
design was refused by ``evaluate`` and exported untrained; a leftover file was used.)"""

from __future__ import annotations

import argparse
import json
import shutil

import pytest

from netbuilder.cli import main


def _copy_design(src, dst, weights="keep"):
    data = json.loads(src.read_text(encoding="utf-8"))
    if weights != "keep":
        data["weights"] = weights
    dst.write_text(json.dumps(data), encoding="utf-8")
    return dst


@pytest.fixture
def renamed(trained_run, tmp_path):
    """lab3.nbd (naming lab3.safetensors) renamed lab3_alice.nbd by a student."""
    out, report = trained_run
    shutil.copy(out / "mlp.safetensors", tmp_path / "lab3.safetensors")
    design = _copy_design(out / "mlp.nbd", tmp_path / "lab3_alice.nbd", "lab3.safetensors")
    return design, report


def test_a_renamed_design_evaluates_with_the_weights_it_names(renamed, capsys):
    design, report = renamed
    assert main(["evaluate", str(design), "--dataset", "digits", "--json"]) == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert result["accuracy"] == pytest.approx(report["test_accuracy"])


def test_a_renamed_design_exports_trained(renamed, tmp_path, capsys):
    design, _ = renamed
    assert main(["export", str(design), "-o", str(tmp_path / "net.py")]) == 0
    captured = capsys.readouterr()
    assert "untrained" not in captured.out + captured.err
    assert "lab3.safetensors" in captured.err  # "loaded 3 of 3 layers from lab3.safetensors"
    assert (tmp_path / "net.weights.safetensors").is_file()


def test_a_renamed_design_predicts_with_the_class_names_its_weights_record(renamed, digit_images, capsys):
    design, _ = renamed
    path, label = digit_images[0]
    assert main(["predict", str(design), str(path), "--top", "1", "--json"]) == 0, capsys.readouterr().err
    (answer,) = json.loads(capsys.readouterr().out)
    assert not answer["class"].startswith("class ")  # a name from the weights file's record


def test_null_weights_beside_a_leftover_file_are_untrained_everywhere(trained_run, tmp_path, capsys):
    from netbuilder.api import design_weights, export
    from netbuilder.commands import _model

    out, _ = trained_run
    shutil.copy(out / "mlp.safetensors", tmp_path / "X.safetensors")
    design_file = _copy_design(out / "mlp.nbd", tmp_path / "X.nbd", None)
    assert main(["evaluate", str(design_file), "--dataset", "digits"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no trained weights" in err and "give --weights X.safetensors" in err and len(err.splitlines()) == 1
    assert main(["export", str(design_file), "-o", str(tmp_path / "x.py")]) == 0
    assert "untrained" in capsys.readouterr().out
    assert design_weights(design_file) is None
    assert export(design_file, tmp_path / "api.py").trained is False
    from netbuilder.api import load

    args = argparse.Namespace(design=str(design_file), weights=None)
    assert _model.chosen_weights(args, load(design_file)) is None  # what ``train`` would continue from


def test_weights_named_but_missing_are_said_by_name(trained_run, tmp_path, capsys):
    out, _ = trained_run
    shutil.copy(out / "mlp.safetensors", tmp_path / "net.safetensors")  # not the one it names
    design_file = _copy_design(out / "mlp.nbd", tmp_path / "net.nbd", "gone.safetensors")
    assert main(["predict", str(design_file), str(tmp_path / "none.png")]) == 2
    err = capsys.readouterr().err
    assert "it names the weights file gone.safetensors, which is not beside it" in err


def test_the_api_and_the_commands_agree_on_a_renamed_design(renamed):
    from netbuilder.api import design_weights, load
    from netbuilder.commands import _model

    design_file, _ = renamed
    args = argparse.Namespace(design=str(design_file), weights=None)
    assert design_weights(design_file) == _model.chosen_weights(args, load(design_file)) \
        == design_file.parent / "lab3.safetensors"
