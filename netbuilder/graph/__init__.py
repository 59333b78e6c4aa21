"""Pure design model: nodes, ports, edges, groups, ids, events, reversible edits, topology.

Imports the standard library only (no torch, no Qt, no other netbuilder package).
"""

from netbuilder.graph.design import Design
from netbuilder.graph.errors import (
    CycleError,
    DuplicateIdError,
    GraphError,
    NodeNotFoundError,
    PortTakenError,
    UnknownLayerKindError,
)
from netbuilder.graph.model import Edge, Graph, GraphEvent, Group, Node

__all__ = [
    "CycleError",
    "Design",
    "DuplicateIdError",
    "Edge",
    "Graph",
    "GraphError",
    "GraphEvent",
    "Group",
    "Node",
    "NodeNotFoundError",
    "PortTakenError",
    "UnknownLayerKindError",
]
