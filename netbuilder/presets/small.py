"""Teaching-size variants for 32×32 colour images (CIFAR-10 sized; fit them to 1×28×28 digits too).

Each keeps its family's defining idea and trains in minutes on a laptop CPU.
Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.densenet import HUANG, dense_blocks
from netbuilder.presets.efficientnet import TAN, mbconv
from netbuilder.presets.googlenet import SZEGEDY, basic_conv, inception
from netbuilder.presets.mobilenet import conv_bn_act
from netbuilder.presets.registry import GalleryEntry, register_preset
from netbuilder.presets.resnet import HE, basic_block
from netbuilder.presets.settings import NORMALISED, settings
from netbuilder.presets.vgg import SIMONYAN

CIFAR = (3, 32, 32)


@register_preset("vgg_small", gallery=GalleryEntry(
    "Small VGG", 2014,
    "Three VGG stages of two 3×3 convolutions each (32, 64, 128 filters), each stage ending in a 2×2 max "
    "pool, then a small dense classifier. Batch normalisation after every convolution lets it train in a "
    "few epochs.",
    SIMONYAN, CIFAR, 10, "teaching"))
def vgg_small() -> Design:
    b = DesignBuilder("vgg_small", "A small VGG for 32×32 images: stacks of 3×3 convolutions.",
                      training=settings(NORMALISED))
    x = b.input(list(CIFAR))
    for stage, filters in enumerate((32, 64, 128), start=1):
        with b.group(f"stage{stage}", f"VGG stage {stage}"):
            for i in (1, 2):
                x = b.add("conv2d", x, filters=filters, kernel_size=3, stride=1, padding=1, bias=False,
                          id=f"stage{stage}_conv{i}")
                x = b.add("batchnorm2d", x, id=f"stage{stage}_bn{i}")
                x = b.add("relu", x, id=f"stage{stage}_relu{i}")
            x = b.add("maxpool2d", x, kernel_size=2, stride=2, id=f"stage{stage}_pool")
    x = b.add("flatten", x, id="flatten")
    with b.group("classifier", "dense classifier"):
        x = b.add("dense", x, units=128, id="fc1")
        x = b.add("relu", x, id="fc1_relu")
        x = b.add("dropout", x, p=0.5, id="dropout")
        x = b.add("dense", x, units=10, id="fc2")
    b.output(x)
    return b.build()


@register_preset("resnet_cifar", aliases=("resnet20",), gallery=GalleryEntry(
    "ResNet-20 (CIFAR)", 2015,
    "The ResNet paper's CIFAR network: a 3×3 stem, then three stages of three residual blocks with 16, "
    "32 and 64 filters, each block adding its input back to its output. Where a stage halves the image, "
    "a 1×1 convolution with stride 2 projects the shortcut (the paper's option B).",
    HE, CIFAR, 10, "teaching"))
def resnet_cifar() -> Design:
    """ResNet-20 (n = 3): 6n + 2 = 20 weighted layers, about 0.27 M parameters.

    Shortcuts that change shape use 1×1 conv + BN projections (option B): the paper's option A pads
    with zero channels, which no catalogue layer does."""
    b = DesignBuilder("resnet_cifar", "ResNet-20 for 32×32 images (the ResNet paper's CIFAR-10 network).",
                      training=settings(NORMALISED))
    x = b.input(list(CIFAR))
    with b.group("stem", "stem"):
        x = b.add("conv2d", x, filters=16, kernel_size=3, stride=1, padding=1, bias=False, id="conv1")
        x = b.add("batchnorm2d", x, id="bn1")
        x = b.add("relu", x, id="relu")
    in_ch = 16
    for stage, planes in enumerate((16, 32, 64), start=1):
        for i in range(3):
            x = basic_block(b, x, f"layer{stage}_{i}", in_ch, planes, 2 if stage > 1 and i == 0 else 1)
            in_ch = planes
    x = b.add("global_avgpool", x, id="avgpool")
    x = b.add("dense", x, units=10, id="fc")
    b.output(x)
    return b.build()


@register_preset("inception_small", gallery=GalleryEntry(
    "Small Inception net", 2014,
    "Two inception modules: each looks at its input through a 1×1, a 3×3 and a 5×5 convolution and a "
    "pooling side by side and concatenates the four results. 1×1 convolutions first shrink the "
    "channels so the wide filters stay cheap.",
    SZEGEDY, CIFAR, 10, "teaching"))
def inception_small() -> Design:
    b = DesignBuilder("inception_small", "A small Inception network for 32×32 images: parallel branches "
                      "concatenated.", training=settings(NORMALISED))
    x = b.input(list(CIFAR))
    with b.group("stem", "stem"):
        x = basic_conv(b, x, "conv1", 32, 3, padding=1)
        x = b.add("maxpool2d", x, kernel_size=2, stride=2, id="maxpool1")
    x = inception(b, x, "inception1", 16, 16, 24, 4, 8, 8, kernel5=5)  # -> 56 channels
    x = b.add("maxpool2d", x, kernel_size=2, stride=2, id="maxpool2")
    x = inception(b, x, "inception2", 32, 32, 48, 8, 16, 16, kernel5=5)  # -> 112 channels
    x = b.add("global_avgpool", x, id="avgpool")
    x = b.add("dropout", x, p=0.2, id="dropout")
    x = b.add("dense", x, units=10, id="fc")
    b.output(x)
    return b.build()


@register_preset("densenet_small", gallery=GalleryEntry(
    "Small DenseNet", 2016,
    "Three dense blocks of four layers: every layer adds 12 new channels and passes on everything it "
    "received, concatenated. Transitions between the blocks halve the channels and the image.",
    HUANG, CIFAR, 10, "teaching"))
def densenet_small() -> Design:
    """Growth 12, blocks 4-4-4 of BN-ReLU-conv3×3 layers, compression 0.5 (a DenseNet-BC-style toy)."""
    b = DesignBuilder("densenet_small", "A small DenseNet for 32×32 images: dense concatenation and "
                      "transitions.", training=settings(NORMALISED))
    x = b.input(list(CIFAR))
    x = b.add("conv2d", x, filters=24, kernel_size=3, stride=1, padding=1, bias=False, id="conv0")
    x, _ = dense_blocks(b, x, 24, (4, 4, 4), growth=12, bn_size=4, prefix="dense", bottleneck=False)
    x = b.add("batchnorm2d", x, id="norm_final")
    x = b.add("relu", x, id="relu_final")
    x = b.add("global_avgpool", x, id="avgpool")
    x = b.add("dense", x, units=10, id="classifier")
    b.output(x)
    return b.build()


@register_preset("efficientnet_small", gallery=GalleryEntry(
    "Small EfficientNet", 2019,
    "Five MBConv blocks: each widens the channels with a 1×1 convolution, filters every channel on its "
    "own with a depthwise convolution, reweights the channels with squeeze-and-excitation and narrows "
    "them again. Blocks that keep the shape add their input back.",
    TAN, CIFAR, 10, "teaching"))
def efficientnet_small() -> Design:
    b = DesignBuilder("efficientnet_small", "A small EfficientNet-style network for 32×32 images: MBConv "
                      "blocks with squeeze-and-excitation.", training=settings(NORMALISED))
    x = b.input(list(CIFAR))
    with b.group("stem", "stem"):
        x = conv_bn_act(b, x, "stem", 16, 3, 1, act="silu")
    blocks = (  # (in, out, expansion, kernel, stride)
        (16, 16, 1, 3, 1), (16, 24, 4, 3, 2), (24, 24, 4, 3, 1), (24, 40, 4, 5, 2), (40, 40, 4, 3, 1),
    )
    for i, (cin, cout, expand, kernel, stride) in enumerate(blocks, start=1):
        x = mbconv(b, x, f"block{i}", cin, cout, expand, kernel, stride)
    with b.group("head", "head"):
        x = conv_bn_act(b, x, "head", 128, 1, act="silu")
    x = b.add("global_avgpool", x, id="avgpool")
    x = b.add("dropout", x, p=0.2, id="dropout")
    x = b.add("dense", x, units=10, id="classifier")
    b.output(x)
    return b.build()
