"""Receptive fields checked by an independent method: the input pixels whose gradient reaches one
output pixel of an equivalent torch stack (positive weights, so no path cancels)."""

import pytest
import torch
from test_receptive_field import chain
from torch import nn

from netbuilder.analysis.receptive_field import receptive_field

STACKS = [
    [("conv2d", {"kernel_size": 3}), ("conv2d", {"kernel_size": 3})],
    [("conv2d", {"kernel_size": 5, "padding": 2}), ("relu", {}), ("maxpool2d", {"kernel_size": 2}),
     ("conv2d", {"kernel_size": 5})],
    [("conv2d", {"kernel_size": 3, "stride": 2, "padding": 1}), ("conv2d", {"kernel_size": 3, "dilation": 2,
                                                                          "padding": "same"})],
    [("avgpool2d", {"kernel_size": 3, "stride": 2, "padding": 1}), ("conv2d", {"kernel_size": 2, "padding": 1}),
     ("maxpool2d", {"kernel_size": 3, "stride": 2, "ceil_mode": True})],
]


def _torch_layer(kind, p):
    if kind == "conv2d":
        conv = nn.Conv2d(1, 1, p["kernel_size"], stride=p.get("stride", 1), padding=p.get("padding", 0),
                         dilation=p.get("dilation", 1), bias=False)
        nn.init.constant_(conv.weight, 1.0)
        return conv
    if kind in ("maxpool2d", "avgpool2d"):  # average pooling: same windows, every pixel gets gradient
        return nn.AvgPool2d(p["kernel_size"], stride=p.get("stride") or p["kernel_size"],
                            padding=p.get("padding", 0), ceil_mode=p.get("ceil_mode", False))
    return nn.Identity()


@pytest.mark.parametrize("layers", STACKS, ids=range(len(STACKS)))
def test_every_output_pixel_matches_the_gradient_footprint(layers):
    size = 15
    g = chain(*layers, shape=(1, size, size))
    last = list(g.nodes)[-1]
    model = nn.Sequential(*[_torch_layer(k, p) for k, p in layers])
    x = torch.ones(1, 1, size, size, requires_grad=True)
    out = model(x)
    h, w = out.shape[2:]
    for y in range(h):
        for xx in range(w):
            (grad,) = torch.autograd.grad(out[0, 0, y, xx], x, retain_graph=True)
            rows = torch.nonzero(grad[0, 0].abs().sum(dim=1) > 0).flatten()
            cols = torch.nonzero(grad[0, 0].abs().sum(dim=0) > 0).flatten()
            expected = (int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1)
            assert receptive_field(g, last, y, xx) == expected, (y, xx)
