"""EfficientNet-B0 as torchvision builds it: MBConv blocks with squeeze-and-excitation and SiLU.

torchvision's StochasticDepth (which randomly skips a residual branch while training) is the identity
in eval mode and has no parameters, so it is left out: outputs match in eval mode, and training here
simply never drops a block. Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.mobilenet import conv_bn_act
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import NORMALISED, settings

TAN = Paper("M. Tan, Q. V. Le", "EfficientNet: rethinking model scaling for convolutional neural networks",
            "ICML 2019", "https://arxiv.org/abs/1905.11946")

# (expansion, kernel, first stride, in channels, out channels, blocks): torchvision's B0 stages.
STAGES_B0 = ((1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
             (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1))


def squeeze_excitation(b: DesignBuilder, x: str, prefix: str, channels: int, squeeze: int,
                       act: str = "silu") -> str:
    """Average each channel to one number, squeeze to ``squeeze`` and back, sigmoid, rescale x.

    No group of its own: it sits inside its MBConv block's group."""
    s = b.add("adaptive_avgpool2d", x, output_size=1, id=f"{prefix}_avgpool")
    s = b.add("conv2d", s, filters=squeeze, kernel_size=1, stride=1, padding=0, bias=True, id=f"{prefix}_fc1")
    s = b.add(act, s, id=f"{prefix}_activation")
    s = b.add("conv2d", s, filters=channels, kernel_size=1, stride=1, padding=0, bias=True, id=f"{prefix}_fc2")
    s = b.add("sigmoid", s, id=f"{prefix}_scale_activation")
    return b.add("multiply", x, s, id=f"{prefix}_scale")


def mbconv(b: DesignBuilder, x: str, prefix: str, in_ch: int, out_ch: int, expand: int, kernel: int,
           stride: int, *, eps: float | None = None, act: str = "silu") -> str:
    """1×1 expand -> k×k depthwise -> squeeze-and-excitation -> 1×1 project (+ input when shapes agree)."""
    hidden = in_ch * expand
    with b.group(prefix, "MBConv block"):
        y, i = x, 0
        if expand != 1:
            y = conv_bn_act(b, y, f"{prefix}_block_0", hidden, 1, act=act, eps=eps)
            i = 1
        y = conv_bn_act(b, y, f"{prefix}_block_{i}", hidden, kernel, stride, depthwise=True, act=act, eps=eps)
        y = squeeze_excitation(b, y, f"{prefix}_block_{i + 1}", hidden, max(1, in_ch // 4), act)
        y = b.add("conv2d", y, filters=out_ch, kernel_size=1, stride=1, padding=0, bias=False,
                  id=f"{prefix}_block_{i + 2}_0")
        y = b.add("batchnorm2d", y, id=f"{prefix}_block_{i + 2}_1", **({} if eps is None else {"eps": eps}))
        if stride == 1 and in_ch == out_ch:
            y = b.add("add", y, x, id=f"{prefix}_add")
        return y


@register_preset("efficientnet_b0", aliases=("efficientnet",), gallery=GalleryEntry(
    "EfficientNet-B0", 2019,
    "MobileNet-style inverted residual blocks, each with a squeeze-and-excitation that reweights the "
    "channels by what the whole image contains, found by architecture search. Its family then scales "
    "depth, width and resolution together by one compound factor.",
    TAN, (3, 224, 224), 1000))
def efficientnet_b0() -> Design:
    """torchvision.models.efficientnet_b0: 5,288,548 parameters (BN eps 1e-5 as torchvision's B0)."""
    b = DesignBuilder("efficientnet_b0", "EfficientNet-B0 for 224×224 ImageNet images.", collapsed=True,
                      training=settings(NORMALISED))
    x = b.input([3, 224, 224])
    with b.group("features_0", "stem"):
        x = conv_bn_act(b, x, "features_0", 32, 3, 2, act="silu")
    for stage, (expand, kernel, stride, in_ch, out_ch, n) in enumerate(STAGES_B0, start=1):
        for j in range(n):
            x = mbconv(b, x, f"features_{stage}_{j}", in_ch if j == 0 else out_ch, out_ch, expand, kernel,
                       stride if j == 0 else 1)
    with b.group("features_8", "head"):
        x = conv_bn_act(b, x, "features_8", 1280, 1, act="silu")
    x = b.add("adaptive_avgpool2d", x, output_size=1, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    x = b.add("dropout", x, p=0.2, id="classifier_0")
    x = b.add("dense", x, units=1000, id="classifier_1")
    b.output(x)
    return b.build()
