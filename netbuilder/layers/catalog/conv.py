"""Conv2d: the convolution layer, with stride, padding (a number, "same" or "valid"), dilation,
groups and depthwise. Shape rules follow torch.nn.Conv2d exactly. Imports: layers only (no torch).

MACs (one sample) = output elements · (input channels / groups) · k · k.
"""

from netbuilder.layers.catalog._common import (
    MAX_KERNEL,
    MAX_UNITS,
    fmt_shape,
    only_input,
    require_image,
    size_lines,
    spatial_sizes,
)
from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec, ShapeError


def _groups(p, c_in: int) -> int:
    return c_in if p["depthwise"] else p["groups"]


def _pad(p) -> int:
    """The symmetric padding a number or "valid" means; "same" is handled by the caller."""
    return 0 if p["padding"] == "valid" else p["padding"]


def _conv_shape(p, ins):
    c, h, w = require_image("Conv2d", only_input(ins))
    f, k, s, d = p["filters"], p["kernel_size"], p["stride"], p["dilation"]
    g = _groups(p, c)
    if p["depthwise"]:
        if f % c:
            raise ShapeError(
                f"a depthwise Conv2d gives each of its {c} input channels its own filters, so filters "
                f"must be a multiple of {c}, not {f}",
                f"set filters to {c} (or {2 * c}, {3 * c}, ...)", code="groups", param="filters")
    elif c % g or f % g:
        bad = "input channels" if c % g else "filters"
        raise ShapeError(
            f"groups = {g} must divide both the input channels ({c}) and the filters ({f}); it does not "
            f"divide the {bad}",
            "set groups to a common divisor of both (1 always works)", code="groups", param="groups")
    if p["padding"] == "same":
        if s != 1:
            raise ShapeError(
                f"padding 'same' works only with stride 1 (PyTorch's rule): with stride {s} the output "
                "cannot keep the input's size",
                f"set stride to 1, or give padding as a number, e.g. {d * (k - 1) // 2}",
                code="same_needs_stride_1", param="padding")
        return (f, h, w)
    ho, wo = spatial_sizes("Conv2d", h, w, k, s, _pad(p), d)
    return (f, ho, wo)


def _conv_params(p, ins):
    c = ins[0][0]
    f, k = p["filters"], p["kernel_size"]
    return f * (c // _groups(p, c)) * k * k + (f if p["bias"] else 0)


def _conv_macs(p, ins, out):
    c = ins[0][0]
    return out[0] * out[1] * out[2] * (c // _groups(p, c)) * p["kernel_size"] ** 2


def _conv_kwargs(p, ins):
    c = ins[0][0]
    return {"in_channels": c, "out_channels": p["filters"], "kernel_size": p["kernel_size"],
            "stride": p["stride"], "padding": p["padding"], "dilation": p["dilation"],
            "groups": _groups(p, c), "bias": p["bias"]}


def _conv_label(p) -> str:
    text = f"{p['filters']}@{p['kernel_size']}×{p['kernel_size']}"
    if p["stride"] != 1:
        text += f" /{p['stride']}"
    if p["depthwise"]:
        text += " dw"
    elif p["groups"] != 1:
        text += f" g{p['groups']}"
    return text


def _conv_worked(p, ins, out):
    c, h, w = ins[0]
    f, k, s, d = p["filters"], p["kernel_size"], p["stride"], p["dilation"]
    g = _groups(p, c)
    if p["padding"] == "same":
        total = d * (k - 1)
        lines = [f"padding 'same' adds {total} rows and columns in all ({total // 2} before, "
                 f"{total - total // 2} after), so the size stays {h}×{w}"]
    else:
        lines = size_lines(h, w, k, s, _pad(p), d, False, out[1], out[2])
    cin = f"{c}" if g == 1 else f"{c}/{g}"
    bias = f" + {f}" if p["bias"] else ""
    lines.append(f"output shape {fmt_shape(out)} ({f} filters)")
    lines.append(f"parameters {f}·({cin}·{k}·{k}){bias} = {_conv_params(p, ins):,}")
    lines.append(f"MACs {out[0]}·{out[1]}·{out[2]} outputs · ({cin}·{k}·{k}) = {_conv_macs(p, ins, out):,}")
    return lines


register(LayerSpec(
    kind="conv2d",
    title="Conv2d",
    category="convolution",
    doc="Slides small learnt filters over the image. Each filter looks at a k×k patch through all "
        "input channels and gives one number per position, so each filter makes one output channel "
        "(a feature map). The same weights are reused at every position.",
    formula="y[f, i, j] = b[f] + Σ_c Σ_u Σ_v W[f, c, u, v] · x[c, s·i + d·u − p, s·j + d·v − p];   "
            "H_out = ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1",
    params=(
        ParamSpec("filters", "int", 16, "Filters", "Number of filters = output channels.", min=1,
                  max=MAX_UNITS),
        ParamSpec("kernel_size", "int", 3, "Kernel size", "Height and width k of each filter.", min=1,
                  max=MAX_KERNEL),
        ParamSpec("stride", "int", 1, "Stride", "Step between positions; 2 halves the size.", min=1,
                  max=MAX_KERNEL),
        ParamSpec("padding", "int_or_choice", 0, "Padding",
                  "Zeros added around the image: a number, 'same' (keep the size; stride 1 only) or "
                  "'valid' (none).", min=0, max=MAX_KERNEL, choices=("same", "valid")),
        ParamSpec("dilation", "int", 1, "Dilation", "Spacing between the kernel's taps (1 = touching).",
                  min=1, max=MAX_KERNEL),
        ParamSpec("groups", "int", 1, "Groups",
                  "Split channels into groups convolved separately; must divide input channels and filters.",
                  min=1, max=MAX_UNITS),
        ParamSpec("depthwise", "bool", False, "Depthwise",
                  "One group per input channel (groups = input channels); filters must be a multiple."),
        ParamSpec("bias", "bool", True, "Bias", "Add a learnt bias to every output channel."),
    ),
    n_inputs=1,
    shape=_conv_shape,
    param_count=_conv_params,
    macs=_conv_macs,
    torch="torch.nn.Conv2d",
    torch_kwargs=_conv_kwargs,
    label=_conv_label,
    worked=_conv_worked,
))
