"""The other names a layer kind goes by (in other frameworks, papers and courses), so that a search for
"Linear", "fully connected" or "FC" finds Dense. Catalogue data: the palette's search reads it; the
renamed kinds of the registry (``DEPRECATED``) count as aliases too.

Pure Python.
"""

from __future__ import annotations

from netbuilder.layers.registry import DEPRECATED

ALIASES: dict[str, tuple[str, ...]] = {
    "input": ("placeholder", "data", "image input"),
    "output": ("prediction", "logits", "classifier output"),
    "dense": ("linear", "fully connected", "fully-connected", "fc", "affine", "perceptron", "mlp",
              "innerproduct"),
    "flatten": ("reshape", "vectorise", "vectorize"),
    "conv2d": ("conv", "convolution", "convolutional", "cnn", "filter", "kernel"),
    "maxpool2d": ("pool", "pooling", "max pooling", "maxpool", "maxpooling", "subsampling", "downsample"),
    "avgpool2d": ("pool", "pooling", "average pooling", "avgpool", "mean pooling", "downsample"),
    "adaptive_avgpool2d": ("pool", "pooling", "adaptive pooling", "adaptiveavgpool"),
    "global_avgpool": ("pool", "pooling", "global average pooling", "gap", "gap2d"),
    "relu": ("rectifier", "activation"),
    "relu6": ("rectifier", "activation", "mobilenet"),
    "leaky_relu": ("leakyrelu", "leaky", "lrelu", "activation"),
    "sigmoid": ("logistic", "σ", "activation"),
    "tanh": ("hyperbolic tangent", "activation"),
    "gelu": ("gaussian error linear unit", "activation", "transformer"),
    "silu": ("swish", "sigmoid linear unit", "activation"),
    "softmax": ("probabilities", "normalised exponential", "activation"),
    "batchnorm1d": ("batchnorm", "batch norm", "batch normalisation", "batch normalization", "bn"),
    "batchnorm2d": ("batchnorm", "batch norm", "batch normalisation", "batch normalization", "bn"),
    "layernorm": ("layer norm", "layer normalisation", "layer normalization", "ln"),
    "local_response_norm": ("lrn", "local response normalisation", "local response normalization"),
    "dropout": ("regularisation", "regularization", "drop out"),
    "dropout2d": ("spatial dropout", "channel dropout", "regularisation", "regularization"),
    "add": ("sum", "plus", "residual", "skip connection", "shortcut"),
    "concat": ("concatenate", "concatenation", "cat", "join", "merge"),
    "multiply": ("product", "mul", "gate", "elementwise product"),
}


def aliases_of(kind: str) -> tuple[str, ...]:
    """The other names of ``kind``: its aliases, then its old names (``linear`` for ``dense``)."""
    old = tuple(name.replace("_", " ") for name, new in DEPRECATED.items() if new == kind)
    return tuple(dict.fromkeys(ALIASES.get(kind, ()) + old))
