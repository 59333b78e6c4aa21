"""Evaluating a step's checks on a ``LessonState``: each gives ``CheckResult(met, text, detail)``.

``text`` is the check's own sentence (or one made from its keys); ``detail`` says what the state holds now
("val_accuracy is 0.84"), or the check's hint when it is not met. Pure: graph, analysis, layers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netbuilder.choices import SETTING_LABELS, VALUE_LABELS
from netbuilder.lessons.model import Check, Step
from netbuilder.lessons.state import LessonState, nodes_of_kind, param_value, resolve_node

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge,
    "contains": lambda a, b: isinstance(a, (list, tuple)) and b in a,
    "not_contains": lambda a, b: isinstance(a, (list, tuple)) and b not in a,
    "between": lambda a, b: b[0] <= a <= b[1],  # (inclusive: [low, high])
}


@dataclass(frozen=True)
class CheckResult:
    """``earlier``: not met because the last run trained an earlier version of the network (``EARLIER``)."""

    met: bool
    text: str
    detail: str = ""
    earlier: bool = False


def compare(value: Any, op: str, target: Any) -> bool:
    """``value op target``; False when they cannot be compared (no value yet)."""
    if value is None:
        return False
    if op in ("==", "!=") and isinstance(value, float) and isinstance(target, (int, float)):
        close = abs(value - target) <= 1e-9 * max(1.0, abs(target))
        return close if op == "==" else not close
    try:
        return bool(_OPS[op](value, target))
    except TypeError:
        return False


def _same(value: Any, wanted: Any) -> bool:
    """A setting matches: 3 matches [3, 3] (square kernels), 2 matches 2.0."""
    if isinstance(value, (list, tuple)) and not isinstance(wanted, (list, tuple)):
        return all(v == wanted for v in value)
    if isinstance(wanted, (list, tuple)) and not isinstance(value, (list, tuple)):
        return all(w == value for w in wanted)
    if isinstance(value, (list, tuple)):
        return list(value) == list(wanted)
    return value == wanted


def _fmt(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:  # (a range, said after "between")
        return f"{_fmt(value[0])} and {_fmt(value[1])}"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return repr(value) if isinstance(value, str) else str(value)


OPS = {">=": "at least", ">": "above", "<=": "at most", "<": "below", "==": "exactly", "between": "between"}


def _setting_text(check: Check) -> str:
    """``Batch mode: full batch``, ``Learning rate at least 0.1``, ``Locked layers include conv2d_1``: a
    training setting as the training panel names it (it read "the training setting batch_mode == 'full'")."""
    key, op, value = str(check.get("key", "")), check.get("op", ""), check.get("value")
    label = SETTING_LABELS.get(key, key.replace("_", " "))
    if isinstance(value, str):
        shown = VALUE_LABELS.get(value, value)
    elif key == "train_fraction" and isinstance(value, (int, float)):
        shown = f"{value:.0%}".replace("%", " %")
    else:
        shown = _fmt(value)
    if op == "==":
        return f"{label}: {shown}"
    if op in ("contains", "not_contains"):
        return f"{label} {'include' if op == 'contains' else 'do not include'} {shown}"
    return f"{label} {OPS.get(op, 'is not' if op == '!=' else op)} {shown}"


def _metric_text(check: Check) -> str:
    """``validation accuracy at least 75 %``, ``training loss below 0.5``: a run's result in words."""
    name = str(check.get("name", ""))
    split, _, what = name.partition("_")
    split = {"train": "training", "val": "validation", "test": "test"}.get(split, split)
    value, op = check.get("value"), check.get("op", "")
    shown = f"{value:.0%}".replace("%", " %") if what == "accuracy" and isinstance(value, (int, float)) \
        else _fmt(value)
    subject = f"{split} {what}" if what else name
    return f"{subject.replace('_', ' ')} {OPS.get(op, op)} {shown}"


def missing_node(ref: str, s: LessonState) -> str:
    """``no node 'x' in the design (its nodes: …)``: a lesson names a node the design has not got."""
    nodes = list(s.design.graph.nodes) if s.design is not None else []
    shown = ", ".join(nodes[:8]) + (", …" if len(nodes) > 8 else "")
    return f"no node {ref!r} in the design (its nodes: {shown or 'none'})"


