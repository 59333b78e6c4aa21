"""ResNet-18/34/50 as torchvision builds them (v1.5: the stride sits in the 3×3 of a bottleneck).

Ids mirror torchvision's module paths (``layer1_0_conv1``); each residual block is a group.
Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from collections.abc import Sequence

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import NORMALISED, settings

HE = Paper("K. He, X. Zhang, S. Ren, J. Sun", "Deep residual learning for image recognition", "CVPR 2016",
           "https://arxiv.org/abs/1512.03385")

IDEA = ("Each block learns only a correction F(x) that is added to its unchanged input, x + F(x), so "
        "gradients flow straight through the shortcut and very deep networks still train. Blocks repeat in "
        "four stages that halve the image and double the channels.")


def conv_bn(b: DesignBuilder, x: str, prefix: str, conv: str, bn: str, filters: int, kernel: int,
            stride: int = 1, *, eps: float | None = None) -> str:
    """A bias-free conv followed by batch norm, ids ``<prefix>_<conv>`` and ``<prefix>_<bn>``."""
    x = b.add("conv2d", x, filters=filters, kernel_size=kernel, stride=stride, padding=kernel // 2,
              bias=False, id=f"{prefix}_{conv}")
    bn_params = {} if eps is None else {"eps": eps}
    return b.add("batchnorm2d", x, id=f"{prefix}_{bn}", **bn_params)


def basic_block(b: DesignBuilder, x: str, prefix: str, in_ch: int, planes: int, stride: int) -> str:
    """conv3×3-BN-ReLU-conv3×3-BN, plus the input (projected by 1×1 conv + BN when the shape changes)."""
    with b.group(prefix, "residual block"):
        y = conv_bn(b, x, prefix, "conv1", "bn1", planes, 3, stride)
        y = b.add("relu", y, id=f"{prefix}_relu1")
        y = conv_bn(b, y, prefix, "conv2", "bn2", planes, 3)
        if stride != 1 or in_ch != planes:
            x = conv_bn(b, x, prefix, "downsample_0", "downsample_1", planes, 1, stride)
        y = b.add("add", y, x, id=f"{prefix}_add")
        return b.add("relu", y, id=f"{prefix}_relu2")


def bottleneck(b: DesignBuilder, x: str, prefix: str, in_ch: int, planes: int, stride: int) -> str:
    """1×1 reduce -> 3×3 (with the stride) -> 1×1 expand ×4, plus the (projected) input."""
    out_ch = planes * 4
    with b.group(prefix, "bottleneck block"):
        y = conv_bn(b, x, prefix, "conv1", "bn1", planes, 1)
        y = b.add("relu", y, id=f"{prefix}_relu1")
        y = conv_bn(b, y, prefix, "conv2", "bn2", planes, 3, stride)
        y = b.add("relu", y, id=f"{prefix}_relu2")
        y = conv_bn(b, y, prefix, "conv3", "bn3", out_ch, 1)
        if stride != 1 or in_ch != out_ch:
            x = conv_bn(b, x, prefix, "downsample_0", "downsample_1", out_ch, 1, stride)
        y = b.add("add", y, x, id=f"{prefix}_add")
        return b.add("relu", y, id=f"{prefix}_relu3")


def build_resnet(name: str, layers: Sequence[int], block: str, description: str) -> Design:
    b = DesignBuilder(name, description, collapsed=True, training=settings(NORMALISED))  # opens with every block as one box
    x = b.input([3, 224, 224])
    with b.group("stem", "stem"):
        x = b.add("conv2d", x, filters=64, kernel_size=7, stride=2, padding=3, bias=False, id="conv1")
        x = b.add("batchnorm2d", x, id="bn1")
        x = b.add("relu", x, id="relu")
        x = b.add("maxpool2d", x, kernel_size=3, stride=2, padding=1, id="maxpool")
    make, expansion = (basic_block, 1) if block == "basic" else (bottleneck, 4)
    in_ch = 64
    for stage, (n, planes) in enumerate(zip(layers, (64, 128, 256, 512)), start=1):
        for i in range(n):
            stride = 2 if stage > 1 and i == 0 else 1
            x = make(b, x, f"layer{stage}_{i}", in_ch, planes, stride)
            in_ch = planes * expansion
    x = b.add("adaptive_avgpool2d", x, output_size=1, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    x = b.add("dense", x, units=1000, id="fc")
    b.output(x)
    return b.build()


def _entry(title: str) -> GalleryEntry:
    return GalleryEntry(title, 2015, IDEA, HE, (3, 224, 224), 1000)


@register_preset("resnet18", gallery=_entry("ResNet-18"))
def resnet18() -> Design:
    """torchvision.models.resnet18: 11,689,512 parameters."""
    return build_resnet("resnet18", (2, 2, 2, 2), "basic", "ResNet-18 for 224×224 ImageNet images.")


@register_preset("resnet34", gallery=_entry("ResNet-34"))
def resnet34() -> Design:
    """torchvision.models.resnet34: 21,797,672 parameters."""
    return build_resnet("resnet34", (3, 4, 6, 3), "basic", "ResNet-34 for 224×224 ImageNet images.")


@register_preset("resnet50", gallery=_entry("ResNet-50"))
def resnet50() -> Design:
    """torchvision.models.resnet50 (v1.5): 25,557,032 parameters."""
    return build_resnet("resnet50", (3, 4, 6, 3), "bottleneck", "ResNet-50 (bottleneck blocks) for 224×224 "
                        "ImageNet images.")
