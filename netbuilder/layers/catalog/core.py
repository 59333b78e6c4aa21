"""Input, Output, Dense and Flatten: the layers every network has."""

from math import prod

from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec, ShapeError

MAX_UNITS = 1_000_000
MAX_SIZE = 16_384


def _input_shape(p, ins):
    return tuple(int(v) for v in p["shape"])


register(LayerSpec(
    kind="input",
    title="Input",
    category="input",
    doc="Where the data enters: one image (channels × height × width) or one vector of features.",
    formula="x ∈ ℝ^(C×H×W)  or  x ∈ ℝ^N",
    params=(ParamSpec("shape", "shape", [1, 28, 28], "Shape",
                      "Channels, height, width of an image; or one number for a feature vector.",
                      max=MAX_SIZE),),
    n_inputs=0,
    shape=_input_shape,
    label=lambda p: "×".join(str(v) for v in p["shape"]),
))


register(LayerSpec(
    kind="output",
    title="Output",
    category="output",
    doc="Marks the class scores (logits) that the loss reads. It changes nothing: the loss applies "
        "softmax itself (cross-entropy) or compares directly (mean squared error).",
    formula="ŷ = z",
    params=(),
    n_inputs=1,
    shape=lambda p, ins: ins[0],
))


def _dense_shape(p, ins):
    (s,) = ins
    if len(s) != 1:
        raise ShapeError(
            f"Dense expects a vector of features but gets a {'×'.join(map(str, s))} tensor",
            "add a Flatten (or a global average pooling) before it",
            code="needs_flatten",
        )
    return (p["units"],)


def _dense_worked(p, ins, out):
    n = ins[0][0]
    b = p["units"] if p["bias"] else 0
    return [
        f"output: {p['units']} units",
        f"parameters: {p['units']}·{n}" + (f" + {p['units']}" if p["bias"] else "") + f" = {p['units'] * n + b:,}",
        f"MACs: {p['units']}·{n} = {p['units'] * n:,}",
    ]


register(LayerSpec(
    kind="dense",
    title="Dense",
    category="dense",
    doc="Every output unit is a neuron: a weighted sum of all inputs plus a bias. Also called a "
        "fully connected or linear layer.",
    formula="y = W·x + b,   W ∈ ℝ^(units×N)",
    params=(
        ParamSpec("units", "int", 10, "Units", "Number of neurons (outputs).", min=1, max=MAX_UNITS),
        ParamSpec("bias", "bool", True, "Bias", "Add a learnt bias b to every unit."),
    ),
    n_inputs=1,
    shape=_dense_shape,
    param_count=lambda p, ins: p["units"] * ins[0][0] + (p["units"] if p["bias"] else 0),
    macs=lambda p, ins, out: p["units"] * ins[0][0],
    torch="torch.nn.Linear",
    torch_kwargs=lambda p, ins: {"in_features": ins[0][0], "out_features": p["units"], "bias": p["bias"]},
    label=lambda p: f"{p['units']} units",
    worked=_dense_worked,
))


register(LayerSpec(
    kind="flatten",
    title="Flatten",
    category="reshape",
    doc="Lays an image's channels, rows and columns out in one long vector, so Dense layers can read it.",
    formula="(C, H, W) → (C·H·W)",
    params=(),
    n_inputs=1,
    shape=lambda p, ins: (prod(ins[0]),),
    torch="torch.nn.Flatten",
    worked=lambda p, ins, out: [f"output: {'·'.join(map(str, ins[0]))} = {out[0]:,} features"],
))
