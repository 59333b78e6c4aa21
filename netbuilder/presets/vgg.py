"""VGG-11 and VGG-16 as torchvision builds them (no batch norm). Imports: graph, layers."""

from __future__ import annotations

from collections.abc import Sequence

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import PLAIN_DEEP, settings

SIMONYAN = Paper("K. Simonyan, A. Zisserman", "Very deep convolutional networks for large-scale image "
                 "recognition", "ICLR 2015", "https://arxiv.org/abs/1409.1556")

# torchvision's configurations: numbers are 3×3 conv filters, "M" a 2×2 max pool.
CFG_A = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M")
CFG_D = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")

IDEA = ("Only 3×3 convolutions, stacked two or three deep between 2×2 poolings: two 3×3 layers see "
        "as far as one 5×5 with fewer weights and an extra non-linearity. Depth, in simple uniform "
        "stages, is what made it better than AlexNet.")


def build_vgg(name: str, cfg: Sequence[int | str], description: str) -> Design:
    """features (ids features_<i> as in torchvision) -> avgpool 7×7 -> flatten -> classifier."""
    b = DesignBuilder(name, description, collapsed=True, training=settings(PLAIN_DEEP))
    x = b.input([3, 224, 224])
    i, stage = 0, 1
    stages: list[list[int | str]] = [[]]
    for v in cfg:
        stages[-1].append(v)
        if v == "M":
            stages.append([])
    for items in (s for s in stages if s):
        with b.group(f"stage{stage}", f"VGG stage {stage}"):
            for v in items:
                if v == "M":
                    x = b.add("maxpool2d", x, kernel_size=2, stride=2, id=f"features_{i}")
                    i += 1
                else:
                    x = b.add("conv2d", x, filters=int(v), kernel_size=3, stride=1, padding=1, bias=True,
                              id=f"features_{i}")
                    x = b.add("relu", x, id=f"features_{i + 1}")
                    i += 2
        stage += 1
    x = b.add("adaptive_avgpool2d", x, output_size=7, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    with b.group("classifier", "dense classifier"):
        x = b.add("dense", x, units=4096, id="classifier_0")
        x = b.add("relu", x, id="classifier_1")
        x = b.add("dropout", x, p=0.5, id="classifier_2")
        x = b.add("dense", x, units=4096, id="classifier_3")
        x = b.add("relu", x, id="classifier_4")
        x = b.add("dropout", x, p=0.5, id="classifier_5")
        x = b.add("dense", x, units=1000, id="classifier_6")
    b.output(x)
    return b.build()


@register_preset("vgg11", gallery=GalleryEntry("VGG-11", 2014, IDEA, SIMONYAN, (3, 224, 224), 1000))
def vgg11() -> Design:
    """torchvision.models.vgg11 (configuration A): 132,863,336 parameters."""
    return build_vgg("vgg11", CFG_A, "VGG-11 (configuration A) for 224×224 ImageNet images.")


@register_preset("vgg16", gallery=GalleryEntry("VGG-16", 2014, IDEA, SIMONYAN, (3, 224, 224), 1000))
def vgg16() -> Design:
    """torchvision.models.vgg16 (configuration D): 138,357,544 parameters."""
    return build_vgg("vgg16", CFG_D, "VGG-16 (configuration D) for 224×224 ImageNet images.")
