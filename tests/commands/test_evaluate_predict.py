"""``evaluate`` (same split, same numbers as training's report) and ``predict`` (images read as the
design's input, scaled to [0, 1], normalised by the model itself)."""

import json

import pytest

from netbuilder.cli import main


def test_evaluate_json_equals_the_reports_test_accuracy(trained_run, capsys):
    out, report = trained_run
    assert main(["evaluate", str(out / "mlp.nbd"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["accuracy"] == report["test_accuracy"]
    assert result["loss"] == pytest.approx(report["test_loss"], rel=1e-6)
    assert result["confusion"] == report["confusion"] and result["split"] == "test"
    assert set(result["per_class_accuracy"]) == set(report["class_names"])


def test_evaluate_the_validation_split_equals_the_last_epochs(trained_run, capsys):
    out, report = trained_run
    assert main(["evaluate", str(out / "mlp.nbd"), "--dataset", "digits", "--split", "val", "--json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == pytest.approx(report["val_accuracy"], abs=1e-12)


def test_evaluate_prints_accuracy_per_class_and_the_confusion_matrix(trained_run, capsys):
    out, _ = trained_run
    assert main(["evaluate", str(out / "mlp.nbd"), "-q"]) == 0
    text = capsys.readouterr().out
    assert "digits test split, 270 examples: accuracy" in text
    assert "per class:" in text and "confusion matrix" in text


def test_evaluate_without_weights_is_one_line(tmp_path, capsys):
    from netbuilder.api import load, save

    save(load("mlp"), tmp_path / "new.nbd")
    assert main(["evaluate", str(tmp_path / "new.nbd"), "--dataset", "digits"]) == 2
    err = capsys.readouterr().err
    assert "no trained weights" in err and "names no weights file" in err


def test_predict_names_each_images_classes(trained_run, digit_images, capsys):
    out, _ = trained_run
    files = [str(p) for p, _ in digit_images]
    assert main(["predict", str(out / "mlp.nbd"), *files, "--top", "2", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)
    assert len(answers) == 6 and {a["file"] for a in answers} == set(files)
    assert all(set(a) == {"file", "class", "probability"} and 0 <= a["probability"] <= 1 for a in answers)
    best = {a["file"]: a["class"] for a in answers[::2]}
    assert sum(best[str(p)] == label for p, label in digit_images) >= 2  # a 2-epoch MLP gets most right
    assert main(["predict", str(out / "mlp.nbd"), files[0], "--top", "1"]) == 0
    assert capsys.readouterr().out.startswith(f"{files[0]}: ")


def test_predict_reads_images_at_the_designs_shape_and_matches_training_normalisation(trained_run, capsys):
    """The model normalises [0, 1] inputs itself: its answer equals the trained model's on normalised data."""
    import torch

    from netbuilder.api import load
    from netbuilder.commands import _model
    from netbuilder.commands.predict import predict
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset

    out, _ = trained_run
    design, data = load(out / "mlp.nbd"), load_dataset("digits")
    plain = compile_design(design)
    _model.load_weights_into(plain, design, out / "mlp.safetensors")
    selfnorm = _model.compile_normalising(design, _model.read_preprocessing(out / "mlp.safetensors"))
    _model.load_weights_into(selfnorm, design, out / "mlp.safetensors")
    raw = data.x_test[:16]
    with torch.no_grad():
        expected = plain.eval()(data.normalize(raw)).softmax(1).max(1).values
    got = [p for ((_, p),) in predict(selfnorm, raw.float() * data.scale, data.class_names, 1)]
    assert got == pytest.approx(expected.tolist(), abs=1e-5)


def test_predict_refuses_a_design_whose_input_is_not_an_image(tmp_path, capsys):
    from netbuilder.cli import main as cli

    assert cli(["train", "playground", "--dataset", "circle", "--epochs", "1", "--out", str(tmp_path), "-q"]) == 0
    (tmp_path / "x.png").write_bytes(b"")
    capsys.readouterr()
    assert cli(["predict", str(tmp_path / "playground.nbd"), str(tmp_path / "x.png")]) == 2
    assert "reads images" in capsys.readouterr().err


def test_evaluate_normalises_the_data_as_the_weights_were_trained(trained_run, capsys, tmp_path):
    """Weights that learnt another normalisation (a teacher's image folder, ImageNet) are evaluated on data
    normalised their way, as the window and ``predict`` feed them, and the output says so."""
    import torch
    import torch.nn.functional as F

    from netbuilder.api import load
    from netbuilder.commands import _model
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset
    from netbuilder.training import load_weights, save_weights

    out, report = trained_run
    data = load_dataset("digits")
    other = {**data.preprocessing(), "mean": [0.5], "std": [0.25]}
    weights = tmp_path / "other.safetensors"
    save_weights(load_weights(out / "mlp.safetensors"), weights, preprocessing=other)
    assert main(["evaluate", str(out / "mlp.nbd"), "--weights", str(weights), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    design = load(out / "mlp.nbd")
    model = compile_design(design)
    _model.load_weights_into(model, design, weights)
    with torch.no_grad():
        x = (data.x_test.float() * data.scale - 0.5) / 0.25
        want = F.cross_entropy(model(x), data.y_test).item()
    assert result["loss"] == pytest.approx(want, rel=1e-5) and result["loss"] != pytest.approx(report["test_loss"])
    assert main(["evaluate", str(out / "mlp.nbd"), "--weights", str(weights)]) == 0
    assert "normalising digits as other.safetensors was trained (mean 0.5, std 0.25)" in capsys.readouterr().err


def test_evaluation_batches_are_no_larger_than_the_free_memory_holds(trained_run, monkeypatch):
    """The test split after ``train`` and ``evaluate`` read batches that fit the free memory (VGG-16 at 224
    in batches of 1024 would not), with the same numbers as one large batch."""
    import torch

    from netbuilder.api import load
    from netbuilder.commands import _model
    from netbuilder.commands.evaluate import evaluate_model
    from netbuilder.compiler import compile_design
    from netbuilder.data import load_dataset
    from netbuilder.training import feed, memory

    out, _ = trained_run
    design, data = load(out / "mlp.nbd"), load_dataset("digits")
    model = compile_design(design)
    _model.load_weights_into(model, design, out / "mlp.safetensors")
    whole = evaluate_model(model, data, "test")
    sizes = []
    real = feed.split_batches
    monkeypatch.setattr(feed, "split_batches", lambda d, s, b, dev: sizes.append(b) or real(d, s, b, dev))
    per_sample = memory.activation_bytes(model, torch.zeros(1, *data.input_shape), None)
    monkeypatch.setattr(memory, "available", lambda device: (memory.OVERHEAD + 50 * per_sample, True))
    small = evaluate_model(model, data, "test")
    assert sizes == [50]
    assert small["accuracy"] == whole["accuracy"] and small["loss"] == pytest.approx(whole["loss"], rel=1e-5)


def test_weights_without_a_record_are_normalised_alike_by_predict_export_and_evaluate(trained_run, tmp_path, capsys):
    """An old-format weights file (no preprocessing recorded): predict and export normalise as the design's
    dataset is normalised, as evaluate and the window do (predict used ImageNet's, export none), and say so."""
    import importlib.util

    import numpy as np
    import torch

    from netbuilder.api import load
    from netbuilder.data import load_dataset
    from netbuilder.training import load_weights, save_weights

    out, _ = trained_run
    bare = tmp_path / "bare.safetensors"
    save_weights(load_weights(out / "mlp.safetensors"), bare)  # no preprocessing recorded
    data = load_dataset("digits")
    png = tmp_path / "digit.png"
    from PIL import Image

    a = (data.x_test[0, 0].numpy().astype("float32") * data.scale * 255).round().astype("uint8")
    Image.fromarray(a, "L").save(png)
    assert main(["predict", str(out / "mlp.nbd"), str(png), "--weights", str(bare), "--top", "10", "--json"]) == 0
    captured = capsys.readouterr()
    assert "records no preprocessing; normalising as digits is" in captured.err
    by_predict = {r["class"]: r["probability"] for r in json.loads(captured.out)}
    assert main(["export", str(out / "mlp.nbd"), "--weights", str(bare), "-o", str(tmp_path / "net.py")]) == 0
    spec = importlib.util.spec_from_file_location("bare_net", tmp_path / "net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x = torch.as_tensor(a.astype(np.float32) / 255.0)[None, None]
    with torch.no_grad():
        exported = torch.softmax(module.load_model().eval()(x), 1)[0]
    names = load(out / "mlp.nbd").dataset.get("class_names") or data.class_names
    for k, p in enumerate(exported.tolist()):
        assert by_predict[str(names[k])] == pytest.approx(p, abs=1e-5)


def test_evaluate_of_untrained_layers_does_not_send_the_student_to_partial(trained_run, tmp_path, capsys):
    from netbuilder.api import load, save
    from netbuilder.training import load_weights, save_weights

    out, _ = trained_run
    design = load(out / "mlp.nbd")
    state = load_weights(out / "mlp.safetensors")
    first = sorted({k.split(".")[0] for k in state})[0]
    save_weights({k: v for k, v in state.items() if not k.startswith(first + ".")}, tmp_path / "some.safetensors")
    save(design, tmp_path / "mlp.nbd")
    for partial in ([], ["--partial"]):
        assert main(["evaluate", str(tmp_path / "mlp.nbd"), "--weights", str(tmp_path / "some.safetensors"),
                     *partial]) == 2
        err = capsys.readouterr().err
        assert first in err and "train the design first" in err and "--partial" not in err
