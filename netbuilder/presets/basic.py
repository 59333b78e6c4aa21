"""The first pictures of the course: one neuron, a plain MLP, and TensorFlow Playground's tiny net.

Imports: graph, layers (through the builder).
"""

from __future__ import annotations

from netbuilder.graph import Design
from netbuilder.presets.builder import DesignBuilder
from netbuilder.presets.registry import GalleryEntry, Paper, register_preset

ROSENBLATT = Paper("F. Rosenblatt", "The perceptron: a probabilistic model for information storage and "
                   "organization in the brain", "Psychological Review 65(6), 1958",
                   "https://doi.org/10.1037/h0042519")
RUMELHART = Paper("D. E. Rumelhart, G. E. Hinton, R. J. Williams",
                  "Learning representations by back-propagating errors", "Nature 323, 1986",
                  "https://doi.org/10.1038/323533a0")
PLAYGROUND = Paper("D. Smilkov, S. Carter", "A Neural Network Playground", "TensorFlow, 2016",
                   "https://playground.tensorflow.org")


@register_preset("neuron", gallery=GalleryEntry(
    "One neuron", 1958,
    "A neuron multiplies each input by a weight, adds them up with a bias and squashes the sum with a "
    "sigmoid. Training moves the weights until the output is high for one class and low for the other.",
    ROSENBLATT, (2,), 1, "basics"))
def neuron() -> Design:
    """Two inputs -> Dense(1) -> sigmoid: the weighted sum and squashing of the lecture's first picture."""
    b = DesignBuilder("neuron", "One neuron: a weighted sum of the inputs plus a bias, then a sigmoid.",
                      dataset={"name": "gaussian"})  # (two clouds a straight line separates)
    x = b.input([2])
    x = b.add("dense", x, units=1, id="weighted_sum")
    x = b.add("sigmoid", x, id="sigmoid")
    b.output(x)
    return b.build()


@register_preset("mlp", aliases=("multilayer_perceptron",), gallery=GalleryEntry(
    "Multilayer perceptron", 1986,
    "Layers of neurons, each fully connected to the previous one, with a non-linearity between them. "
    "One hidden layer is enough to separate the 8×8 digits well; the Flatten lays the image out as a "
    "vector first.",
    RUMELHART, (1, 8, 8), 10, "basics"))
def mlp() -> Design:
    """Input 1×8×8 (the small digits set) -> Flatten -> Dense 64 -> ReLU -> Dense 10.

    Fit it to 1×28×28 (MNIST-sized) with ``build_preset("mlp", input_shape=[1, 28, 28])``."""
    b = DesignBuilder("mlp", "A plain feed-forward classifier: flatten, one hidden layer of 64, 10 classes.",
                      dataset={"name": "digits"})
    x = b.input([1, 8, 8])
    x = b.add("flatten", x, id="flatten")
    x = b.add("dense", x, units=64, id="hidden")
    x = b.add("relu", x, id="relu")
    x = b.add("dense", x, units=10, id="classifier")
    b.output(x)
    return b.build()


@register_preset("playground", aliases=("tf_playground",), gallery=GalleryEntry(
    "TensorFlow Playground net", 2016,
    "Two input features (a point's x and y), two hidden layers of four tanh neurons, and a score per "
    "class. Small enough to watch every neuron bend the decision boundary as it trains.",
    PLAYGROUND, (2,), 2, "basics"))
def playground() -> Design:
    """2 inputs -> 4 tanh -> 4 tanh -> 2 class scores (Playground draws one tanh output; two logits
    suit the cross-entropy loss the trainer uses; fit to 1 class for a single score)."""
    b = DesignBuilder("playground", "TensorFlow Playground's network: 2 features, 4-4 tanh, 2 classes.",
                      dataset={"name": "circle"})  # (Playground's first dataset)
    x = b.input([2])
    for i in (1, 2):
        with b.group(f"hidden{i}", f"hidden layer {i}"):
            x = b.add("dense", x, units=4, id=f"hidden{i}_dense")
            x = b.add("tanh", x, id=f"hidden{i}_tanh")
    x = b.add("dense", x, units=2, id="classifier")
    b.output(x)
    return b.build()
