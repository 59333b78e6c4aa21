"""Run folders hold real results only: a stop before the first epoch saves nothing, a stop later keeps the
last finished epoch's weights, a failed run leaves no empty folder, and an earlier run is never silently
overwritten. Weights that leave layers untrained are refused by evaluate and predict, and a locked layer
the weights did not cover is trained, with a warning. Export names every file; predict says what is missing."""

import json
import os
import signal

import pytest
import torch

from netbuilder.cli import main


def _interrupt_at(monkeypatch, epoch: int) -> None:
    """Send this process SIGINT at the first step of ``epoch`` (0-based): the run stops at the next batch."""
    import netbuilder.training.engine as engine

    original = engine.train

    def train(*args, **kwargs):
        sent = False
        for ev in original(*args, **kwargs):
            if ev.kind == "step" and ev.epoch == epoch and not sent:
                sent = True
                os.kill(os.getpid(), signal.SIGINT)
            yield ev

    monkeypatch.setattr(engine, "train", train)


def test_a_stop_before_the_first_epoch_finished_saves_nothing_and_removes_the_new_folder(
        tmp_path, capsys, monkeypatch):
    _interrupt_at(monkeypatch, 0)
    out = tmp_path / "new" / "run"
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "3", "--batch-size", "8", "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert "interrupted before the first epoch finished: nothing was saved" in captured.out
    assert "wrote" not in captured.out
    assert not out.exists() and not (tmp_path / "new").exists()


def test_a_stop_before_the_first_epoch_keeps_a_folder_the_user_made(tmp_path, capsys, monkeypatch):
    _interrupt_at(monkeypatch, 0)
    out = tmp_path / "mine"
    out.mkdir()
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "3", "--batch-size", "8", "--out", str(out),
                 "-q"]) == 130
    assert out.is_dir() and list(out.iterdir()) == []


def test_a_stop_mid_epoch_keeps_the_weights_of_the_last_finished_epoch(tmp_path, capsys, monkeypatch):
    from safetensors.torch import load_file

    from netbuilder.training.checkpoint import load_checkpoint

    _interrupt_at(monkeypatch, 1)
    out = tmp_path / "run"
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "5", "--batch-size", "8", "--out", str(out),
                 "-q"]) == 130
    assert "epoch 1" in capsys.readouterr().out
    saved = load_file(str(out / "mlp.safetensors"))
    checkpoint, state = load_checkpoint(out)
    assert state["epoch"] == 1 and set(saved) == set(checkpoint)
    for key, value in saved.items():
        assert torch.equal(value, checkpoint[key]), key
    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] is True and report["epochs"] == 1
    monkeypatch.undo()
    assert main(["evaluate", str(out / "mlp.nbd"), "--json", "-q"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["accuracy"] == pytest.approx(report["test_accuracy"], abs=1e-12)


def _head_only(trained_run, folder):
    """The trained mlp's weights without its hidden layer's."""
    from safetensors.torch import load_file, save_file

    out, _ = trained_run
    state = load_file(str(out / "mlp.safetensors"))
    save_file({k: v for k, v in state.items() if not k.startswith("hidden.")}, str(folder / "head.safetensors"))
    return folder / "head.safetensors"


def test_a_failed_train_leaves_no_folder_behind(tmp_path, capsys):
    out = tmp_path / "a" / "b"
    assert main(["train", "mlp", "--dataset", "nosuchset", "--out", str(out)]) == 2
    assert not (tmp_path / "a").exists()


def test_incomplete_weights_without_partial_leave_no_folder(trained_run, tmp_path, capsys):
    head = _head_only(trained_run, tmp_path)
    assert main(["train", "mlp", "--dataset", "digits", "--weights", str(head), "--out", str(tmp_path / "o")]) == 2
    assert "--partial" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_the_default_folder_is_never_overwritten_a_second_run_gets_the_next_number(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "-q"]) == 0
    first = (tmp_path / "runs" / "mlp_digits" / "report.json").read_text()
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "-q"]) == 0
    captured = capsys.readouterr()
    assert (tmp_path / "runs" / "mlp_digits" / "report.json").read_text() == first
    assert (tmp_path / "runs" / "mlp_digits_2" / "mlp.nbd").is_file()
    assert os.path.join("runs", "mlp_digits_2") in captured.err and "already holds a run" in captured.err
    assert os.path.join("runs", "mlp_digits_2") in captured.out


