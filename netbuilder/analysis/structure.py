"""Structural checks of a design: inputs, outputs, paths, empty or extra input ports, loose nodes.

Pure Python over plain maps; imports graph and layers only (no torch). Used by ``analyze``.

Rules (what a student sees):
- no Input / no Output: one design-level error each (``node_id`` None); each Output beyond the first
  is a ``too_many_outputs`` error on that Output.
- an Output that no Input reaches: ``no_path`` on that Output (the node where the chain breaks also
  gets ``missing_input``).
- an empty input port: ``missing_input`` (error) when the node is wired in some way that matters:
  it has another input connected, or it feeds the Output. A merge needs ports 0 and 1 at least.
- a connection on a port the layer does not have: ``too_many_inputs`` (error).
- a node on no path from an Input to the Output (isolated, or a dangling / floating branch):
  ``unconnected`` **warning**: it is left out of the compiled model (the compiler builds only
  ``Analysis.on_path``). A dangling branch is reported only when the rest of the design has a path,
  so a half-built design is not flooded with warnings; an isolated node always is.
"""

from __future__ import annotations

from collections.abc import Mapping

from netbuilder.analysis.result import Diagnostic
from netbuilder.graph.model import Edge
from netbuilder.graph.topology import reachable
from netbuilder.layers import VARIADIC, LayerSpec


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def check_structure(
    order: list[str],
    specs: Mapping[str, LayerSpec | None],
    pred: Mapping[str, list[Edge]],
    succ: Mapping[str, list[str]],
) -> tuple[list[Diagnostic], frozenset[str], set[str]]:
    """``(diagnostics, on_path, broken)``: ``broken`` nodes cannot get a shape (ports wrong)."""
    diags: list[Diagnostic] = []
    broken: set[str] = set()
    inputs = [n for n in order if specs[n] is not None and specs[n].kind == "input"]
    outputs = [n for n in order if specs[n] is not None and specs[n].kind == "output"]
    pred_nodes = {n: [e.src for e in edges] for n, edges in pred.items()}
    from_inputs = reachable(inputs, succ)
    # the Output to keep: one that an Input reaches, else one that is connected, else the first
    outputs.sort(key=lambda n: (n not in from_inputs, not pred[n]))
    extras = set(outputs[1:])
    to_outputs = reachable(outputs, pred_nodes)
    on_path = frozenset(from_inputs & to_outputs)

    if not inputs:
        diags.append(Diagnostic(None, "no_input", "The design has no Input layer, so no data can enter it",
                                "add an Input from the palette and connect it to the first layer"))
    if not outputs:
        diags.append(Diagnostic(None, "no_output",
                                "The design has no Output layer to mark the class scores the loss reads",
                                "add an Output after the last layer"))
    for extra in outputs[1:]:
        diags.append(Diagnostic(
            extra, "too_many_outputs",
            f"The design has {len(outputs)} Output layers ({', '.join(outputs)}); it needs exactly one",
            f"delete {extra}, keeping the Output after the class scores"))

    for nid in order:
        spec = specs[nid]
        if spec is None or nid in extras:
            broken.update(extras & {nid})
            continue
        d = _check_ports(nid, spec, pred[nid], nid in to_outputs)
        if d is not None:
            broken.add(nid)
            if d.code:
                diags.append(d)

    if inputs:
        for out in outputs[:1]:
            if out not in from_inputs:
                ancestors = reachable([out], pred_nodes)
                breaks = [n for n in order if n in ancestors and not pred[n] and n not in inputs]
                where = f": the chain stops at {', '.join(breaks)}, whose input is empty" if breaks else ""
                diags.append(Diagnostic(
                    out, "no_path", f"No path leads from the Input to this Output{where}",
                    "connect the layers one after another, from the Input to the Output"))

    has_path = any(o in on_path for o in outputs)
    flagged = {d.node_id for d in diags}
    for nid in order:
        if nid in on_path or nid in flagged:
            continue
        isolated = not pred[nid] and not succ[nid]
        if isolated or has_path:
            title = spec.title if (spec := specs[nid]) else "layer"
            what = f"{title} is not connected to anything" if isolated else \
                f"{title} is not on the path from the Input to the Output"
            diags.append(Diagnostic(
                nid, "unconnected", f"This {what}, so it is left out of the model",
                "connect it between two layers, or delete it", severity="warning"))
    return diags, on_path, broken


def _check_ports(nid: str, spec: LayerSpec, edges: list[Edge], feeds_output: bool) -> Diagnostic | None:
    """A diagnostic for wrong ports; ``Diagnostic(code="")`` means broken but left to ``unconnected``."""
    ports = [e.port for e in edges]
    n = spec.n_inputs
    if n != VARIADIC:
        extra = [e for e in edges if e.port >= n]
        if extra:
            srcs = ", ".join(e.src for e in extra)
            if n == 0:
                msg = f"{spec.title} is where data starts and takes no input, but {srcs} is connected to it"
                fix = f"remove the connection from {srcs}"
            else:
                msg = (f"{spec.title} takes {_plural(n, 'input')}, but {srcs} is connected to input "
                       f"{', '.join(str(e.port) for e in extra)}")
                fix = "remove the extra connection, or merge the branches with an Add or Concat layer first"
            return Diagnostic(nid, "too_many_inputs", msg, fix)
        required = range(n)
    else:
        required = range(max(2, max(ports, default=-1) + 1))
    missing = [p for p in required if p not in ports]
    if not missing:
        return None
    if not ports and not feeds_output:
        return Diagnostic(nid, "", "")  # loose: reported as unconnected (or not at all)
    if n == VARIADIC:
        empty = ", ".join(map(str, missing))
        msg = (f"{spec.title} merges two or more inputs, but input {empty} "
               f"{'is' if len(missing) == 1 else 'are'} empty")
        fix = f"connect a layer to input {missing[0]}" + ("" if ports else " and the next ones")
    elif n == 1:
        msg = f"Nothing is connected to the input of this {spec.title}"
        fix = "connect the output of the layer before it (or the Input) to it"
    else:
        msg = f"Input {', '.join(map(str, missing))} of this {spec.title} is empty"
        fix = "connect a layer to every input"
    return Diagnostic(nid, "missing_input", msg, fix)
