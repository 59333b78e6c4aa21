"""A design: the graph plus what a design file carries beside it (name, layout, dataset and
training settings, a reference to trained weights)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from netbuilder.graph.model import Graph


@dataclass
class Design:
    graph: Graph = field(default_factory=Graph)
    name: str = "untitled"
    description: str = ""
    layout: dict[str, Any] = field(default_factory=lambda: {"direction": "TB"})
    dataset: dict[str, Any] = field(default_factory=dict)  # e.g. {"name": "digits", "val_fraction": 0.1}
    training: dict[str, Any] = field(default_factory=dict)  # e.g. {"optimizer": "adam", "lr": 1e-3}
    weights: str | None = None  # file name of trained weights beside the design file
    meta: dict[str, Any] = field(default_factory=dict)  # free-form (e.g. the preset it came from)

    def copy(self) -> Design:
        return Design(self.graph.copy(), self.name, self.description, copy.deepcopy(self.layout),
                      copy.deepcopy(self.dataset), copy.deepcopy(self.training), self.weights,
                      copy.deepcopy(self.meta))
