"""Activations: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softmax. Imports: layers only.

All keep the shape, have no parameters and count 0 MACs (element-wise work is not a
multiply-accumulate; torchinfo counts it the same way).
"""

from netbuilder.layers.catalog._common import only_input, same_shape
from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec


def _keep(p, ins):
    return only_input(ins)


def _activation(kind: str, title: str, torch_name: str, doc: str, formula: str,
                params: tuple[ParamSpec, ...] = (), kwargs=None, label=None, extra=None) -> None:
    def worked(p, ins, out):
        return same_shape(ins, out) + (extra(p) if extra else [])

    register(LayerSpec(
        kind=kind, title=title, category="activation", doc=doc, formula=formula, params=params,
        n_inputs=1, shape=_keep, torch=torch_name,
        torch_kwargs=kwargs or (lambda p, ins: {}),
        label=label or (lambda p: ""),
        worked=worked,
    ))


_activation(
    "relu", "ReLU", "torch.nn.ReLU",
    "Keeps positive numbers and turns negative ones into 0. Simple and fast; the usual choice after "
    "a convolution or a dense layer. Without a non-linearity, stacked layers would be one linear map.",
    "ReLU(x) = max(0, x)",
)
_activation(
    "relu6", "ReLU6", "torch.nn.ReLU6",
    "Like ReLU, but also caps values at 6 (used in MobileNet, friendly to low-precision arithmetic).",
    "ReLU6(x) = min(max(0, x), 6)",
)
_activation(
    "leaky_relu", "LeakyReLU", "torch.nn.LeakyReLU",
    "Like ReLU, but negative numbers are multiplied by a small slope instead of becoming 0, so a "
    "neuron never stops learning completely.",
    "LeakyReLU(x) = x if x ≥ 0, else α·x",
    params=(ParamSpec("negative_slope", "float", 0.01, "Negative slope",
                      "α: how much of a negative input passes through.", min=0.0, max=1.0),),
    kwargs=lambda p, ins: {"negative_slope": float(p["negative_slope"])},
    label=lambda p: f"α={p['negative_slope']:g}",
    extra=lambda p: [f"for x < 0: y = {p['negative_slope']:g}·x, e.g. x = −2 gives "
                     f"{-2 * p['negative_slope']:g}"],
)
_activation(
    "sigmoid", "Sigmoid", "torch.nn.Sigmoid",
    "Squashes any number into (0, 1): useful as a probability or a gate (e.g. squeeze-and-excitation). "
    "In deep stacks its gradients get small.",
    "σ(x) = 1 / (1 + e^(−x))",
)
_activation(
    "tanh", "Tanh", "torch.nn.Tanh",
    "Squashes any number into (−1, 1), centred on 0.",
    "tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))",
)
_activation(
    "gelu", "GELU", "torch.nn.GELU",
    "A smooth ReLU: weights each input by the chance that a standard normal value is below it. "
    "Used in transformers.",
    "GELU(x) = x·Φ(x),  Φ = standard normal CDF",
)
_activation(
    "silu", "SiLU", "torch.nn.SiLU",
    "A smooth ReLU (also called Swish): the input times its own sigmoid. Used in EfficientNet.",
    "SiLU(x) = x·σ(x)",
)
_activation(
    "softmax", "Softmax", "torch.nn.Softmax",
    "Turns scores into probabilities that sum to 1 over the features (or, for images, over the "
    "channels at each pixel). Not needed before the output: the cross-entropy loss applies it itself.",
    "softmax(z)_i = e^(z_i) / Σ_j e^(z_j)",
    kwargs=lambda p, ins: {"dim": 1},
    extra=lambda p: ["the outputs over dimension 1 (features / channels) sum to 1"],
)
