"""AlexNet as torchvision builds it (one tower, 64-192-384-256-256 filters). Imports: graph, layers."""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset
from netbuilder.presets.settings import PLAIN_DEEP, settings

KRIZHEVSKY = Paper("A. Krizhevsky, I. Sutskever, G. E. Hinton", "ImageNet classification with deep "
                   "convolutional neural networks", "NeurIPS 2012",
                   "https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks")


@register_preset("alexnet", gallery=GalleryEntry(
    "AlexNet", 2012,
    "A much deeper and wider CNN than LeNet, trained on a GPU with ReLU activations and dropout, won "
    "ImageNet 2012 by a wide margin. Large early filters with stride 4 shrink the 224×224 image fast, "
    "and three dense layers hold most of its 61 million parameters.",
    KRIZHEVSKY, (3, 224, 224), 1000, "classic"))
def alexnet() -> Design:
    """torchvision.models.alexnet: same modules (ids = module paths), same order, 61,100,840 params.

    The paper's local response normalisation and two-GPU split are not in torchvision's version."""
    b = DesignBuilder("alexnet", "AlexNet (torchvision's single-tower version) for 224×224 ImageNet images.",
                      training=settings(PLAIN_DEEP))
    x = b.input([3, 224, 224])
    convs = [  # (features index, filters, kernel, stride, padding, pool after)
        (0, 64, 11, 4, 2, True), (3, 192, 5, 1, 2, True), (6, 384, 3, 1, 1, False),
        (8, 256, 3, 1, 1, False), (10, 256, 3, 1, 1, True),
    ]
    for stage, (i, filters, k, s, p, pool) in enumerate(convs, start=1):
        with b.group(f"conv{stage}", f"convolution {stage}"):
            x = b.add("conv2d", x, filters=filters, kernel_size=k, stride=s, padding=p, bias=True,
                      id=f"features_{i}")
            x = b.add("relu", x, id=f"features_{i + 1}")
            if pool:
                x = b.add("maxpool2d", x, kernel_size=3, stride=2, id=f"features_{i + 2}")
    x = b.add("adaptive_avgpool2d", x, output_size=6, id="avgpool")
    x = b.add("flatten", x, id="flatten")
    with b.group("classifier", "dense classifier"):
        x = b.add("dropout", x, p=0.5, id="classifier_0")
        x = b.add("dense", x, units=4096, id="classifier_1")
        x = b.add("relu", x, id="classifier_2")
        x = b.add("dropout", x, p=0.5, id="classifier_3")
        x = b.add("dense", x, units=4096, id="classifier_4")
        x = b.add("relu", x, id="classifier_5")
        x = b.add("dense", x, units=1000, id="classifier_6")
    b.output(x)
    return b.build()
