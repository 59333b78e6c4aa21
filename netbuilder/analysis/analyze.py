"""Live analysis: walk the design in topological order with the catalogue and give every node its
input shapes, output shape, parameters, buffers and MACs, plus diagnostics in plain language.

Pure Python over tuples (no torch, no numpy, no weights allocated): fast enough to run after every
edit. Never raises for a graph the Graph class can hold; every problem becomes a Diagnostic.
A node whose inputs failed gets shape None and no diagnostic of its own (no cascades).

Memory check (``too_large``): training a layer needs about 4 bytes (float32) × (4 × parameters:
the weights, their gradients and an optimizer's two running averages (Adam's), + buffers) plus
4 bytes × 2 × its output numbers per sample (the output kept for the backward pass, and its gradient)
× a batch of 32. A layer above the limit is an error; a design whose layers together exceed it is a
warning. The limit is ``memory_limit_bytes`` or the
machine's physical memory (read with the standard library).
The design has no batch size here (it is a training setting, and analysis runs on the graph alone): the
texts say they assume a batch of 32, and that Train checks the run's real batch against the memory free
then (``netbuilder.training.memory``, before the first step).
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Mapping
from math import prod

from netbuilder.analysis.result import Analysis, Diagnostic, NodeInfo
from netbuilder.analysis.structure import check_structure
from netbuilder.graph.model import Graph
from netbuilder.layers import LayerSpec, ParamSpec, ShapeError, get_spec
from netbuilder.layers.spec import format_number

BYTES_PER_NUMBER = 4  # float32
BATCH_FOR_MEMORY = 32
COPIES_PER_PARAMETER = 4  # training: the weight, its gradient, and Adam's two running averages
COPIES_PER_OUTPUT = 2  # training: the output kept for the backward pass, and its gradient
FALLBACK_MEMORY = 8 * 2**30


@functools.cache
def physical_memory_bytes() -> int:
    """This machine's physical memory (os.sysconf; Windows through ctypes); 8 GiB if unknown."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        if pages > 0 and size > 0:
            return int(pages * size)
    except (AttributeError, ValueError, OSError):
        pass
    try:  # Windows
        import ctypes

        class _Status(ctypes.Structure):
            _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong),
                        ("total_phys", ctypes.c_ulonglong), ("avail_phys", ctypes.c_ulonglong),
                        ("total_page", ctypes.c_ulonglong), ("avail_page", ctypes.c_ulonglong),
                        ("total_virtual", ctypes.c_ulonglong), ("avail_virtual", ctypes.c_ulonglong),
                        ("avail_ext", ctypes.c_ulonglong)]

        status = _Status()
        status.length = ctypes.sizeof(_Status)
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
            return int(status.total_phys)
    except Exception:  # noqa: BLE001  (any failure means: unknown)
        pass
    return FALLBACK_MEMORY


def format_bytes(n: int) -> str:
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} bytes"


def _resolve_kind(nid: str, kind: object) -> tuple[LayerSpec | None, Diagnostic | None]:
    try:
        return get_spec(kind), None  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001  (UnknownLayerKindError, or a kind that is not even a str)
        suggestion = getattr(exc, "suggestion", None)
        hint = f"change it to {suggestion!r} or " if suggestion else "pick a layer from the palette, or "
        return None, Diagnostic(nid, "unknown_kind", f"Unknown layer kind {kind!r}",
                                f"{hint}delete the node")


def _bounds_fix(spec: ParamSpec) -> str:
    if spec.type == "bool":
        return f"set {spec.name} to true or false"
    if spec.type == "choice":
        return f"choose one of {', '.join(map(str, spec.choices))}"
    if spec.type == "shape":
        return "give 1 number (features) or 3 numbers (channels, height, width), each at least 1"
    low = "" if spec.min is None else format_number(spec.min)
    high = "" if spec.max is None else format_number(spec.max)
    rng = f"between {low} and {high}" if low and high else (f"at least {low}" if low else f"at most {high}")
    extra = f" (or {' / '.join(spec.choices)})" if spec.choices else ""
    return f"set {spec.name} to a {'whole ' if spec.type != 'float' else ''}number {rng}{extra}"


def _param_diagnostics(nid: str, spec: LayerSpec, params: Mapping) -> tuple[list[Diagnostic], bool]:
    """Diagnostics for unknown (warning) and out-of-bounds (error) settings; True when any is an error."""
    out: list[Diagnostic] = []
    bad = False
    for name, problem in spec.check_params(params):
        pspec = spec.param_index.get(name)
        if pspec is None:
            close = difflib.get_close_matches(str(name), list(spec.param_index), n=1)
            fix = f"rename it to {close[0]!r} or delete it" if close else "delete it"
            out.append(Diagnostic(nid, "unknown_param", f"{problem}; it is ignored", fix, "warning", str(name)))
        else:
            bad = True
            out.append(Diagnostic(nid, "param_out_of_bounds", f"{spec.title}: {problem}",
                                  _bounds_fix(pspec), "error", name))
    return out, bad


