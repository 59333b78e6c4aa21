"""Whether a design, its weights and its dataset belong together, in plain values (no torch, no Qt):
the structure signature that decides a network's weights, which trained weights still fit a changed
network, and whether a design takes a dataset's inputs and predicts its classes.

Imports the graph package only.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence

from netbuilder.graph import Graph


def structure_signature(graph: Graph) -> tuple:
    """What decides a network's weights: nodes (id, kind, settings) and edges; positions are left out."""
    nodes = tuple(sorted((n.id, n.kind, repr(sorted(n.params.items()))) for n in graph.iter_nodes()))
    edges = tuple(sorted((e.src, e.dst, e.port) for e in graph.edges))
    return nodes, edges


def compatible_keys(old: Mapping[str, Sequence[int]], new: Mapping[str, Sequence[int]]) -> tuple[list[str], list[str]]:
    """``(kept, dropped)``: the new network's state-dict keys of the layers whose every tensor matches the
    old one's in name and shape (unchanged layers), and the rest (which start fresh)."""
    def fits(k: str) -> bool:
        return k in old and tuple(old[k]) == tuple(new[k])

    changed = {k.rsplit(".", 1)[0] for k in new if not fits(k)}
    kept = [k for k in new if k.rsplit(".", 1)[0] not in changed]
    return kept, [k for k in new if k.rsplit(".", 1)[0] in changed]


def layer_of(key: str) -> str:
    """The layer (module) name of a state-dict key: ``conv2d_1.weight`` -> ``conv2d_1``."""
    return key.rsplit(".", 1)[0]


def layers_of(keys: Iterable[str]) -> list[str]:
    """The layer (node id) names of state-dict keys, in order, once each."""
    return list(dict.fromkeys(layer_of(k) for k in keys))


def settings_of(design) -> dict[str, tuple[str, dict]]:
    """Every node's kind and settings (a copy), by node id: what a layer's weights were trained with."""
    return {n.id: (n.kind, copy.deepcopy(dict(n.params))) for n in design.graph.iter_nodes()}


def why_fresh(before: tuple[str, dict] | None, after: tuple[str, dict] | None) -> str:
    """Why a layer starts fresh, from the node's kind and settings when it was trained and now."""
    if before is None or after is None or before[0] != after[0]:
        return "it is new"
    changed = [k for k in sorted(set(before[1]) | set(after[1])) if before[1].get(k) != after[1].get(k)]
    if not changed:
        return "its input shape changed"
    return f"its {' and '.join(k.replace('_', ' ') for k in changed)} changed"


def untrained_note(untrained: Mapping[str, str], shown: int = 3) -> str:
    """``but conv2d_1 is untrained (its kernel size changed)``: the fresh layers of partly trained weights."""
    nodes = dict.fromkeys(layer.split(".", 1)[0] for layer in untrained)
    why = {node: next(w for layer, w in untrained.items() if layer.split(".", 1)[0] == node) for node in nodes}
    if len(why) == 1:
        node, reason = next(iter(why.items()))
        return f"but {node} is untrained ({reason})"
    named = [f"{node} ({reason})" for node, reason in list(why.items())[:shown]]
    if len(why) > shown:
        named.append(f"{len(why) - shown} more layers")
    return f"but {', '.join(named[:-1])} and {named[-1]} are untrained"


def input_shape_of(graph: Graph) -> list[int] | None:
    inputs = [n for n in graph.iter_nodes() if n.kind == "input"]
    if len(inputs) != 1:
        return None
    shape = inputs[0].params.get("shape")
    return [int(s) for s in shape] if isinstance(shape, list | tuple) else None


def mismatch(design_shape: Sequence[int] | None, design_classes: int | None, data_shape: Sequence[int],
             data_classes: int) -> str | None:
    """A plain sentence when the design does not take the dataset's inputs or predict its classes."""
    problems = []
    if design_shape is not None and list(design_shape) != list(data_shape):
        problems.append(f"the design takes inputs of shape {'×'.join(map(str, design_shape))} but the dataset's "
                        f"are {'×'.join(map(str, data_shape))}")
    if design_classes is not None and design_classes != data_classes and not (design_classes == 1 and data_classes == 2):
        problems.append(f"the design predicts {design_classes} classes but the dataset has {data_classes}")
    return "; ".join(problems) if problems else None
