"""The student's live state as plain values: what checks and questions look at.

The window fills one from its Document, workbench and views; ``lessons --verify`` from its own session.
Imports: graph, layers, analysis, choices.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

from netbuilder import choices
from netbuilder.analysis import Analysis, analyze
from netbuilder.graph import Design, Graph
from netbuilder.layers import get_spec, has_kind


def network_signature(graph: Graph) -> tuple:
    """What makes a network the same one for a run's results: its nodes (id, kind, settings with the
    catalogue's defaults filled in) and edges; positions and training settings are left out."""
    nodes = []
    for node in graph.iter_nodes():
        params = dict(node.params)
        if has_kind(node.kind):  # (a kind the catalogue does not know: its settings as they are)
            params = {p.name: p.default for p in get_spec(node.kind).params} | params
        nodes.append((node.id, node.kind, repr(sorted(params.items()))))
    return tuple(sorted(nodes)), tuple(sorted((e.src, e.dst, e.port) for e in graph.edges))


def network_id(signature: tuple) -> str:
    """A short stable text for a network signature (kept with a student's progress)."""
    return hashlib.sha1(repr(signature).encode()).hexdigest()[:16]


@dataclass
class LessonState:
    """``metrics``: the last finished run (``train_accuracy``, ``val_accuracy``, ``test_accuracy``, the
    losses, ``epochs``, ``best_epoch``: Finished's fields). ``settings``: the training settings (None: the
    design's, merged with the defaults). ``prediction``: the last attack (``original_class``,
    ``adversarial_class``, optionally ``true_class`` and ``epsilon``). ``explanations``: method -> whether a
    non-blank map was computed (saliency, grad_cam, occlusion). ``view``: the workspace or dock shown.
    ``network``: the ``network_signature`` of the network the run of ``metrics`` trained (None: not known,
    taken as the design's). ``continued``: that run trained on from the weights an earlier run left (not from
    fresh ones: Train again without Reset Weights)."""

    design: Design | None = None
    analysis: Analysis | None = None  # None: computed on first use
    metrics: dict[str, float] = field(default_factory=dict)
    selected: str | None = None
    settings: dict[str, Any] | None = None
    view: str | None = None
    prediction: dict[str, Any] = field(default_factory=dict)
    explanations: dict[str, bool] = field(default_factory=dict)
    run: int = 0
    since: int | None = None
    runs: int = 0  # runs started so far (the headless runner counts them; the window's driver does its own)
    network: tuple | None = None
    continued: bool = False

    def fresh_run(self) -> bool:
        """``metrics`` come from a run started in the current step (or no step boundary is known)."""
        return bool(self.metrics) and (self.since is None or self.run > self.since)

    def signature(self) -> tuple | None:
        """The ``network_signature`` of the design as it is now (None: no design)."""
        return network_signature(self.design.graph) if self.design is not None else None

    def run_of_design(self) -> bool:
        """``metrics`` come from a run of the network as the design is now (not of an earlier version)."""
        return self.network is None or self.design is None or self.network == self.signature()

    def get_analysis(self) -> Analysis | None:
        if self.analysis is None and self.design is not None:
            self.analysis = analyze(self.design.graph, memory_limit_bytes=2**40)
        return self.analysis

    def get_settings(self) -> dict[str, Any]:
        if self.settings is not None:
            return choices.merged_settings(self.settings)
        return choices.merged_settings(self.design.training if self.design is not None else None)

    def setting(self, key: str) -> Any:
        """A training setting's value; ``augmentation.flip`` reads inside the augmentation."""
        settings = self.get_settings()
        if key.startswith("augmentation."):
            return settings["augmentation"].get(key.split(".", 1)[1])
        return settings.get(key)

    def design_changed(self) -> None:
        """Forget the analysis (call after editing the design)."""
        self.analysis = None

    def copy(self) -> LessonState:
        return LessonState(self.design.copy() if self.design else None, None, dict(self.metrics), self.selected,
                           copy.deepcopy(self.settings), self.view, dict(self.prediction),
                           dict(self.explanations), self.run, self.since, self.runs, self.network, self.continued)


def nodes_of_kind(design: Design, kind: str, order: list[str] | None = None) -> list[str]:
    """The ids of ``kind``'s nodes in the network's order (topological where known, else file order)."""
    ids = order if order is not None else list(design.graph.nodes)
    return [n for n in ids if n in design.graph.nodes and design.graph.nodes[n].kind == kind]


def resolve_node(ref: str, state: LessonState) -> str | None:
    """A node reference -> a node id, or None: an id (``conv1``), ``selected``, ``kind#n`` (the n-th node of
    that kind in the network's order, from 1), or a kind that no node has as its id and one node has as its
    kind (``output``: the design's one Output, ``output_1`` in a design begun with File ▸ New)."""
    design = state.design
    if design is None:
        return None
    if ref == "selected":
        return state.selected if state.selected in design.graph.nodes else None
    if "#" in ref:
        kind, number = ref.split("#", 1)
        analysis = state.get_analysis()
        ids = nodes_of_kind(design, kind, analysis.order if analysis else None)
        n = int(number)
        return ids[n - 1] if 0 < n <= len(ids) else None
    if ref in design.graph.nodes:
        return ref
    of_kind = nodes_of_kind(design, ref)
    return of_kind[0] if len(of_kind) == 1 else None


def param_value(design: Design, node_id: str, name: str) -> Any:
    """A node's setting, with the catalogue's default when it is not set."""
    node = design.graph.node(node_id)
    if name in node.params:
        return node.params[name]
    spec = get_spec(node.kind)
    return next((p.default for p in spec.params if p.name == name), None)
