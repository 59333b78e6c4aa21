"""The ImageNet presets equal torchvision's models layer for layer (runs where torchvision is installed;
``test_preset_reference.py`` checks names, shapes, order and settings everywhere, against a stored
reference that ``test_the_stored_reference_is_torchvisions`` keeps honest here).

Checks, for each preset: the same parameter and buffer shapes in the same order, keys that are
torchvision's module paths with dots as underscores, the same layer settings (stride, padding,
eps, ceil_mode, ...), and the same outputs in eval mode after loading torchvision's weights (with
randomised batch-norm statistics) through ``map_state_dict_keys``.
"""

import pytest

torchvision = pytest.importorskip("torchvision")
torch = pytest.importorskip("torch")

from netbuilder.compiler import compile_design  # noqa: E402
from netbuilder.presets import build_preset  # noqa: E402
from netbuilder.presets.checkpoints import rename_checkpoint, torchvision_key_to_design_key  # noqa: E402

MODELS = {
    "alexnet": lambda m: m.alexnet(),
    "vgg11": lambda m: m.vgg11(),
    "vgg16": lambda m: m.vgg16(),
    "resnet18": lambda m: m.resnet18(),
    "resnet34": lambda m: m.resnet34(),
    "resnet50": lambda m: m.resnet50(),
    "googlenet": lambda m: m.googlenet(aux_logits=False, init_weights=True, transform_input=False),
    "densenet121": lambda m: m.densenet121(),
    "efficientnet_b0": lambda m: m.efficientnet_b0(),
    "mobilenet_v2": lambda m: m.mobilenet_v2(),
}
SETTINGS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "eps",
            "momentum", "affine", "ceil_mode", "count_include_pad", "p", "output_size", "in_features",
            "out_features", "num_features")


def _settings(module):
    out = {a: getattr(module, a) for a in SETTINGS if hasattr(module, a)}
    for a in ("kernel_size", "stride", "padding", "dilation", "output_size"):
        if isinstance(out.get(a), int):
            out[a] = (out[a], out[a])
    out["bias"] = getattr(module, "bias", None) is not None
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MODELS))
def test_preset_equals_torchvision(name):
    torch.manual_seed(0)
    reference = MODELS[name](torchvision.models).eval()
    ours = compile_design(build_preset(name)).eval()
    ref_sd, our_sd = reference.state_dict(), ours.state_dict()
    assert [tuple(v.shape) for v in our_sd.values()] == [tuple(v.shape) for v in ref_sd.values()]
    assert list(our_sd) == [torchvision_key_to_design_key(k) for k in ref_sd]
    # the same settings in every layer that holds weights or does pooling
    ours_by_name = dict(ours.named_children())
    for path, module in reference.named_modules():
        mine = ours_by_name.get(path.replace(".", "_"))
        if mine is not None and not list(module.children()):
            assert _settings(mine) == _settings(module), path
    # randomise the batch-norm statistics so that eval mode really uses them
    for m in reference.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    ref_sd = reference.state_dict()
    ours.load_state_dict(rename_checkpoint(ref_sd, list(our_sd), [tuple(v.shape) for v in our_sd.values()],
                                           design_name=name))
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        expected, got = reference(x), ours(x)
    assert got.shape == expected.shape == (2, 1000)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_the_stored_reference_is_torchvisions():
    import gzip
    import importlib.util
    import json
    from pathlib import Path

    here = Path(__file__).parent
    spec = importlib.util.spec_from_file_location("make_torchvision_reference", here / "make_torchvision_reference.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    stored = json.loads(gzip.decompress((here / "torchvision_reference.json.gz").read_bytes()))
    assert stored["models"] == generator.build_reference()["models"], (
        "torchvision changed: run tests/presets/make_torchvision_reference.py and review the difference")
