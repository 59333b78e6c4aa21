"""Every shape rule, parameter count and buffer count against what torch really builds and computes.

Modules come from netbuilder.compiler.modules.build_module (exactly what the compiler uses); each runs a
forward pass on a batch of 2 random inputs.
"""

import random

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")

torch = pytest.importorskip("torch")

from netbuilder.compiler.modules import build_module  # noqa: E402
from netbuilder.layers import ShapeError, all_specs, get_spec  # noqa: E402

IMAGE, VECTOR, SEQUENCE = (3, 9, 11), (12,), (4, 6)  # a non-square image catches H/W mix-ups
MODULE_SPECS = [s for s in all_specs() if s.torch]

# Settings worth checking beyond the defaults: (kind, params, in_shapes)
CASES = [
    ("dense", {"units": 7, "bias": False}, [VECTOR]),
    ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2}, [(1, 28, 28)]),
    ("conv2d", {"filters": 8, "kernel_size": 3, "stride": 2, "dilation": 2, "bias": False}, [IMAGE]),
    ("conv2d", {"filters": 6, "kernel_size": 4, "padding": "same"}, [IMAGE]),
    ("conv2d", {"filters": 6, "kernel_size": 3, "padding": "same", "dilation": 2}, [IMAGE]),
    ("conv2d", {"filters": 5, "kernel_size": 3, "padding": "valid"}, [IMAGE]),
    ("conv2d", {"filters": 6, "kernel_size": 1, "groups": 3}, [IMAGE]),
    ("conv2d", {"filters": 6, "kernel_size": 3, "depthwise": True, "padding": 1}, [IMAGE]),
    ("maxpool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, [IMAGE]),
    ("maxpool2d", {"kernel_size": 2, "ceil_mode": True}, [(2, 5, 7)]),
    ("maxpool2d", {"kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True}, [(1, 5, 5)]),  # last window dropped
    ("avgpool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}, [IMAGE]),
    ("avgpool2d", {"kernel_size": 2, "stride": 3, "ceil_mode": True}, [(2, 8, 10)]),
    ("adaptive_avgpool2d", {"output_size": 4}, [IMAGE]),
    ("leaky_relu", {"negative_slope": 0.2}, [VECTOR]),
    ("softmax", {}, [IMAGE]),
    ("batchnorm1d", {"affine": False, "eps": 1e-3, "momentum": 0.5}, [SEQUENCE]),
    ("batchnorm2d", {"affine": False}, [IMAGE]),
    ("layernorm", {"eps": 1e-6}, [VECTOR]),
    ("local_response_norm", {"size": 2, "alpha": 1e-3, "beta": 0.5, "k": 1.0}, [IMAGE]),
    ("dropout", {"p": 0.0}, [IMAGE]),
    ("concat", {}, [(2, 9, 11), (5, 9, 11), (1, 9, 11)]),
    ("concat", {}, [(3,), (4,)]),
    ("add", {}, [VECTOR, VECTOR, VECTOR]),
    ("multiply", {}, [(3, 1, 1), IMAGE]),
    ("multiply", {}, [IMAGE, IMAGE]),
]


def _torch_run(kind, params, ins):
    spec = get_spec(kind)
    module = build_module(spec, spec.resolve(params), ins)
    module.train()
    with torch.no_grad():
        out = module(*[torch.randn(2, *s) for s in ins])
    n_params = sum(p.numel() for p in module.parameters())
    n_buffers = sum(b.numel() for b in module.buffers())
    return tuple(out.shape), n_params, n_buffers


def _compare(kind, params, ins):
    spec = get_spec(kind)
    p = spec.resolve(params)
    shape = spec.shape(p, ins)
    out, n_params, n_buffers = _torch_run(kind, params, ins)
    assert out == (2, *shape), (kind, params, ins)
    assert spec.param_count(p, ins) == n_params, (kind, params, ins)
    assert spec.buffers(p, ins) == n_buffers, (kind, params, ins)


@pytest.mark.parametrize("spec", MODULE_SPECS, ids=[s.kind for s in MODULE_SPECS])
def test_default_settings_match_torch(spec):
    candidates = [[IMAGE, IMAGE], [VECTOR, VECTOR]] if spec.variadic else [[IMAGE], [VECTOR], [SEQUENCE]]
    checked = 0
    for ins in candidates:
        try:
            spec.shape(spec.resolve({}), ins)
        except ShapeError:
            continue
        _compare(spec.kind, {}, ins)
        checked += 1
    assert checked, f"{spec.kind} accepts none of the sample inputs with its default settings"


@pytest.mark.parametrize(("kind", "params", "ins"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_settings_match_torch(kind, params, ins):
    _compare(kind, params, ins)


def test_every_kind_with_settings_has_a_case():
    with_settings = {s.kind for s in MODULE_SPECS if s.params}
    assert with_settings <= {c[0] for c in CASES} | {"dropout2d"}


def _agree(kind, params, ins):
    """The shape rule and torch agree: both refuse, or both give the same shape."""
    spec = get_spec(kind)
    p = spec.resolve(params)
    try:
        ours = (2, *spec.shape(p, ins))
    except ShapeError:
        ours = None
    try:
        theirs = _torch_run(kind, params, ins)[0]
    except (RuntimeError, ValueError):
        theirs = None
    assert ours == theirs, (kind, params, ins)


def test_random_conv_settings_agree_with_torch():
    rng = random.Random(1)
    for _ in range(120):
        c = rng.choice([1, 2, 4, 6])
        params = {"filters": rng.choice([2, 4, 6, 12]), "kernel_size": rng.randint(1, 6),
                  "stride": rng.randint(1, 3), "dilation": rng.randint(1, 3),
                  "padding": rng.choice([0, 1, 2, 3, "same", "valid"]),
                  "groups": rng.choice([1, 1, 2, 3]), "depthwise": rng.random() < 0.2}
        _agree("conv2d", params, [(c, rng.randint(1, 12), rng.randint(1, 12))])


@pytest.mark.parametrize("kind", ["maxpool2d", "avgpool2d"])
def test_random_pool_settings_agree_with_torch(kind):
    rng = random.Random(2)
    for _ in range(150):
        params = {"kernel_size": rng.randint(1, 6), "stride": rng.randint(0, 4), "padding": rng.randint(0, 3),
                  "ceil_mode": rng.random() < 0.5}
        if kind == "avgpool2d":
            params["count_include_pad"] = rng.random() < 0.5
        _agree(kind, params, [(2, rng.randint(1, 12), rng.randint(1, 12))])
