"""Pooling: max and average pooling, adaptive average pooling, global average pooling.
Shape rules follow torch (ceil_mode, padding at most half the kernel). Imports: layers only (no torch).

MACs: pooling has no weights, so it counts 0 multiply-accumulates (as torchinfo counts it).
"""

from netbuilder.layers.catalog._common import (
    MAX_KERNEL,
    fmt_shape,
    only_input,
    require_image,
    size_lines,
    spatial_sizes,
)
from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec, ShapeError


def _stride(p) -> int:
    return p["stride"] or p["kernel_size"]


def _pool_shape(title: str):
    def shape(p, ins):
        c, h, w = require_image(title, only_input(ins))
        k, pad = p["kernel_size"], p["padding"]
        if pad > k // 2:
            raise ShapeError(
                f"padding {pad} is more than half the {k}×{k} window (PyTorch allows at most {k // 2}): "
                "a window could then see only padding",
                f"set padding to {k // 2} or less, or use a larger kernel", code="padding_too_large",
                param="padding")
        ho, wo = spatial_sizes(title, h, w, k, _stride(p), pad, 1, p["ceil_mode"])
        return (c, ho, wo)
    return shape


def _pool_label(p) -> str:
    k, s = p["kernel_size"], _stride(p)
    return f"{k}×{k} /{s}" + (f" p{p['padding']}" if p["padding"] else "")


def _pool_worked(what: str):
    def worked(p, ins, out):
        c, h, w = ins[0]
        k, s = p["kernel_size"], _stride(p)
        lines = size_lines(h, w, k, s, p["padding"], 1, p["ceil_mode"], out[1], out[2])
        lines.append(f"output shape {fmt_shape(out)}: each of the {c} channels pooled on its own, "
                     f"{what} of each {k}×{k} window")
        lines.append("parameters 0 (nothing is learnt)")
        return lines
    return worked


_POOL_PARAMS = (
    ParamSpec("kernel_size", "int", 2, "Kernel size", "Height and width of each window.", min=1, max=MAX_KERNEL),
    ParamSpec("stride", "int", 0, "Stride", "Step between windows; 0 means the same as the kernel size.",
              min=0, max=MAX_KERNEL, special="same as kernel"),
    ParamSpec("padding", "int", 0, "Padding", "Border added around the image (at most half the kernel).",
              min=0, max=MAX_KERNEL),
    ParamSpec("ceil_mode", "bool", False, "Ceil mode",
              "Round the output size up, so a partial window at the edge still counts."),
)

register(LayerSpec(
    kind="maxpool2d",
    title="MaxPool2d",
    category="pooling",
    doc="Keeps the largest value of each window in every channel: the image gets smaller and a "
        "feature still counts if it moves a little. Padding counts as −∞, so it is never picked.",
    formula="y[c, i, j] = max over the k×k window at (s·i − p, s·j − p) of x[c, ·, ·];   "
            "H_out = ⌊(H + 2p − k)/s⌋ + 1",
    params=_POOL_PARAMS,
    n_inputs=1,
    shape=_pool_shape("MaxPool2d"),
    torch="torch.nn.MaxPool2d",
    torch_kwargs=lambda p, ins: {"kernel_size": p["kernel_size"], "stride": _stride(p),
                                 "padding": p["padding"], "ceil_mode": p["ceil_mode"]},
    label=_pool_label,
    worked=_pool_worked("the maximum"),
))

register(LayerSpec(
    kind="avgpool2d",
    title="AvgPool2d",
    category="pooling",
    doc="Replaces each window by its average in every channel: a smaller, smoother image.",
    formula="y[c, i, j] = (1/k²) Σ over the k×k window of x[c, ·, ·];   H_out = ⌊(H + 2p − k)/s⌋ + 1",
    params=_POOL_PARAMS + (
        ParamSpec("count_include_pad", "bool", True, "Count padding",
                  "Count the padded zeros when averaging (otherwise divide by the real pixels only)."),
    ),
    n_inputs=1,
    shape=_pool_shape("AvgPool2d"),
    torch="torch.nn.AvgPool2d",
    torch_kwargs=lambda p, ins: {"kernel_size": p["kernel_size"], "stride": _stride(p),
                                 "padding": p["padding"], "ceil_mode": p["ceil_mode"],
                                 "count_include_pad": p["count_include_pad"]},
    label=_pool_label,
    worked=_pool_worked("the average"),
))


def _adaptive_shape(p, ins):
    c, _, _ = require_image("AdaptiveAvgPool2d", only_input(ins))
    return (c, p["output_size"], p["output_size"])


def _adaptive_worked(p, ins, out):
    c, h, w = ins[0]
    o = p["output_size"]
    return [f"output shape {fmt_shape(out)}: whatever the input size ({h}×{w}), each channel is split into "
            f"{o}×{o} windows of about {h / o:.3g}×{w / o:.3g} pixels and each window averaged",
            "parameters 0 (nothing is learnt)"]


register(LayerSpec(
    kind="adaptive_avgpool2d",
    title="AdaptiveAvgPool2d",
    category="pooling",
    doc="Averages windows sized so that the output is always output_size × output_size, whatever the "
        "input size: a way to feed images of any size into the Dense layers after it.",
    formula="window i covers rows ⌊i·H/o⌋ … ⌈(i + 1)·H/o⌉ − 1;   (C, H, W) → (C, o, o)",
    params=(ParamSpec("output_size", "int", 1, "Output size", "Height and width of the output.", min=1,
                      max=MAX_KERNEL),),
    n_inputs=1,
    shape=_adaptive_shape,
    torch="torch.nn.AdaptiveAvgPool2d",
    torch_kwargs=lambda p, ins: {"output_size": p["output_size"]},
    label=lambda p: f"→ {p['output_size']}×{p['output_size']}",
    worked=_adaptive_worked,
))


def _global_shape(p, ins):
    c, _, _ = require_image("Global average pooling", only_input(ins))
    return (c,)


register(LayerSpec(
    kind="global_avgpool",
    title="GlobalAvgPool",
    category="pooling",
    doc="Averages each channel over the whole image, giving one number per channel: a vector the Dense "
        "layers can read, without Flatten and with no dependence on the image size.",
    formula="y[c] = (1/(H·W)) Σ_i Σ_j x[c, i, j];   (C, H, W) → (C)",
    params=(),
    n_inputs=1,
    shape=_global_shape,
    torch="netbuilder.compiler.ops.GlobalAvgPool",
    worked=lambda p, ins, out: [f"output {out[0]} features: the mean of each channel's "
                                f"{ins[0][1]}·{ins[0][2]} = {ins[0][1] * ins[0][2]:,} pixels"],
))
