"""Regularisation: Dropout and Dropout2d. Imports: layers only. No parameters, 0 MACs."""

from netbuilder.layers.catalog._common import only_input, require_image, same_shape
from netbuilder.layers.registry import register
from netbuilder.layers.spec import LayerSpec, ParamSpec


def _p() -> ParamSpec:
    return ParamSpec("p", "float", 0.5, "Drop probability",
                     "Chance that each value (or channel) is set to 0 during training.", min=0.0, max=1.0)


def _worked(what: str):
    def worked(p, ins, out):
        keep = 1 - p["p"]
        scale = f"1/{keep:g} = {1 / keep:.3g}" if keep > 0 else "— (everything is dropped)"
        return same_shape(ins, out) + [
            f"training: each {what} is zeroed with probability {p['p']:g}; the rest are multiplied by {scale}",
            "evaluation: nothing changes", "parameters 0"]
    return worked


register(LayerSpec(
    kind="dropout",
    title="Dropout",
    category="regularisation",
    doc="During training, sets random values to 0 so that the network cannot rely on any single "
        "neuron; this fights overfitting. The kept values are scaled up so the average stays the same. "
        "Switched off for evaluation.",
    formula="y = m ⊙ x / (1 − p),  m_i ~ Bernoulli(1 − p)  (training only)",
    params=(_p(),),
    n_inputs=1,
    shape=lambda p, ins: only_input(ins),
    torch="torch.nn.Dropout",
    torch_kwargs=lambda p, ins: {"p": float(p["p"])},
    label=lambda p: f"p={p['p']:g}",
    worked=_worked("value"),
))


def _dropout2d_shape(p, ins):
    require_image("Dropout2d", only_input(ins))
    return ins[0]


register(LayerSpec(
    kind="dropout2d",
    title="Dropout2d",
    category="regularisation",
    doc="During training, sets whole channels (feature maps) to 0 at random. Neighbouring pixels are "
        "so alike that dropping single pixels helps little in convolutional layers.",
    formula="y[c] = m_c · x[c] / (1 − p),  m_c ~ Bernoulli(1 − p)  (training only)",
    params=(_p(),),
    n_inputs=1,
    shape=_dropout2d_shape,
    torch="torch.nn.Dropout2d",
    torch_kwargs=lambda p, ins: {"p": float(p["p"])},
    label=lambda p: f"p={p['p']:g}",
    worked=_worked("channel"),
))