def describe(check: Check) -> str:
    """A sentence for a check without its own ``text``."""
    kind = check["check"]
    op, value = check.get("op", ""), _fmt(check.get("value"))
    params = ", ".join(f"{k} {_fmt(v)}" for k, v in check.get("params", {}).items())
    words = {
        "has_layer": lambda: f"the network has at least {check.get('count', 1)} {check.get('kind')} layer"
                             + ("s" if check.get("count", 1) != 1 else "") + (f" with {params}" if params else ""),
        "layer_count": lambda: (f"the network has {OPS.get(op, op)} {value} {check.get('kind', 'layer')} layer"
                                + ("s" if value != "1" else "")),
        "metric": lambda: _metric_text(check),
        "gap": lambda: f"the train/validation {check.get('of', 'accuracy')} gap is {OPS.get(op, op)} {value}",
        "prediction_flipped": lambda: "the attack changed the prediction",
        "explained": lambda: f"you computed a {check.get('method')} map"
                             + (f" at {check['layer']}" if check.get("layer") else ""),
        "setting": lambda: _setting_text(check),
        "param_count": lambda: f"the network has {OPS.get(op, op)} {value} parameters",
        "macs": lambda: f"the network needs {OPS.get(op, op)} {value} multiply-accumulates per example",
        "valid": lambda: "the design has no problems",
        "selected": lambda: f"you selected {check.get('node') or check.get('kind')}",
        "view": lambda: f"the {check.get('view')} view is shown",
        "output_shape": lambda: f"{check.get('node')} outputs {'×'.join(map(str, check.get('value') or []))}",
        "trained": lambda: "you trained the network in this step",
    }
    return words[kind]() if kind in words else kind


def _in_network(s: LessonState, ids: list[str]) -> tuple[list[str], list[str]]:
    """``ids`` split into the layers the model runs (on the path from the Input to the Output) and the
    ones left out of it (dropped on the canvas but not connected): a check on "the network" counts the
    first. While no path exists yet (a design being built), all count, as the totals do."""
    a = s.get_analysis()
    on_path = a.on_path if a is not None else frozenset()
    if not on_path:
        return ids, []
    return [n for n in ids if n in on_path], [n for n in ids if n not in on_path]


def _left_out(out: list[str]) -> str:
    if not out:
        return ""
    return f"; {', '.join(out)} {'is' if len(out) == 1 else 'are'} not connected into the network"


def _has_layer(c: Check, s: LessonState) -> tuple[bool, str]:
    design = s.design
    ids = nodes_of_kind(design, c["kind"])
    wanted = c.get("params", {})
    matching = [n for n in ids if all(_same(param_value(design, n, k), v) for k, v in wanted.items())]
    used, out = _in_network(s, matching)
    return len(used) >= c.get("count", 1), f"{len(used)} matching {c['kind']} node(s){_left_out(out)}"


def _layer_count(c: Check, s: LessonState) -> tuple[bool, str]:
    design = s.design
    ids = nodes_of_kind(design, c["kind"]) if "kind" in c else [
        node.id for node in design.graph.iter_nodes() if node.kind not in ("input", "output")]
    used, out = _in_network(s, ids)
    return compare(len(used), c["op"], c["value"]), f"{len(used)} now{_left_out(out)}"


STALE = "no run finished in this step yet: train"
EARLIER = "the last run trained an earlier version of the network: train this network to check it"
RUN_CHECKS = ("trained", "metric", "gap")  # met only by a run of the current step and of the network as it
# is now (then kept: progress, while the network stays the one that met it)


CONTINUED = ("the run went on from the weights of an earlier run: reset them (Train ▸ Reset Weights) and train "
             "again")


def _run_metrics(s: LessonState, c: Check | None = None) -> dict[str, float] | None:
    """The last run's metrics when that run belongs to the current step and trained the network as the
    design is now (and, for a check ``from_scratch``, started from fresh weights), else None."""
    if c is not None and c.get("from_scratch") and s.continued:
        return None
    return s.metrics if s.fresh_run() and s.run_of_design() else None


def _no_run(s: LessonState, c: Check | None = None) -> str:
    """Why there are no metrics to check (``_run_metrics`` gave None)."""
    if not s.metrics:
        return "not trained yet"
    if c is not None and c.get("from_scratch") and s.continued and s.fresh_run() and s.run_of_design():
        return CONTINUED
    return EARLIER if s.fresh_run() else STALE


def _metric(c: Check, s: LessonState) -> tuple[bool, str]:
    metrics = _run_metrics(s, c)
    if metrics is None:
        return False, _no_run(s, c)
    value = metrics.get(c["name"])
    return compare(value, c["op"], c["value"]), "not trained yet" if value is None else f"{c['name']} is {_fmt(value)}"


def _trained(c: Check, s: LessonState) -> tuple[bool, str]:
    metrics = _run_metrics(s, c)
    if metrics is None or "epochs" not in metrics:
        return False, _no_run(s, c) if metrics is None else "not trained yet"
    return True, ""


