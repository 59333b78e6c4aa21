"""A CSV with a single class: a warning, and every answer counted right (it was 0 %, or a coin toss)."""

from __future__ import annotations

from netbuilder.data import load_dataset
from netbuilder.presets import build_preset, fit_design


def test_a_single_class_gets_a_warning_and_a_correct_accuracy(tmp_path):
    from netbuilder.compiler import compile_design
    from netbuilder.training import TrainConfig, train

    csv = tmp_path / "one.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i % 5},{i % 3},cat\n" for i in range(60)))
    data = load_dataset(str(csv))
    assert data.num_classes == 1 and any("one class" in w or "single" in w for w in data.info["warnings"])
    design = fit_design(build_preset("playground"), [2], 1)
    events = list(train(compile_design(design), data, TrainConfig(epochs=1, batch_size=16, seed=3)))
    finished = events[-1]
    assert finished.kind == "finished"
    assert finished.train_accuracy == 1.0 and finished.val_accuracy == 1.0 and finished.test_accuracy == 1.0
