"""Carrying out a lesson's actions on a ``LessonState`` headless (``lessons --verify``; tests).

Design changes go through ``netbuilder.graph.edits`` (the edits the window's Document pushes); what needs
torch (training, attacks, explanations, a dataset's shape) is asked of an ``Engine``, which the caller
provides (``netbuilder.commands.lessons`` has the torch one). Imports: graph, layers, io, presets, choices.
"""

from __future__ import annotations

import copy
import os
from typing import Any, Protocol

from netbuilder import choices
from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Edge, Node
from netbuilder.graph import edits as E
from netbuilder.layers import canonical_kind, get_spec
from netbuilder.lessons.model import Action, LessonError
from netbuilder.lessons.state import LessonState, network_signature, resolve_node
from netbuilder.paths import resource

DEFAULT_DATASET = "digits"  # what the window binds a design without a dataset to


class Engine(Protocol):
    """What actions need from torch: plain values in, plain values out."""

    def reset(self) -> None:
        """Forget the trained model: a new design was opened (the window starts it from fresh weights)."""

    def dataset_shape(self, dataset: dict[str, Any]) -> tuple[list[int], int]:
        """(input shape, number of classes) of ``{"name": ..., **options}``."""

    def train(self, design: Design, settings: dict[str, Any]) -> dict[str, float]:
        """Train ``design`` (keeping the weights that still fit from the last run, unless ``reset`` was called
        since: then from fresh weights made with the seed); the final metrics."""

    def attack(self, design: Design, method: str, epsilon: float) -> dict[str, Any]:
        """Attack one correctly classified test example; ``original_class`` and ``adversarial_class``."""

    def explain(self, design: Design, method: str, layer: str | None) -> bool:
        """Compute an explanation map for one test example; whether it is not blank."""


def _node(state: LessonState, ref: str, action: Action) -> str:
    node = resolve_node(ref, state)
    if node is None:
        raise LessonError(f"{action['do']}: the design has no node {ref!r}")
    return node


def _fit(state: LessonState, engine: Engine) -> None:
    """Fit the design to its dataset (input shape and classes), as the window's Fit button does."""
    from netbuilder.presets import fit_design

    design = state.design
    if not design.dataset.get("name"):
        design.dataset = {"name": DEFAULT_DATASET}
    shape, classes = engine.dataset_shape(design.dataset)
    state.design = fit_design(design, shape, classes)
    state.design_changed()


def design_for(action: Action, base_dir: str):
    """The design an ``open_design`` action names (a preset, a bundled example or a file beside the
    lesson), bound to the action's dataset when it names one. The window and the verifier both use it."""
    from netbuilder.io import load_design
    from netbuilder.presets import build_preset

    if "preset" in action:
        design = build_preset(action["preset"])
    elif "example" in action:
        design = load_design(resource("examples", action["example"].removesuffix(".nbd") + ".nbd"))
    else:
        design = load_design(os.path.join(base_dir, action["file"]))
    if "dataset" in action:
        design.dataset = {"name": action["dataset"], **action.get("dataset_options", {})}
    return design


def _open(action: Action, state: LessonState, engine: Engine, base_dir: str) -> None:
    design = design_for(action, base_dir)
    engine.reset()
    state.design, state.selected, state.settings = design, None, None
    state.metrics, state.prediction, state.explanations = {}, {}, {}
    state.design_changed()
    if "dataset" in action:  # a preset opened for a dataset is fitted to it (the gallery's Fit); files fit already
        _fit(state, engine)


def _set_setting(action: Action, state: LessonState) -> None:
    training = choices.merged_settings(state.design.training)
    key, value = action["key"], copy.deepcopy(action["value"])
    if key.startswith("augmentation."):
        training["augmentation"][key.split(".", 1)[1]] = value
    else:
        training[key] = value
    state.design.training = training