def _valid_shape(shape: object) -> bool:
    return isinstance(shape, tuple) and len(shape) > 0 and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape)


def analyze(graph: Graph, *, memory_limit_bytes: int | None = None) -> Analysis:
    """Shapes, costs and diagnostics of every node of ``graph``; see the module docstring."""
    limit = int(memory_limit_bytes) if memory_limit_bytes is not None else physical_memory_bytes()
    nodes = graph.nodes
    diags: list[Diagnostic] = []
    pred = graph.predecessors_map()
    succ = graph.successors_map()
    try:
        order = graph.topological_order()
    except ValueError:  # the Graph refuses cycles, but be safe: analyse in insertion order
        order = list(nodes)
        diags.append(Diagnostic(None, "shape", "The design has a loop; data must flow one way",
                                "remove one connection of the loop"))

    specs: dict[str, LayerSpec | None] = {}
    for nid in order:
        specs[nid], d = _resolve_kind(nid, nodes[nid].kind)
        if d is not None:
            diags.append(d)
    struct_diags, on_path, broken = check_structure(order, specs, pred, succ)
    diags.extend(struct_diags)

    infos: dict[str, NodeInfo] = {}
    bytes_of: dict[str, int] = {}  # each layer's training memory at BATCH_FOR_MEMORY
    for nid in order:
        node, spec = nodes[nid], specs[nid]
        info = infos[nid] = NodeInfo(kind=spec.kind if spec else str(node.kind))
        if spec is None:
            continue
        params = node.params if isinstance(node.params, Mapping) else {}
        pdiags, bad_params = _param_diagnostics(nid, spec, params)
        diags.extend(pdiags)
        in_shapes = [infos[e.src].shape if e.src in infos else None for e in pred[nid]]
        if nid in broken or any(s is None for s in in_shapes):
            continue
        info.in_shapes = list(in_shapes)  # type: ignore[arg-type]
        if bad_params:
            continue
        p = spec.resolve(params)
        try:
            shape = spec.shape(p, info.in_shapes)
            if not _valid_shape(shape):
                raise ShapeError(f"{spec.title} would produce an impossible shape {shape!r}",
                                 "check its settings and the layers before it")
            info.params = int(spec.param_count(p, info.in_shapes))
            info.buffers = int(spec.buffers(p, info.in_shapes))
            info.macs = int(spec.macs(p, info.in_shapes, shape))
        except ShapeError as e:
            info.params = info.buffers = info.macs = 0
            diags.append(Diagnostic(nid, e.code, e.message, e.fix, "error", e.param))
            continue
        except Exception as e:  # noqa: BLE001  (a rule that breaks must not break the window)
            info.params = info.buffers = info.macs = 0
            diags.append(Diagnostic(nid, "shape", f"{spec.title} cannot work out its output ({e})",
                                    "check its settings and the layers before it"))
            continue
        info.shape = shape
        layer_bytes = BYTES_PER_NUMBER * (COPIES_PER_PARAMETER * info.params + info.buffers
                                          + COPIES_PER_OUTPUT * prod(shape) * BATCH_FOR_MEMORY)
        bytes_of[nid] = layer_bytes
        if layer_bytes > limit:
            diags.append(Diagnostic(
                nid, "too_large",
                f"Training {spec.title} needs about {format_bytes(layer_bytes)} ({info.params:,} parameters, "
                f"each with its gradient and the optimizer's averages, and {prod(shape):,} numbers per sample "
                f"× a batch of {BATCH_FOR_MEMORY}, the batch this check assumes) but this machine has "
                f"{format_bytes(limit)}",
                "make it smaller: fewer units or filters, or shrink the image before it (pooling or stride); "
                "Train checks the memory again at the real batch size"))

    # (the model's layers only: a branch on no path to the Output is not trained, as the totals below)
    layer_bytes_total = sum(b for n, b in bytes_of.items() if n in on_path) if on_path else sum(bytes_of.values())
    if layer_bytes_total > limit and not any(d.code == "too_large" for d in diags):
        diags.append(Diagnostic(
            None, "too_large",
            f"Training all layers together needs about {format_bytes(layer_bytes_total)} at a batch of "
            f"{BATCH_FOR_MEMORY} (this check assumes 32; Train checks the real batch size against the memory "
            f"free when it starts), more than this machine's {format_bytes(limit)}",
            "train with a smaller batch, or make the network smaller", "warning"))

    # The totals are the model's: a layer on no path from the Input to the Output is left out of it (its
    # "unconnected" warning says so). A design with no path yet counts every layer it has.
    counted = [i for n, i in infos.items() if n in on_path] if on_path else list(infos.values())
    return Analysis(
        nodes=infos, diagnostics=diags, order=order,
        total_params=sum(i.params for i in counted),
        total_macs=sum(i.macs for i in counted),
        total_buffers=sum(i.buffers for i in counted),
        on_path=on_path, memory_limit_bytes=limit,
    )
