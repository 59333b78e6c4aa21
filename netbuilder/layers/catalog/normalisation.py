"""Normalisation: BatchNorm1d, BatchNorm2d, LayerNorm, LocalResponseNorm. Imports: layers only.

Parameters are the learnt scale γ and shift β (when affine); buffers are BatchNorm's running mean,
running variance and its num_batches_tracked counter, as torch keeps them. MACs count 0
(element-wise work; at inference BatchNorm folds into the layer before it).
"""

from netbuilder.layers.catalog._common import (
    MAX_KERNEL,
    describe,
    fmt_shape,
    numel,
    only_input,
    require_image,
    same_shape,
)
from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec, ShapeError


def _eps() -> ParamSpec:
    return ParamSpec("eps", "float", 1e-5, "Epsilon", "Added to the variance so we never divide by 0.",
                     min=1e-12, max=1.0)


def _bn_params() -> tuple[ParamSpec, ...]:
    return (
        _eps(),
        ParamSpec("momentum", "float", 0.1, "Momentum",
                  "How fast the running mean and variance follow new batches.", min=0.0, max=1.0),
        ParamSpec("affine", "bool", True, "Affine", "Learn a scale γ and a shift β per channel."),
    )


def _bn1d_shape(p, ins):
    s = only_input(ins)
    if len(s) not in (1, 2):
        raise ShapeError(
            f"BatchNorm1d works on feature vectors (N) or sequences (C, L) but gets {describe(s)}",
            "use BatchNorm2d for images, or move it after the Flatten", code="shape")
    return s


def _bn2d_shape(p, ins):
    s = only_input(ins)
    if len(s) != 3:
        raise ShapeError(
            f"BatchNorm2d works on images (channels × height × width) but gets {describe(s)}",
            "use BatchNorm1d for feature vectors, or move it before the Flatten", code="needs_image")
    return s


def _bn_worked(p, ins, out):
    c = ins[0][0]
    where = "feature" if len(ins[0]) == 1 else "channel"
    lines = same_shape(ins, out)
    if p["affine"]:
        lines.append(f"parameters 2·{c} = {2 * c:,} (γ and β for each of the {c} {where}s)")
    else:
        lines.append("parameters 0 (affine is off)")
    lines.append(f"buffers 2·{c} + 1 = {2 * c + 1:,} (running mean and variance per {where}, "
                 "and a batch counter)")
    return lines


def _batchnorm(kind: str, title: str, shape, doc: str) -> None:
    register(LayerSpec(
        kind=kind, title=title, category="normalisation", doc=doc,
        formula="y = γ·(x − μ_batch)/√(σ²_batch + ε) + β;   running μ ← (1 − m)·μ + m·μ_batch",
        params=_bn_params(), n_inputs=1, shape=shape,
        param_count=lambda p, ins: 2 * ins[0][0] if p["affine"] else 0,
        buffers=lambda p, ins: 2 * ins[0][0] + 1,
        torch=f"torch.nn.{title}",
        torch_kwargs=lambda p, ins: {"num_features": ins[0][0], "eps": float(p["eps"]),
                                     "momentum": float(p["momentum"]), "affine": p["affine"]},
        label=lambda p: f"ε={p['eps']:g}" + ("" if p["affine"] else ", no γβ"),
        worked=_bn_worked,
    ))


_batchnorm(
    "batchnorm1d", "BatchNorm1d", _bn1d_shape,
    "Normalises every feature to mean 0 and variance 1 over the batch, then scales and shifts it by "
    "learnt γ and β. Training becomes faster and steadier. At test time it uses running averages.",
)
_batchnorm(
    "batchnorm2d", "BatchNorm2d", _bn2d_shape,
    "Normalises every channel to mean 0 and variance 1 over the batch and all pixels, then scales and "
    "shifts it by learnt γ and β. Usually placed between a convolution and its ReLU.",
)


def _ln_worked(p, ins, out):
    n = numel(out)
    return same_shape(ins, out) + [
        f"mean and variance over all {fmt_shape(out)} = {n:,} numbers of each sample",
        f"parameters 2·{n:,} = {2 * n:,} (γ and β for every position)",
    ]


register(LayerSpec(
    kind="layernorm",
    title="LayerNorm",
    category="normalisation",
    doc="Normalises each sample on its own, over all its numbers, to mean 0 and variance 1, then scales "
        "and shifts by learnt γ and β. Unlike BatchNorm it does not depend on the batch.",
    formula="y = γ ⊙ (x − μ_sample)/√(σ²_sample + ε) + β",
    params=(_eps(),),
    n_inputs=1,
    shape=lambda p, ins: only_input(ins),
    param_count=lambda p, ins: 2 * numel(ins[0]),
    torch="torch.nn.LayerNorm",
    torch_kwargs=lambda p, ins: {"normalized_shape": list(ins[0]), "eps": float(p["eps"])},
    label=lambda p: f"ε={p['eps']:g}",
    worked=_ln_worked,
))


def _lrn_shape(p, ins):
    s = only_input(ins)
    if len(s) < 2:
        require_image("LocalResponseNorm", s)
    return s


register(LayerSpec(
    kind="local_response_norm",
    title="LocalResponseNorm",
    category="normalisation",
    doc="Divides each value by the activity of the same pixel in neighbouring channels, so strong "
        "channels damp their neighbours (from AlexNet; BatchNorm replaced it).",
    formula="y_c = x_c / (k + α/n · Σ_{c' near c} x_{c'}²)^β,   n = size",
    params=(
        ParamSpec("size", "int", 5, "Size", "How many neighbouring channels to look at.", min=1,
                  max=MAX_KERNEL),
        ParamSpec("alpha", "float", 1e-4, "Alpha", "Scale of the sum of squares.", min=0.0, max=10.0),
        ParamSpec("beta", "float", 0.75, "Beta", "Exponent.", min=0.0, max=10.0),
        ParamSpec("k", "float", 2.0, "k", "Added constant.", min=0.0, max=100.0),
    ),
    n_inputs=1,
    shape=_lrn_shape,
    torch="torch.nn.LocalResponseNorm",
    torch_kwargs=lambda p, ins: {"size": p["size"], "alpha": float(p["alpha"]), "beta": float(p["beta"]),
                                 "k": float(p["k"])},
    label=lambda p: f"n={p['size']}",
    worked=lambda p, ins, out: same_shape(ins, out) + [
        f"each value divided by ({p['k']:g} + {p['alpha']:g}/{p['size']}·sum of squares over "
        f"{p['size']} channels)^{p['beta']:g}", "parameters 0"],
))
