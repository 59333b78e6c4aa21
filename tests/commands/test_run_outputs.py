"""``train --out DIR``: the trained design with its dataset, settings and weights; paths checked before
training; a design file continues from its own weights unless --fresh; progress and the result line."""

import json
import time

import pytest

from netbuilder.cli import main

from .conftest import run_cli


def test_out_holds_the_trained_design_its_weights_with_preprocessing_and_the_report(trained_run):
    out, report = trained_run
    from netbuilder.api import load
    from netbuilder.commands._model import read_preprocessing

    assert (out / "mlp.nbd").is_file() and (out / "mlp.safetensors").is_file() and (out / "metrics.csv").is_file()
    design = load(out / "mlp.nbd")
    assert design.dataset["name"] == "digits" and design.weights == "mlp.safetensors"
    assert design.training["epochs"] == 2 and "checkpoint_every" in design.training
    assert design.training["checkpoint_every"] == 0  # the command's checkpoints are not a design setting
    prep = read_preprocessing(out / "mlp.safetensors")
    assert prep["input_shape"] == [1, 8, 8] and prep["class_names"] == [str(i) for i in range(10)]
    assert report["input_shape"] == [1, 8, 8] and report["class_names"] == prep["class_names"]
    assert report["interrupted"] is False and 0 <= report["test_accuracy"] <= 1
    assert report["epochs"] == 2


def test_an_out_naming_an_existing_file_is_refused_before_any_data_is_loaded(tmp_path, capsys, monkeypatch):
    import netbuilder.data

    def no_loading(*a, **k):
        raise AssertionError("data loaded before the output paths were checked")

    monkeypatch.setattr(netbuilder.data, "load_dataset", no_loading)
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    assert main(["train", "mlp", "--dataset", "digits", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "results.txt" in err and "not a folder" in err and len(err.strip().splitlines()) == 1
    assert target.read_text() == "keep me"


def test_an_output_file_that_is_a_folder_is_refused_at_once(tmp_path, capsys):
    (tmp_path / "report.json").mkdir()
    start = time.monotonic()
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "50", "--out", str(tmp_path)]) == 2
    assert time.monotonic() - start < 5
    assert "report.json" in capsys.readouterr().err


def _first_loss(out):
    with open(out / "metrics.csv") as f:
        return float(f.read().splitlines()[1].split(",")[1])


def test_train_a_design_file_continues_from_its_weights_unless_fresh(trained_run, tmp_path, capsys):
    out, _ = trained_run
    design = out / "mlp.nbd"
    assert main(["train", str(design), "--epochs", "1", "--out", str(tmp_path / "more")]) == 0
    err = capsys.readouterr().err
    assert "loaded 2 " in err and "mlp.safetensors" in err
    assert main(["train", str(design), "--epochs", "1", "--fresh", "--out", str(tmp_path / "fresh"), "-q"]) == 0
    assert _first_loss(tmp_path / "more") < 0.6 * _first_loss(tmp_path / "fresh")


def test_weights_option_loads_a_given_file(trained_run, tmp_path, capsys):
    out, _ = trained_run
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "--weights", str(out / "mlp.safetensors"),
                 "--out", str(tmp_path / "w")]) == 0
    assert "loaded 2 " in capsys.readouterr().err
    assert main(["train", "mlp", "--dataset", "digits", "--weights", str(tmp_path / "none.safetensors"),
                 "--out", str(tmp_path / "x")]) == 2
    assert "none.safetensors" in capsys.readouterr().err


def test_frozen_layers_without_weights_to_start_from_are_trained_with_a_note(tmp_path, capsys):
    from netbuilder.api import load, save

    design = load("mlp")
    design.training = {"frozen": ["hidden"]}
    save(design, tmp_path / "tl.nbd")
    assert main(["train", str(tmp_path / "tl.nbd"), "--dataset", "digits", "--epochs", "1", "--out",
                 str(tmp_path / "o"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "no trained weights to start from" in err and "hidden" in err
    assert load(tmp_path / "o" / "tl.nbd").training["frozen"] == ["hidden"]  # the design keeps its setting


def test_quiet_still_prints_the_result_line(tmp_path, capsys):
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "--out", str(tmp_path), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("test accuracy ") and str(tmp_path) in captured.out


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(tmp_path):
    r = run_cli("train", "mlp", "--dataset", "digits", "--epochs", "3", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr
    lines = r.stderr.splitlines()
    assert [ln.split(":")[0] for ln in lines if ln.startswith("epoch ")] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert any(ln.startswith("dataset digits: input 1×8×8") for ln in lines)
    assert r.stdout.startswith("test accuracy")


def test_help_shows_the_shared_defaults(capsys):
    from netbuilder.choices import DEFAULTS

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {DEFAULTS['epochs']})" in text and f"(default: {DEFAULTS['lr']:g})" in text
    assert f"(default: {DEFAULTS['optimizer']})" in text and f"(default: {DEFAULTS['batch_size']})" in text


def test_the_cli_has_no_choices_of_its_own():
    import netbuilder.commands.train as train_command

    assert not hasattr(train_command, "OPTIMIZERS")


@pytest.mark.parametrize("seed", ["-1", "12345678901234567890123"])
def test_a_seed_out_of_range_is_one_line_exit_2(seed, tmp_path):
    r = run_cli("train", "mlp", "--dataset", "digits", "--seed", seed, "--out", tmp_path / "o")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "seed" in r.stderr and "4294967295" in r.stderr
    assert not (tmp_path / "o").exists()  # refused before anything was written


def test_the_seed_never_changes_the_test_split(tmp_path):
    for seed in (0, 7):
        assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "--seed", str(seed), "--out",
                     str(tmp_path / str(seed)), "-q"]) == 0
    confusions = [json.loads((tmp_path / s / "report.json").read_text())["confusion"] for s in ("0", "7")]
    import numpy as np

    rows = [np.asarray(c).sum(axis=1).tolist() for c in confusions]  # examples of each class in the test split
    assert rows[0] == rows[1]
