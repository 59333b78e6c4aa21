"""The training window's plain helpers (no Qt): settings defaults and choices mirror TrainConfig,
weights that still fit a changed network, smoothing, CSV, mismatch sentences, file names."""

from __future__ import annotations

import math

from netbuilder.ui.training import settings as S


def test_defaults_and_choices_mirror_the_engine():
    from netbuilder.training import config
    from netbuilder.training.control import LIVE_SETTINGS

    assert S.DEFAULTS == config.TrainConfig().to_dict()
    assert (S.OPTIMIZERS, S.LOSSES, S.BATCH_MODES, S.SCHEDULES, S.DEVICES) == (
        config.OPTIMIZERS, config.LOSSES, config.BATCH_MODES, config.SCHEDULES, config.DEVICES)
    assert set(S.LIVE) == LIVE_SETTINGS


def test_merged_settings_keeps_known_keys_only():
    merged = S.merged_settings({"lr": 0.1, "bogus": 1, "augmentation": {"flip": True, "x": 2}})
    assert merged["lr"] == 0.1 and "bogus" not in merged
    assert merged["augmentation"] == {"flip": True, "shift": 0, "rotation": 0.0, "noise": 0.0}
    assert S.merged_settings(None) == S.DEFAULTS and S.merged_settings(None) is not S.DEFAULTS


def test_live_changes_and_their_label():
    old = S.merged_settings({})
    new = dict(old, lr=0.05, batch_size=128, epochs=99)
    changes = S.live_changes(old, new)
    assert changes == {"lr": 0.05, "batch_size": 128}
    assert S.describe_change(old, changes) == f"lr {old['lr']:g}→0.05, batch {old['batch_size']}→128"


def test_unchanged_layers_keep_their_weights():
    old = {"conv.weight": (8, 1, 3, 3), "conv.bias": (8,), "fc.weight": (10, 32), "fc.bias": (10,)}
    new = {"conv.weight": (8, 1, 3, 3), "conv.bias": (8,), "fc.weight": (10, 16), "fc.bias": (10,),
           "extra.weight": (2, 2)}
    kept, dropped = S.compatible_keys(old, new)
    assert kept == ["conv.weight", "conv.bias"]
    assert dropped == ["fc.weight", "fc.bias", "extra.weight"]
    assert S.layers_of(kept) == ["conv"]


def test_structure_signature_ignores_positions():
    from netbuilder.ui.app import build_digits_cnn

    a = build_digits_cnn()
    b = a.copy()
    b.graph.set_pos("dense_1", (500.0, 20.0))
    assert S.structure_signature(a.graph) == S.structure_signature(b.graph)
    b.graph.set_param("dense_1", "units", 7)
    assert S.structure_signature(a.graph) != S.structure_signature(b.graph)
    assert S.input_shape_of(a.graph) == [1, 8, 8]


def test_metrics_csv_has_the_columns():
    text = S.metrics_csv([{"run": "run 1", "kind": "step", "epoch": 1, "step": 3, "loss": 0.5}])
    lines = text.splitlines()
    assert lines[0] == ",".join(S.METRIC_COLUMNS)
    assert lines[1] == "run 1,step,1,3,0.5,,,,"


def test_mismatch_sentences_and_names():
    assert S.mismatch([1, 8, 8], 10, [1, 8, 8], 10) is None
    assert S.mismatch([1, 8, 8], 1, [2], 2) == "the design takes inputs of shape 1×8×8 but the dataset's are 2"
    assert "predicts 6 classes but the dataset has 10" in S.mismatch([1, 8, 8], 6, [1, 8, 8], 10)
    from netbuilder.io import weights_path_for

    assert weights_path_for("/d/my net.nbd").name == "my net.safetensors"  # named after the design file
    assert S.format_eta(75) == "1:15" and S.format_eta(3725) == "1:02:05" and S.format_eta(math.nan) == "–"
    assert S.format_duration(0.84) == "0.8 s" and S.format_duration(19.4) == "19 s" and S.format_duration(75) == "1:15"
    assert S.format_rate(12345) == "12k samples/s"


def test_the_datasets_line_says_how_much_of_the_training_set_a_run_uses(window, trainer, qtbot):
    info = trainer.panel.dataset_info
    assert "1,257 train · 270 validation" in info.text()
    window.document.set_training_value("train_fraction", 0.5)  # (the Overfitting lab's slider, a lesson)
    assert "1,257 train (628 used: 50%) · 270 validation" in info.text()
    window.document.undo_stack.undo()
    assert "1,257 train · 270 validation" in info.text()
