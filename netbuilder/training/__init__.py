"""Training, headless: ``TrainConfig``, ``train(model, data, config, control)`` (a generator of plain
events), ``Control``, checkpoints, weights, and ``seed_everything(seed)`` / ``seeded(seed)`` so a seed
fixes the initial weights too. Imports torch lazily; never Qt.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TrainConfig", "ConfigError", "Control", "train", "save_weights", "load_weights", "WeightsError",
           "seed_everything", "seeded"]

_WHERE = {"TrainConfig": "config", "ConfigError": "config", "Control": "control", "train": "engine",
          "save_weights": "weights", "load_weights": "weights", "WeightsError": "weights",
          "seed_everything": "parts", "seeded": "parts"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"netbuilder.training.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'netbuilder.training' has no attribute {name!r}")
