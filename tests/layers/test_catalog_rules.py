"""The catalogue as data: every contract kind is there with its settings, defaults are valid, bounds are
enforced, texts exist, and the shape rules give the documented errors. Pure: no torch."""

import math

import pytest

from netbuilder.layers import VARIADIC, ShapeError, all_specs, get_spec

CONTRACT = {
    "input": ["shape"], "output": [], "dense": ["units", "bias"],
    "conv2d": ["filters", "kernel_size", "stride", "padding", "dilation", "groups", "depthwise", "bias"],
    "maxpool2d": ["kernel_size", "stride", "padding", "ceil_mode"],
    "avgpool2d": ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"],
    "adaptive_avgpool2d": ["output_size"], "global_avgpool": [], "flatten": [],
    "relu": [], "relu6": [], "leaky_relu": ["negative_slope"], "sigmoid": [], "tanh": [], "gelu": [],
    "silu": [], "softmax": [], "batchnorm1d": ["eps", "momentum", "affine"],
    "batchnorm2d": ["eps", "momentum", "affine"], "layernorm": ["eps"],
    "local_response_norm": ["size", "alpha", "beta", "k"], "dropout": ["p"], "dropout2d": ["p"],
    "add": [], "concat": [], "multiply": [],
}
SPECS = all_specs()
IDS = [s.kind for s in SPECS]


def test_every_contract_kind_has_exactly_its_settings():
    kinds = {s.kind: [p.name for p in s.params] for s in SPECS}
    assert kinds == CONTRACT


def test_merges_are_variadic_and_others_are_not():
    for s in SPECS:
        assert s.variadic == (s.kind in ("add", "concat", "multiply")), s.kind
    assert get_spec("input").n_inputs == 0


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_texts_and_defaults(spec):
    assert spec.title and spec.doc and spec.formula
    defaults = {p.name: p.default for p in spec.params}
    assert spec.check_params(defaults) == []
    for p in spec.params:
        assert p.label and p.doc, p.name
        assert p.type in ("int", "float", "bool", "choice", "int_or_choice", "shape")
    assert spec.torch == "" if spec.kind in ("input", "output") else spec.torch.startswith(
        ("torch.nn.", "netbuilder.compiler.ops."))


@pytest.mark.parametrize("spec", [s for s in SPECS if s.params], ids=[s.kind for s in SPECS if s.params])
def test_label_and_worked_lines_for_kinds_with_settings(spec):
    p = spec.resolve({})
    assert spec.label(p).strip()
    ins = [] if spec.kind == "input" else [(12,) if spec.kind in ("dense", "batchnorm1d") else (3, 16, 16)]
    out = spec.shape(p, ins)
    lines = spec.worked(p, ins, out)
    assert lines and all(isinstance(t, str) and t.strip() for t in lines)


def _bad_values(p):
    if p.type == "bool":
        return [1, "yes", None]
    if p.type == "shape":
        return [[0, 28, 28], [1, 2], [1, 28, 10**9], "28", [1.5]]
    bad = ["abc" if p.type != "int_or_choice" else "sometimes", None, True]
    if p.type in ("int", "int_or_choice"):
        bad.append(2.5)
    if p.type == "float":
        bad += [math.nan, math.inf]
    if p.min is not None:
        bad.append(p.min - 1)
    if p.max is not None:
        bad += [p.max + 1, 10**400]
    return bad


@pytest.mark.parametrize("spec", [s for s in SPECS if s.params], ids=[s.kind for s in SPECS if s.params])
def test_out_of_bounds_and_wrong_types_are_rejected(spec):
    for p in spec.params:
        if p.type in ("int", "float", "int_or_choice"):
            assert p.max is not None and p.min is not None, f"{spec.kind}.{p.name} needs bounds"
        for value in _bad_values(p):
            problems = spec.check_params({p.name: value})
            assert problems and problems[0][0] == p.name and problems[0][1], (spec.kind, p.name, value)
    assert spec.check_params({"no_such_setting": 1})[0][0] == "no_such_setting"


def test_size_bounds_are_sane():
    conv = get_spec("conv2d").param_index
    assert conv["filters"].max <= 1e6 and conv["kernel_size"].max <= 1024
    assert get_spec("dense").param_index["units"].max <= 1e6


def _raises(kind, params, ins):
    spec = get_spec(kind)
    with pytest.raises(ShapeError) as info:
        spec.shape(spec.resolve(params), ins)
    err = info.value
    assert err.message and err.fix and str(err)
    return err


def test_dense_on_an_image_needs_flatten():
    assert _raises("dense", {}, [(6, 5, 5)]).code == "needs_flatten"


@pytest.mark.parametrize("kind", ["conv2d", "maxpool2d", "avgpool2d", "adaptive_avgpool2d", "global_avgpool",
                                  "batchnorm2d", "dropout2d", "local_response_norm"])
def test_image_layers_refuse_vectors(kind):
    assert _raises(kind, {}, [(120,)]).code == "needs_image"


def test_batchnorm1d_refuses_images_and_accepts_vectors_and_sequences():
    bn = get_spec("batchnorm1d")
    assert bn.shape(bn.resolve({}), [(12,)]) == (12,)
    assert bn.shape(bn.resolve({}), [(4, 6)]) == (4, 6)
    _raises("batchnorm1d", {}, [(3, 8, 8)])