def test_an_explicit_out_holding_results_is_refused_unless_overwrite(trained_run, tmp_path, capsys):
    import shutil

    src, _ = trained_run
    out = tmp_path / "run"
    shutil.copytree(src, out)
    before = (out / "report.json").read_text()
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(out) in err[0] and "--overwrite" in err[0] and "another --out" in err[0]
    assert (out / "report.json").read_text() == before
    assert main(["train", "mlp", "--dataset", "digits", "--epochs", "1", "--out", str(out), "--overwrite", "-q"]) == 0
    assert json.loads((out / "report.json").read_text())["epochs"] == 1


def test_help_names_overwrite_and_the_numbered_default(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--overwrite" in text and "_2" in text


def test_evaluate_refuses_weights_whose_head_would_be_untrained(trained_run, tmp_path, capsys):
    from PIL import Image

    from netbuilder.data import load_dataset

    data = load_dataset("digits")
    for i in range(60):  # three classes of the digits' 8×8 images: the head would need 3 outputs, not 10
        label = int(data.y_train[i]) % 3
        a = (data.x_train[i, 0].numpy() * data.scale * 255).round().clip(0, 255).astype("uint8")
        (tmp_path / "three" / f"c{label}").mkdir(parents=True, exist_ok=True)
        Image.fromarray(a, "L").save(tmp_path / "three" / f"c{label}" / f"{i}.png")
    out, _ = trained_run
    for partial in ([], ["--partial"]):
        assert main(["evaluate", str(out / "mlp.nbd"), "--dataset", str(tmp_path / "three"), *partial, "-q"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "was trained for digits (10 classes)" in err[0], err
        assert "has 3: its head (classifier) would be untrained; fit and train it first" in err[0]


def test_evaluate_and_predict_refuse_a_head_kept_fresh_for_other_classes(trained_run, digit_images, tmp_path,
                                                                          capsys):
    from netbuilder.api import load, save
    from netbuilder.presets import fit_design

    out, _ = trained_run
    design = fit_design(load(out / "mlp.nbd"), [1, 8, 8], 6)
    save(design, tmp_path / "six.nbd")
    weights = str(out / "mlp.safetensors")
    assert main(["predict", str(tmp_path / "six.nbd"), str(digit_images[0][0]), "--weights", weights]) == 2
    err = capsys.readouterr().err
    assert "was trained for digits (10 classes); the design has 6: its head" in err and "train it first" in err


def test_a_locked_layer_the_weights_left_random_is_unlocked_with_a_warning(trained_run, tmp_path, capsys):
    from netbuilder.api import load, save

    out, _ = trained_run
    design = load(out / "mlp.nbd")
    design.training = {**design.training, "frozen": ["hidden"]}
    design.weights = None
    save(design, tmp_path / "tl.nbd")
    _head_only(trained_run, tmp_path)
    assert main(["train", str(tmp_path / "tl.nbd"), "--weights", str(tmp_path / "head.safetensors"), "--partial",
                 "--epochs", "1", "--out", str(tmp_path / "o"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "hidden is locked (frozen) but got no weights from head.safetensors" in err
    assert "unlocks and trains it" in err


def test_export_to_python_names_the_weights_file_too(trained_run, tmp_path, capsys):
    out, _ = trained_run
    assert main(["export", str(out / "mlp.nbd"), "-o", str(tmp_path / "net.py")]) == 0
    text = capsys.readouterr().out
    assert str(tmp_path / "net.py") in text and str(tmp_path / "net.weights.safetensors") in text


def test_export_to_a_folder_says_it_is_a_folder(trained_run, tmp_path, capsys):
    out, _ = trained_run
    assert main(["export", str(out / "mlp.nbd"), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "suffix" not in err


def test_predict_on_a_missing_image_says_no_such_file(trained_run, tmp_path, capsys):
    out, _ = trained_run
    assert main(["predict", str(out / "mlp.nbd"), str(tmp_path / "gone.png")]) == 2
    err = capsys.readouterr().err
    assert "gone.png: no such file" in err and "Errno" not in err
