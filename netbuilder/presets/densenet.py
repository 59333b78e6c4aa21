"""DenseNet-121 as torchvision builds it (growth 32, blocks 6-12-24-16, bottleneck width 4×32).

Each dense layer appends its 32 new channels to everything before it. torchvision concatenates the
list of all earlier outputs at the start of every layer; here a Concat after each layer keeps the
running stack (Keras' formulation): the same tensors, one edge per layer instead of one per pair.
Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import NORMALISED, settings

HUANG = Paper("G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger", "Densely connected convolutional "
              "networks", "CVPR 2017", "https://arxiv.org/abs/1608.06993")


def dense_layer(b: DesignBuilder, x: str, prefix: str, growth: int, bn_size: int, *, bottleneck: bool = True,
                group: bool = True) -> str:
    """BN-ReLU-conv1×1 (bn_size·growth) -> BN-ReLU-conv3×3 (growth), concatenated onto the input;
    a group of its own unless ``group`` is False (then it joins the group around it)."""
    with b.group(prefix, "dense layer") if group else nullcontext():
        y = x
        if bottleneck:
            y = b.add("batchnorm2d", y, id=f"{prefix}_norm1")
            y = b.add("relu", y, id=f"{prefix}_relu1")
            y = b.add("conv2d", y, filters=bn_size * growth, kernel_size=1, stride=1, padding=0, bias=False,
                      id=f"{prefix}_conv1")
        y = b.add("batchnorm2d", y, id=f"{prefix}_norm2")
        y = b.add("relu", y, id=f"{prefix}_relu2")
        y = b.add("conv2d", y, filters=growth, kernel_size=3, stride=1, padding=1, bias=False,
                  id=f"{prefix}_conv2")
        return b.add("concat", x, y, id=f"{prefix}_concat")


def transition(b: DesignBuilder, x: str, prefix: str, filters: int) -> str:
    """BN-ReLU-conv1×1 (compress the channels) -> 2×2 average pool (halve the image)."""
    with b.group(prefix, "transition"):
        x = b.add("batchnorm2d", x, id=f"{prefix}_norm")
        x = b.add("relu", x, id=f"{prefix}_relu")
        x = b.add("conv2d", x, filters=filters, kernel_size=1, stride=1, padding=0, bias=False,
                  id=f"{prefix}_conv")
        return b.add("avgpool2d", x, kernel_size=2, stride=2, id=f"{prefix}_pool")


def dense_blocks(b: DesignBuilder, x: str, channels: int, blocks: Sequence[int], growth: int, bn_size: int,
                 *, prefix: str = "features", bottleneck: bool = True, compression: float = 0.5,
                 layer_groups: bool = True) -> tuple[str, int]:
    """Dense blocks with transitions between them; returns the last node and its channel count.
    Each dense layer is a group (``layer_groups``), or else each whole dense block is one (a node can be
    in one group only): DenseNet-121's 58 layers would be too many boxes to read."""
    for i, n in enumerate(blocks, start=1):
        block = f"{prefix}_denseblock{i}"
        with b.group(block, f"dense block {i}") if not layer_groups else nullcontext():
            for j in range(1, n + 1):
                x = dense_layer(b, x, f"{block}_denselayer{j}", growth, bn_size, bottleneck=bottleneck,
                                group=layer_groups)
                channels += growth
        if i != len(blocks):
            channels = int(channels * compression)
            x = transition(b, x, f"{prefix}_transition{i}", channels)
    return x, channels


@register_preset("densenet121", gallery=GalleryEntry(
    "DenseNet-121", 2016,
    "Inside a dense block every layer receives the concatenated outputs of all layers before it and "
    "adds only a few new channels, so features are reused instead of relearnt. Transitions between "
    "blocks compress the channels and halve the image.",
    HUANG, (3, 224, 224), 1000))
def densenet121() -> Design:
    """torchvision.models.densenet121: 7,978,856 parameters (no dropout: drop_rate 0)."""
    b = DesignBuilder("densenet121", "DenseNet-121 for 224×224 ImageNet images.", collapsed=True,
                      training=settings(NORMALISED))
    x = b.input([3, 224, 224])
    with b.group("stem", "stem"):
        x = b.add("conv2d", x, filters=64, kernel_size=7, stride=2, padding=3, bias=False, id="features_conv0")
        x = b.add("batchnorm2d", x, id="features_norm0")
        x = b.add("relu", x, id="features_relu0")
        x = b.add("maxpool2d", x, kernel_size=3, stride=2, padding=1, id="features_pool0")
    x, _ = dense_blocks(b, x, 64, (6, 12, 24, 16), growth=32, bn_size=4, layer_groups=False)
    x = b.add("batchnorm2d", x, id="features_norm5")
    x = b.add("relu", x, id="relu")
    x = b.add("adaptive_avgpool2d", x, output_size=1, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    x = b.add("dense", x, units=1000, id="classifier")
    b.output(x)
    return b.build()