def _gap(c: Check, s: LessonState) -> tuple[bool, str]:
    of = c.get("of", "accuracy")
    metrics = _run_metrics(s, c)
    if metrics is None:
        return False, _no_run(s, c)
    train, val = metrics.get(f"train_{of}"), metrics.get(f"val_{of}")
    if train is None or val is None:
        return False, "not trained yet"
    gap = train - val if of == "accuracy" else val - train
    return compare(gap, c["op"], c["value"]), f"the gap is {gap:.3f} (train {train:.3f}, validation {val:.3f})"


def _flipped(c: Check, s: LessonState) -> tuple[bool, str]:
    p = s.prediction
    if "original_class" not in p or "adversarial_class" not in p:
        return False, "no attack yet"
    return p["original_class"] != p["adversarial_class"], (
        f"class {p['original_class']} became {p['adversarial_class']}")


def _setting(c: Check, s: LessonState) -> tuple[bool, str]:
    value = s.setting(c["key"])
    return compare(value, c["op"], c["value"]), f"{c['key']} is {_fmt(value)}"


def _totals(attr: str) -> Callable[[Check, LessonState], tuple[bool, str]]:
    def check(c: Check, s: LessonState) -> tuple[bool, str]:
        a = s.get_analysis()
        value = getattr(a, attr) if a is not None else None
        return compare(value, c["op"], c["value"]), f"{_fmt(value)} now"
    return check


def _valid(c: Check, s: LessonState) -> tuple[bool, str]:
    a = s.get_analysis()
    return a.valid, "" if a.valid else str(a.errors[0])


def _selected(c: Check, s: LessonState) -> tuple[bool, str]:
    node = s.selected if s.selected in s.design.graph.nodes else None
    if node is None:
        return False, "nothing selected"
    ok = ("node" not in c or resolve_node(c["node"], s) == node) and (
        "kind" not in c or s.design.graph.nodes[node].kind == c["kind"])
    return ok, f"{node} is selected"


def _output_shape(c: Check, s: LessonState) -> tuple[bool, str]:
    node = resolve_node(c["node"], s)
    if node is None:
        return False, missing_node(c["node"], s)
    info = s.get_analysis().nodes.get(node)
    if info is None or info.shape is None:
        return False, f"{c['node']} has no shape"
    return list(info.shape) == list(c["value"]), f"{node} outputs {'×'.join(map(str, info.shape))}"


def _explained(c: Check, s: LessonState) -> tuple[bool, str]:
    """A non-blank map of the method, at the check's layer if it names one (``explanations`` holds
    ``"method@layer"`` for the layer each map was computed at)."""
    method = c["method"]
    if "layer" not in c:
        return bool(s.explanations.get(method)), ""
    layer = resolve_node(c["layer"], s) or c["layer"]
    if s.explanations.get(f"{method}@{layer}"):
        return True, ""
    at = [key.split("@", 1)[1] for key, made in s.explanations.items() if key.startswith(f"{method}@") and made]
    return False, f"the {method} map was computed at {', '.join(at)}, not {layer}" if at else ""


_EVALUATORS: dict[str, Callable[[Check, LessonState], tuple[bool, str]]] = {
    "has_layer": _has_layer, "layer_count": _layer_count, "metric": _metric, "gap": _gap,
    "prediction_flipped": _flipped, "setting": _setting, "param_count": _totals("total_params"),
    "macs": _totals("total_macs"), "valid": _valid, "selected": _selected, "output_shape": _output_shape,
    "explained": _explained,
    "view": lambda c, s: (s.view == c["view"], f"{s.view or 'no view'} is shown"),
    "trained": _trained,
}
_NEEDS_DESIGN = {"has_layer", "layer_count", "param_count", "macs", "valid", "selected", "output_shape"}
# the checks that say which network a step is about (a question on the design is about that network)
NETWORK_CHECKS = ("has_layer", "layer_count", "param_count", "macs", "valid", "output_shape")


def evaluate_check(check: Check, state: LessonState) -> CheckResult:
    """Whether ``check`` is met by ``state``."""
    text = check.get("text") or describe(check)
    if check["check"] in _NEEDS_DESIGN and state.design is None:
        return CheckResult(False, text, "no design is open")
    met, detail = _EVALUATORS[check["check"]](check, state)
    earlier = not met and detail == EARLIER
    if not met and check.get("hint"):
        detail = f"{detail}; {check['hint']}" if detail else check["hint"]
    return CheckResult(bool(met), text, detail, earlier)


def evaluate_step(step: Step, state: LessonState) -> list[CheckResult]:
    """Every check of ``step``, in order."""
    return [evaluate_check(c, state) for c in step.checks]


def step_met(step: Step, state: LessonState) -> bool:
    """Every check of ``step`` is met (a step without checks is met once read)."""
    return all(r.met for r in evaluate_step(step, state))
