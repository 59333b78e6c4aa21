"""Helpers shared by the catalogue modules: shape text, input checks and sliding-window arithmetic.

Pure Python (no torch): the window formulas copy torch's own (``pooling_output_shape`` and the
convolution output size) so that analysis agrees with what a forward pass produces.
Imports: layers.spec only.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from netbuilder.layers.spec import Shape, ShapeError

MAX_UNITS = 1_000_000  # units, filters, groups
MAX_KERNEL = 1024  # kernel size, stride, padding, dilation, pooled output size
MAX_SIZE = 16_384  # each size of an input shape


def fmt_shape(shape: Sequence[int]) -> str:
    """``(6, 28, 28)`` -> ``"6×28×28"``."""
    return "×".join(str(v) for v in shape)


def describe(shape: Sequence[int]) -> str:
    """A shape in words, for messages: "a vector of 120 features" or "a 6×28×28 tensor"."""
    if len(shape) == 1:
        return f"a vector of {shape[0]:,} features"
    if len(shape) == 3:
        return f"a {fmt_shape(shape)} image (channels × height × width)"
    return f"a {fmt_shape(shape)} tensor"


def numel(shape: Sequence[int]) -> int:
    return prod(shape)


def require_image(title: str, shape: Shape) -> tuple[int, int, int]:
    """``(C, H, W)`` of an image input, or a ShapeError (code ``needs_image``)."""
    if len(shape) != 3:
        raise ShapeError(
            f"{title} works on images (channels × height × width) but gets {describe(shape)}",
            "move it before the Flatten (or global pooling), or use a layer made for vectors such as Dense",
            code="needs_image",
        )
    c, h, w = shape
    return c, h, w


def only_input(ins: Sequence[Shape]) -> Shape:
    """The single input shape of a one-input layer."""
    if len(ins) != 1:
        raise ShapeError(f"this layer takes exactly one input, not {len(ins)}",
                         "connect exactly one layer to it", code="missing_input")
    return ins[0]


def window_out(size: int, kernel: int, stride: int, pad: int, dilation: int = 1, ceil: bool = False) -> int:
    """Output length of a sliding window, as torch computes it.

    floor((size + 2·pad − dilation·(kernel − 1) − 1 [+ stride − 1 with ceil]) / stride) + 1; with
    ceil_mode the last window must start inside the input or its left padding, else one less.
    May be zero or negative: the caller reports that."""
    span = dilation * (kernel - 1) + 1
    out = (size + 2 * pad - span + (stride - 1 if ceil else 0)) // stride + 1
    if ceil and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def window_text(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil: bool, out: int) -> str:
    """The output-size formula with these numbers: "(28 − 5 + 2·2)/1 + 1 = 28"."""
    k = str(kernel) if dilation == 1 else f"({dilation}·({kernel} − 1) + 1)"
    inner = f"{size} − {k} + 2·{pad}"
    if stride == 1:
        text = f"({inner})/1 + 1"
    elif ceil:
        text = f"⌈({inner})/{stride}⌉ + 1"
    else:
        text = f"⌊({inner})/{stride}⌋ + 1"
    if ceil and out != (size + 2 * pad - dilation * (kernel - 1) - 1 + stride - 1) // stride + 1:
        text += " − 1 (a last window would start in the right padding, so it is dropped)"
    return f"{text} = {out}"


def spatial_sizes(title: str, h: int, w: int, kernel: int, stride: int, pad: int, dilation: int = 1,
                  ceil: bool = False) -> tuple[int, int]:
    """``(H_out, W_out)``; a ShapeError (code ``spatial_too_small``) naming the sizes when one is < 1."""
    ho = window_out(h, kernel, stride, pad, dilation, ceil)
    wo = window_out(w, kernel, stride, pad, dilation, ceil)
    if ho < 1 or wo < 1:
        span = dilation * (kernel - 1) + 1
        raise ShapeError(
            f"{title}'s {span}×{span} window does not fit the {h}×{w} input (padded by {pad}): "
            f"the output would be {ho}×{wo}",
            "use a smaller kernel or stride, add padding, or remove a pooling / strided layer before it",
            code="spatial_too_small",
        )
    return ho, wo


def size_lines(h: int, w: int, kernel: int, stride: int, pad: int, dilation: int, ceil: bool,
               ho: int, wo: int) -> list[str]:
    """"output size ..." for a square image, or one line for height and one for width."""
    if h == w:
        return [f"output size {window_text(h, kernel, stride, pad, dilation, ceil, ho)}"]
    return [f"output height {window_text(h, kernel, stride, pad, dilation, ceil, ho)}",
            f"output width {window_text(w, kernel, stride, pad, dilation, ceil, wo)}"]


def same_shape(ins: Sequence[Shape], out: Shape) -> list[str]:
    """The worked line of an element-wise layer."""
    return [f"output shape = input shape = {fmt_shape(out)} (applied to each of {numel(out):,} numbers)"]