def _set_param(action: Action, state: LessonState) -> None:
    node = _node(state, action["node"], action)
    kind = state.design.graph.node(node).kind
    spec = next((p for p in get_spec(kind).params if p.name == action["param"]), None)
    if spec is None:
        raise LessonError(f"set_param: {kind} has no setting {action['param']!r}")
    problem = spec.check(action["value"])
    if problem:
        raise LessonError(f"set_param: {node}: {problem}")
    E.SetParam(node, action["param"], action["value"]).apply(state.design.graph)


def _add_layer(action: Action, state: LessonState) -> None:
    """Insert a new node right after ``after``: what followed ``after`` now follows the new node."""
    graph = state.design.graph
    after = _node(state, action["after"], action)
    kind = canonical_kind(action["kind"])
    node_id = action.get("id") or graph.new_id(kind)
    x, y = graph.node(after).pos
    steps: list[E.Edit] = [E.AddNode(Node(node_id, kind, dict(action.get("params", {})), (x, y + 60.0)))]
    for edge in graph.outgoing(after):
        steps += [E.RemoveEdge(edge), E.AddEdge(Edge(node_id, edge.dst, edge.port))]
    steps.append(E.AddEdge(Edge(after, node_id, 0)))
    E.Compound(steps, f"add {node_id}").apply(graph)
    state.selected = node_id


def _remove_layer(action: Action, state: LessonState) -> None:
    """Delete a node and join its input to what followed it."""
    graph = state.design.graph
    node = _node(state, action["node"], action)
    steps: list[E.Edit] = [E.RemoveNode(node), *(E.AddEdge(e) for e in graph.bridges([node]))]
    E.Compound(steps, f"delete {node}").apply(graph)
    if state.selected == node:
        state.selected = None


def apply_action(action: Action, state: LessonState, engine: Engine, base_dir: str = ".") -> None:
    """Carry out one action on ``state``; raises LessonError (or the library's own error) saying why not."""
    kind = action["do"]
    if kind == "switch_view":
        state.view = action["view"]
        return
    if kind == "open_design":
        _open(action, state, engine, base_dir)
        return
    if state.design is None:
        raise LessonError(f"{kind}: no design is open (start the lesson with an open_design action)")
    try:
        if kind == "set_dataset":
            state.design.dataset = {"name": action["name"], **action.get("options", {})}
            state.metrics, state.prediction, state.explanations = {}, {}, {}  # results of the old data
            _fit(state, engine)
        elif kind == "select_node":
            state.selected = _node(state, action["node"], action)
        elif kind == "set_setting":
            _set_setting(action, state)
        elif kind == "set_param":
            _set_param(action, state)
        elif kind == "add_layer":
            _add_layer(action, state)
        elif kind == "remove_layer":
            _remove_layer(action, state)
        elif kind == "start_training":
            _train(action, state, engine)
        elif kind == "attack":
            state.prediction = engine.attack(state.design, action.get("method", "fgsm"), action.get("epsilon", 0.1))
        elif kind == "explain":
            layer = _node(state, action["layer"], action) if "layer" in action else None
            made = engine.explain(state.design, action["method"], layer)
            state.explanations[action["method"]] = made
            if layer is not None:  # (where it was computed: an ``explained`` check may name the layer)
                state.explanations[f"{action['method']}@{layer}"] = made
    finally:
        state.design_changed()


def _train(action: Action, state: LessonState, engine: Engine) -> None:
    if not state.design.dataset.get("name"):
        _fit(state, engine)
    analysis = state.get_analysis()
    if not analysis.valid:
        raise LessonError(f"start_training: the design has problems: {analysis.errors[0]}")
    settings = choices.merged_settings(state.design.training)
    if "epochs" in action:
        settings["epochs"] = action["epochs"]
    if action.get("fresh"):
        engine.reset()  # from fresh weights (the window: Train ▸ Reset Weights), not the last run's
    continued = not action.get("fresh") and bool(state.metrics)  # (a run since the engine was last reset)
    state.runs += 1
    try:
        state.metrics = engine.train(state.design, settings)
        state.run, state.network = state.runs, network_signature(state.design.graph)
        state.continued = continued
    except NetbuilderError as e:
        raise LessonError(f"start_training: {e}") from None
    state.prediction, state.explanations = {}, {}
