"""Lesson tests: a small valid lesson to break, and an engine that trains nothing (pure tests need no torch)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

BASE: dict[str, Any] = {
    "format": "netbuilder-lesson", "version": 1, "id": "tiny", "title": "A tiny lesson", "concepts": ["convolution"],
    "minutes": 5, "text": "O = ⌊(W + 2p − k) / s⌋ + 1",
    "steps": [
        {"text": "Open the CNN.", "show_me": [{"do": "open_design", "example": "digits_cnn"},
                                              {"do": "select_node", "node": "conv2d_1"}],
         "checks": [{"check": "has_layer", "kind": "conv2d", "params": {"kernel_size": 3}}],
         "questions": [{"id": "size", "text": "Output size?", "answer_from": {"node": "conv2d_1", "what": "output_size"}},
                       {"id": "mc", "text": "Pick", "choices": ["a", "b"], "answer": 1}]},
        {"text": "Train.", "show_me": {"do": "start_training", "epochs": 1},
         "checks": [{"check": "metric", "name": "val_accuracy", "op": ">=", "value": 0.5, "text": "≥ 50 %"}]},
    ],
}


@pytest.fixture
def lesson_dict() -> dict[str, Any]:
    return copy.deepcopy(BASE)


class FakeEngine:
    """Answers what torch would, with fixed numbers."""

    def __init__(self, metrics: dict[str, float] | None = None, flipped: bool = True):
        self.metrics = metrics or {"train_accuracy": 0.9, "val_accuracy": 0.8, "test_accuracy": 0.8,
                                   "train_loss": 0.3, "val_loss": 0.5, "test_loss": 0.5, "epochs": 1.0,
                                   "best_epoch": 0.0}
        self.flipped, self.trained, self.resets = flipped, [], 0

    def reset(self) -> None:
        self.resets += 1

    def dataset_shape(self, dataset: dict[str, Any]) -> tuple[list[int], int]:
        return ([2], 2) if dataset["name"] in ("circle", "gaussian", "xor", "spiral") else ([1, 8, 8], 10)

    def train(self, design, settings: dict[str, Any]) -> dict[str, float]:
        self.trained.append((design.copy(), dict(settings)))
        return dict(self.metrics)

    def attack(self, design, method: str, epsilon: float) -> dict[str, Any]:
        return {"original_class": 3, "adversarial_class": 5 if self.flipped else 3, "epsilon": epsilon}

    def explain(self, design, method: str, layer: str | None) -> bool:
        return True


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()
