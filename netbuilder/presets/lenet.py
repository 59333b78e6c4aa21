"""LeNet-5 for 28×28 digits (LeCun et al. 1998), in its common modern form. Imports: graph, layers."""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset

LECUN = Paper("Y. LeCun, L. Bottou, Y. Bengio, P. Haffner", "Gradient-based learning applied to document "
              "recognition", "Proceedings of the IEEE 86(11), 1998", "https://doi.org/10.1109/5.726791")


@register_preset("lenet5", aliases=("lenet",), gallery=GalleryEntry(
    "LeNet-5", 1998,
    "Small convolution filters shared across the whole image find strokes wherever they are, and "
    "pooling makes the features coarser and more tolerant to shifts. Two convolution stages feed three "
    "dense layers: the template of every CNN since.",
    LECUN, (1, 28, 28), 10, "classic"))
def lenet5() -> Design:
    """1×28×28 -> conv 6@5×5 (padding 2) -> ReLU -> maxpool 2 -> conv 16@5×5 -> ReLU -> maxpool 2
    -> flatten -> dense 120 -> ReLU -> dense 84 -> ReLU -> dense 10: 61,706 parameters.

    ReLU and max pooling replace the paper's scaled tanh and trainable sub-sampling (they train
    faster and are what the course uses); padding 2 stands in for the paper's 32×32 padded input."""
    b = DesignBuilder("lenet5", "LeNet-5 for 28×28 grey digits (ReLU and max-pooling variant).")
    x = b.input([1, 28, 28])
    with b.group("c1_s2", "convolution stage 1"):
        x = b.add("conv2d", x, filters=6, kernel_size=5, stride=1, padding=2, bias=True, id="conv1")
        x = b.add("relu", x, id="relu1")
        x = b.add("maxpool2d", x, kernel_size=2, stride=2, id="pool1")
    with b.group("c3_s4", "convolution stage 2"):
        x = b.add("conv2d", x, filters=16, kernel_size=5, stride=1, padding=0, bias=True, id="conv2")
        x = b.add("relu", x, id="relu2")
        x = b.add("maxpool2d", x, kernel_size=2, stride=2, id="pool2")
    x = b.add("flatten", x, id="flatten")
    with b.group("classifier", "dense classifier"):
        x = b.add("dense", x, units=120, id="fc1")
        x = b.add("relu", x, id="relu3")
        x = b.add("dense", x, units=84, id="fc2")
        x = b.add("relu", x, id="relu4")
        x = b.add("dense", x, units=10, id="fc3")
    b.output(x)
    return b.build()
