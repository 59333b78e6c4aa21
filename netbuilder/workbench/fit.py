"""Whether a design, its weights and its dataset belong together, in plain values (no torch, no Qt):
the structure signature that decides a network's weights, which trained weights still fit a changed
network, and whether a design takes a dataset's inputs and predicts its classes.

Imports the graph package only.
"""

from __future__ import annotations

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


def layers_of(keys: Iterable[str]) -> list[str]:
    """The layer (node id) names of state-dict keys, in order, once each."""
    return list(dict.fromkeys(k.rsplit(".", 1)[0] for k in keys))


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
