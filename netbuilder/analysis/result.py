"""What analysis says about a design: per-node shapes and costs, totals, diagnostics.

Imports: layers only (no torch). Built by ``netbuilder.analysis.analyze``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netbuilder.layers import Shape


@dataclass(frozen=True)
class Diagnostic:
    """A problem in plain language, attached to a node (or to the whole design when node_id is None).

    ``code`` is stable for tests and the UI: needs_flatten, merge_mismatch, spatial_too_small,
    unconnected, no_path, no_input, no_output, param_out_of_bounds, unknown_param, too_large,
    missing_input, too_many_inputs, too_many_outputs, unknown_kind, and the shape rules' own codes:
    needs_image, groups, same_needs_stride_1, padding_too_large, shape (any other shape rule failure).
    ``severity`` is "error" (cannot compile) or "warning" (compiles, but probably not meant)."""

    node_id: str | None
    code: str
    message: str
    fix: str = ""
    severity: str = "error"
    param: str | None = None

    def __str__(self) -> str:
        where = f"{self.node_id}: " if self.node_id else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"{where}{self.message}{fix}"


@dataclass
class NodeInfo:
    kind: str
    in_shapes: list[Shape] = field(default_factory=list)
    shape: Shape | None = None  # None when it could not be inferred
    params: int = 0
    buffers: int = 0
    macs: int = 0


@dataclass
class Analysis:
    nodes: dict[str, NodeInfo]
    diagnostics: list[Diagnostic]
    order: list[str]  # topological order
    total_params: int = 0  # every parameter is trainable; totals count the layers on_path (all while none is)
    total_macs: int = 0  # multiply-accumulates for one sample
    total_buffers: int = 0  # non-trainable numbers (BatchNorm running statistics)
    on_path: frozenset[str] = frozenset()  # nodes on a path from an input to the output
    memory_limit_bytes: int = 0  # what the too_large check compared against

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def for_node(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.node_id == node_id]
