"""Input, Output, Dense and Flatten: the layers every network has. Imports: layers only (no torch)."""

from netbuilder.layers.catalog._common import MAX_SIZE, MAX_UNITS, describe, fmt_shape, numel, only_input
from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec, ShapeError

__all__ = ["MAX_SIZE", "MAX_UNITS"]


def _input_shape(p, ins):
    return tuple(int(v) for v in p["shape"])


def _input_worked(p, ins, out):
    if len(out) == 1:
        return [f"each sample is a vector of {out[0]:,} numbers"]
    c, h, w = out
    return [f"each sample is an image of {c} channel{'s' if c != 1 else ''}, {h} rows and {w} columns",
            f"numbers per sample: {c}·{h}·{w} = {numel(out):,}"]


register(LayerSpec(
    kind="input",
    title="Input",
    category="input",
    doc="Where the data enters: one image (channels × height × width) or one vector of features. "
        "A batch of samples flows through the network at once; shapes here are per sample.",
    formula="x ∈ ℝ^(C×H×W)  or  x ∈ ℝ^N",
    params=(ParamSpec("shape", "shape", [1, 28, 28], "Shape",
                      "Channels, height, width of an image; or one number for a feature vector.",
                      max=MAX_SIZE),),
    n_inputs=0,
    shape=_input_shape,
    label=lambda p: fmt_shape(p["shape"]),
    worked=_input_worked,
))


def _output_shape(p, ins):
    return only_input(ins)


register(LayerSpec(
    kind="output",
    title="Output",
    category="output",
    doc="Marks the class scores (logits) that the loss reads. It changes nothing: the loss applies "
        "softmax itself (cross-entropy; mean squared error compares the softmax probabilities with the "
        "one-hot targets). After a Sigmoid or a Softmax it receives probabilities: the loss then reads "
        "them as such, so nothing is squashed twice. Exactly one per design.",
    formula="ŷ = z",
    params=(),
    n_inputs=1,
    shape=_output_shape,
    worked=lambda p, ins, out: [f"class scores: {fmt_shape(out)}"
                                + (f" (one per class: {out[0]} classes)" if len(out) == 1 else "")],
))


def _dense_shape(p, ins):
    s = only_input(ins)
    if len(s) != 1:
        raise ShapeError(
            f"Dense expects a vector of features but gets {describe(s)}",
            "add a Flatten before it (or a global average pooling)",
            code="needs_flatten",
        )
    return (p["units"],)


def _dense_params(p, ins):
    return p["units"] * ins[0][0] + (p["units"] if p["bias"] else 0)


def _dense_worked(p, ins, out):
    n, u = ins[0][0], p["units"]
    bias = f" + {u}" if p["bias"] else ""
    return [
        f"output: {u:,} unit{'' if u == 1 else 's'}",
        f"parameters {u}·{n}{bias} = {_dense_params(p, ins):,}",
        f"MACs {u}·{n} = {u * n:,}",
    ]


register(LayerSpec(
    kind="dense",
    title="Dense",
    category="dense",
    doc="Every output unit is a neuron: a weighted sum of all inputs plus a bias. Also called a "
        "fully connected or linear layer. Its weights are a matrix with one row per unit.",
    formula="y = W·x + b,   W ∈ ℝ^(units×N),  b ∈ ℝ^units",
    params=(
        ParamSpec("units", "int", 10, "Units", "Number of neurons (outputs).", min=1, max=MAX_UNITS),
        ParamSpec("bias", "bool", True, "Bias", "Add a learnt bias b to every unit."),
    ),
    n_inputs=1,
    shape=_dense_shape,
    param_count=_dense_params,
    macs=lambda p, ins, out: p["units"] * ins[0][0],
    torch="torch.nn.Linear",
    torch_kwargs=lambda p, ins: {"in_features": ins[0][0], "out_features": p["units"], "bias": p["bias"]},
    label=lambda p: f"{p['units']:,} unit{'' if p['units'] == 1 else 's'}",
    worked=_dense_worked,
))


def _flatten_worked(p, ins, out):
    if len(ins[0]) == 1:
        return [f"already a vector: {out[0]:,} features pass through unchanged"]
    return [f"output {'·'.join(map(str, ins[0]))} = {out[0]:,} features"]


register(LayerSpec(
    kind="flatten",
    title="Flatten",
    category="reshape",
    doc="Lays an image's channels, rows and columns out in one long vector, so Dense layers can read it. "
        "It has no parameters: it only rearranges the numbers.",
    formula="(C, H, W) → (C·H·W)",
    params=(),
    n_inputs=1,
    shape=lambda p, ins: (numel(only_input(ins)),),
    torch="torch.nn.Flatten",
    worked=_flatten_worked,
))