def test_conv_same_padding_needs_stride_1():
    err = _raises("conv2d", {"padding": "same", "stride": 2}, [(3, 8, 8)])
    assert err.code == "same_needs_stride_1" and err.param == "padding" and "stride 1" in err.message
    conv = get_spec("conv2d")
    assert conv.shape(conv.resolve({"padding": "same", "kernel_size": 4, "dilation": 2}), [(3, 9, 7)]) == (16, 9, 7)


def test_conv_groups_and_depthwise():
    assert _raises("conv2d", {"groups": 2, "filters": 6}, [(3, 8, 8)]).param == "groups"
    assert _raises("conv2d", {"groups": 4, "filters": 6}, [(4, 8, 8)]).code == "groups"
    err = _raises("conv2d", {"depthwise": True, "filters": 5}, [(4, 8, 8)])
    assert err.param == "filters"
    conv = get_spec("conv2d")
    p = conv.resolve({"depthwise": True, "filters": 8, "groups": 3})  # depthwise overrides groups
    assert conv.torch_kwargs(p, [(4, 8, 8)])["groups"] == 4
    assert conv.param_count(p, [(4, 8, 8)]) == 8 * 1 * 9 + 8


def test_spatial_too_small_names_the_sizes():
    err = _raises("conv2d", {"kernel_size": 5}, [(1, 3, 4)])
    assert err.code == "spatial_too_small" and "3×4" in err.message
    assert _raises("maxpool2d", {"kernel_size": 4}, [(2, 3, 3)]).code == "spatial_too_small"


def test_pool_padding_at_most_half_kernel_and_stride_zero_means_kernel():
    err = _raises("maxpool2d", {"kernel_size": 3, "padding": 2}, [(1, 8, 8)])
    assert err.code == "padding_too_large" and err.param == "padding"
    pool = get_spec("maxpool2d")
    assert pool.shape(pool.resolve({"kernel_size": 3}), [(2, 9, 9)]) == (2, 3, 3)
    assert pool.torch_kwargs(pool.resolve({"kernel_size": 3}), [(2, 9, 9)])["stride"] == 3
    # ceil mode: torch's rule that the last window must start inside the input or left padding
    assert pool.shape(pool.resolve({"kernel_size": 2, "stride": 2, "ceil_mode": True}), [(1, 5, 5)]) == (1, 3, 3)
    assert pool.shape(pool.resolve({"kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True}),
                      [(1, 5, 5)]) == (1, 2, 2)


def test_merge_rules():
    add, cat, mul = get_spec("add"), get_spec("concat"), get_spec("multiply")
    assert add.shape({}, [(4, 8, 8)] * 3) == (4, 8, 8)
    assert _raises("add", {}, [(4, 8, 8), (5, 8, 8)]).code == "merge_mismatch"
    assert cat.shape({}, [(4, 8, 8), (5, 8, 8)]) == (9, 8, 8)
    assert cat.shape({}, [(4,), (6,)]) == (10,)
    assert _raises("concat", {}, [(4, 8, 8), (4, 7, 8)]).code == "merge_mismatch"
    assert _raises("concat", {}, [(4, 8, 8), (4,)]).code == "merge_mismatch"
    assert mul.shape({}, [(4, 1, 1), (4, 8, 8)]) == (4, 8, 8)
    assert mul.shape({}, [(4, 8, 8), (4, 1, 1)]) == (4, 8, 8)
    assert _raises("multiply", {}, [(3, 1, 1), (4, 8, 8)]).code == "merge_mismatch"
    assert _raises("add", {}, [(4, 8, 8)]).code == "missing_input"
    assert get_spec("add").n_inputs == VARIADIC


def test_worked_lines_use_the_nodes_own_numbers():
    conv = get_spec("conv2d")
    p = conv.resolve({"filters": 6, "kernel_size": 5, "padding": 2})
    lines = conv.worked(p, [(1, 28, 28)], (6, 28, 28))
    assert "output size (28 − 5 + 2·2)/1 + 1 = 28" in lines
    assert "parameters 6·(1·5·5) + 6 = 156" in lines
    assert conv.label(p) == "6@5×5"
    pool = get_spec("maxpool2d")
    assert pool.label(pool.resolve({"kernel_size": 2})) == "2×2 /2"
    drop = get_spec("dropout")
    assert drop.label(drop.resolve({})) == "p=0.5"


def test_macs_convention():
    conv, dense = get_spec("conv2d"), get_spec("dense")
    p = conv.resolve({"filters": 8, "kernel_size": 3, "groups": 2})
    assert conv.macs(p, [(4, 10, 10)], (8, 8, 8)) == 8 * 8 * 8 * (4 // 2) * 3 * 3
    assert dense.macs(dense.resolve({"units": 7}), [(5,)], (7,)) == 35
    assert get_spec("relu").macs({}, [(3, 4, 4)], (3, 4, 4)) == 0


def test_batchnorm_buffers_like_torch():
    bn = get_spec("batchnorm2d")
    assert bn.buffers(bn.resolve({}), [(16, 4, 4)]) == 2 * 16 + 1
    assert bn.param_count(bn.resolve({"affine": False}), [(16, 4, 4)]) == 0


def test_bound_messages_read_well():
    units = get_spec("dense").param_index["units"]
    assert units.check(10**12) == "units must be at most 1,000,000, not 1,000,000,000,000"
    assert "1.00e+400" in units.check(10**400)
    assert get_spec("batchnorm2d").param_index["eps"].check(0.0) == "eps must be at least 1e-12, not 0"
