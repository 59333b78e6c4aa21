"""MobileNetV2 as torchvision builds it: inverted residual blocks with ReLU6 and linear bottlenecks.

Ids mirror torchvision's module paths (``features_2_conv_1_0`` is block 2's depthwise conv).
Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import NORMALISED, settings

SANDLER = Paper("M. Sandler, A. Howard, M. Zhu, A. Zhmoginov, L.-C. Chen", "MobileNetV2: inverted "
                "residuals and linear bottlenecks", "CVPR 2018", "https://arxiv.org/abs/1801.04381")

# (expansion t, output channels c, repeats n, first stride s), as in the paper's Table 2.
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
            (6, 320, 1, 1))


def conv_bn_act(b: DesignBuilder, x: str, prefix: str, filters: int, kernel: int, stride: int = 1, *,
                depthwise: bool = False, act: str = "relu6", eps: float | None = None) -> str:
    """torchvision's Conv2dNormActivation: ``<prefix>_0`` conv, ``<prefix>_1`` BN, ``<prefix>_2`` act."""
    conv = {"depthwise": True} if depthwise else {}
    x = b.add("conv2d", x, filters=filters, kernel_size=kernel, stride=stride, padding=(kernel - 1) // 2,
              bias=False, id=f"{prefix}_0", **conv)
    x = b.add("batchnorm2d", x, id=f"{prefix}_1", **({} if eps is None else {"eps": eps}))
    return b.add(act, x, id=f"{prefix}_2")


def inverted_residual(b: DesignBuilder, x: str, prefix: str, in_ch: int, out_ch: int, stride: int,
                      t: int) -> str:
    """1×1 expand (×t) -> 3×3 depthwise -> 1×1 linear projection; input added when shapes agree."""
    hidden = int(round(in_ch * t))
    with b.group(prefix, "inverted residual"):
        y, i = x, 0
        if t != 1:
            y = conv_bn_act(b, y, f"{prefix}_conv_0", hidden, 1)
            i = 1
        y = conv_bn_act(b, y, f"{prefix}_conv_{i}", hidden, 3, stride, depthwise=True)
        y = b.add("conv2d", y, filters=out_ch, kernel_size=1, stride=1, padding=0, bias=False,
                  id=f"{prefix}_conv_{i + 1}")
        y = b.add("batchnorm2d", y, id=f"{prefix}_conv_{i + 2}")
        if stride == 1 and in_ch == out_ch:
            y = b.add("add", x, y, id=f"{prefix}_add")
        return y


@register_preset("mobilenet_v2", aliases=("mobilenetv2",), gallery=GalleryEntry(
    "MobileNetV2", 2018,
    "A cheap depthwise 3×3 convolution filters each channel on its own, and 1×1 convolutions mix the "
    "channels: far fewer multiplications than a full convolution. Each block widens the channels, "
    "filters them, then narrows them again without a ReLU, with a shortcut between the narrow ends.",
    SANDLER, (3, 224, 224), 1000))
def mobilenet_v2() -> Design:
    """torchvision.models.mobilenet_v2 (width 1.0): 3,504,872 parameters."""
    b = DesignBuilder("mobilenet_v2", "MobileNetV2 (width 1.0) for 224×224 ImageNet images.", collapsed=True,
                      training=settings(NORMALISED))
    x = b.input([3, 224, 224])
    with b.group("features_0", "stem"):
        x = conv_bn_act(b, x, "features_0", 32, 3, 2)
    in_ch, index = 32, 1
    for t, c, n, s in SETTINGS:
        for i in range(n):
            x = inverted_residual(b, x, f"features_{index}", in_ch, c, s if i == 0 else 1, t)
            in_ch, index = c, index + 1
    with b.group(f"features_{index}", "head"):
        x = conv_bn_act(b, x, f"features_{index}", 1280, 1)
    x = b.add("adaptive_avgpool2d", x, output_size=1, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    x = b.add("dropout", x, p=0.2, id="classifier_0")
    x = b.add("dense", x, units=1000, id="classifier_1")
    b.output(x)
    return b.build()
