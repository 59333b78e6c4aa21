"""Merges: Add, Concat (channel dimension) and Multiply, with two or more inputs on ports 0, 1, 2, ...
Imports: layers only. No parameters, 0 MACs.
"""

from netbuilder.layers.catalog._common import fmt_shape
from netbuilder.layers.registry import register
from netbuilder.layers.spec import VARIADIC, LayerSpec, ShapeError


def _at_least_two(title: str, ins) -> None:
    if len(ins) < 2:
        raise ShapeError(f"{title} needs at least two inputs, but has {len(ins)}",
                         "connect a second layer to its next input", code="missing_input")


def _listing(ins) -> str:
    return ", ".join(f"{fmt_shape(s)} (input {i})" for i, s in enumerate(ins))


def _mismatch_fix(a, b) -> str:
    if len(a) != len(b):
        return "merge two images or two vectors, not one of each (a Flatten may be on one branch only)"
    if len(a) == 3 and a[1:] == b[1:]:
        return (f"make the channels equal: e.g. a 1×1 Conv2d with {a[0]} filters on the branch that "
                f"has {b[0]}")
    return "make the sizes equal: use the same strides, pooling and padding on both branches"


def _add_shape(p, ins):
    _at_least_two("Add", ins)
    for s in ins[1:]:
        if s != ins[0]:
            raise ShapeError(f"Add needs inputs of the same shape, but gets {_listing(ins)}",
                             _mismatch_fix(ins[0], s), code="merge_mismatch")
    return ins[0]


def _concat_shape(p, ins):
    _at_least_two("Concat", ins)
    first = ins[0]
    for s in ins[1:]:
        if len(s) != len(first) or s[1:] != first[1:]:
            what = "the same height and width" if len(first) == 3 and len(s) == 3 else "the same kind of shape"
            raise ShapeError(
                f"Concat joins channels, so its inputs need {what}, but gets {_listing(ins)}",
                _mismatch_fix(first, s), code="merge_mismatch")
    return (sum(s[0] for s in ins), *first[1:])


def _multiply_shape(p, ins):
    _at_least_two("Multiply", ins)
    big = max(ins, key=lambda s: (len(s), _numel(s)))
    for s in ins:
        if s != big and not (len(s) == 3 and len(big) == 3 and s == (big[0], 1, 1)):
            raise ShapeError(
                f"Multiply needs inputs of the same shape (or {big[0] if len(big) == 3 else 'C'}×1×1 "
                f"per-channel weights times a C×H×W image), but gets {_listing(ins)}",
                _mismatch_fix(big, s), code="merge_mismatch")
    return big


def _numel(s) -> int:
    n = 1
    for v in s:
        n *= v
    return n


def _merge_worked(op: str):
    def worked(p, ins, out):
        return [f"inputs {_listing(ins)}", f"output {op} = {fmt_shape(out)}", "parameters 0"]
    return worked


register(LayerSpec(
    kind="add",
    title="Add",
    category="merge",
    doc="Adds its inputs number by number. With a shortcut from an earlier layer this makes a residual "
        "connection (ResNet): the layers in between only learn a correction, and gradients flow easily.",
    formula="y = x₁ + x₂ + …   (all the same shape)",
    params=(),
    n_inputs=VARIADIC,
    shape=_add_shape,
    torch="netbuilder.compiler.ops.Add",
    worked=_merge_worked("sum, same shape"),
))

register(LayerSpec(
    kind="concat",
    title="Concat",
    category="merge",
    doc="Stacks its inputs along the channels (or features): two 16-channel maps make one 32-channel "
        "map. Heights and widths must match. Used in Inception and DenseNet.",
    formula="(C₁, H, W) ⊕ (C₂, H, W) → (C₁ + C₂, H, W)",
    params=(),
    n_inputs=VARIADIC,
    shape=_concat_shape,
    torch="netbuilder.compiler.ops.Concat",
    worked=lambda p, ins, out: [f"inputs {_listing(ins)}",
                                f"channels {' + '.join(str(s[0]) for s in ins)} = {out[0]}",
                                f"output {fmt_shape(out)}", "parameters 0"],
))

register(LayerSpec(
    kind="multiply",
    title="Multiply",
    category="merge",
    doc="Multiplies its inputs number by number. A C×1×1 input scales each channel of a C×H×W image "
        "(squeeze-and-excitation: the network learns how much each channel matters).",
    formula="y = x₁ ⊙ x₂ ⊙ …   ((C,1,1) broadcasts over (C,H,W))",
    params=(),
    n_inputs=VARIADIC,
    shape=_multiply_shape,
    torch="netbuilder.compiler.ops.Multiply",
    worked=_merge_worked("product"),
))
