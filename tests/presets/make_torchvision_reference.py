"""Write ``torchvision_reference.json.gz``: what torchvision's ImageNet models hold, for the presets' identity
check (``test_preset_reference.py``) to run without torchvision.

For each architecture: every state-dict entry in order (name, shape, "param" or "buffer") and the settings of
every leaf module that holds weights or pools (stride, padding, eps, ceil_mode, ...). Run it once, with a
Python that has torchvision (not needed by netbuilder or its tests)::

    python tests/presets/make_torchvision_reference.py            # rewrites the fixture beside this script
    python tests/presets/make_torchvision_reference.py --check    # exit 1 if the fixture is out of date

The models are built on the "meta" device: no memory, no initialisation, only names and shapes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

FIXTURE = Path(__file__).with_name("torchvision_reference.json.gz")

# preset name -> how torchvision builds it (the same constructor the presets mirror)
MODELS = {
    "alexnet": ("alexnet", {}),
    "vgg11": ("vgg11", {}),
    "vgg16": ("vgg16", {}),
    "resnet18": ("resnet18", {}),
    "resnet34": ("resnet34", {}),
    "resnet50": ("resnet50", {}),
    "googlenet": ("googlenet", {"aux_logits": False, "init_weights": False, "transform_input": False}),
    "densenet121": ("densenet121", {}),
    "efficientnet_b0": ("efficientnet_b0", {}),
    "mobilenet_v2": ("mobilenet_v2", {}),
}
SETTINGS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "eps",
            "momentum", "affine", "ceil_mode", "count_include_pad", "p", "output_size", "in_features",
            "out_features", "num_features")


def _plain(value):
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def module_settings(module) -> dict:
    """The settings the identity check compares (ints widened to pairs, as netbuilder's 2-D layers hold them)."""
    out = {a: _plain(getattr(module, a)) for a in SETTINGS if hasattr(module, a)}
    for a in ("kernel_size", "stride", "padding", "dilation", "output_size"):
        if isinstance(out.get(a), int):
            out[a] = [out[a], out[a]]
    out["bias"] = getattr(module, "bias", None) is not None
    out["type"] = type(module).__name__
    return out


def describe(model) -> dict:
    """State-dict entries in order and the settings of every leaf module that has any."""
    params = {name for name, _ in model.named_parameters()}
    state = [[k, list(v.shape), "param" if k in params else "buffer"] for k, v in model.state_dict().items()]
    modules = {}
    for path, module in model.named_modules():
        if path and not list(module.children()):
            settings = module_settings(module)
            if set(settings) - {"bias", "type"}:
                modules[path] = settings
    return {"state": state, "modules": modules}


def build_reference() -> dict:
    import torch
    import torchvision

    out = {"torchvision": torchvision.__version__.split("+")[0], "models": {}}
    for name, (ctor, kwargs) in MODELS.items():
        with torch.device("meta"):
            model = getattr(torchvision.models, ctor)(weights=None, **kwargs)
        out["models"][name] = describe(model)
    return out


def encode(reference: dict) -> bytes:
    text = json.dumps(reference, sort_keys=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the stored fixture, write nothing")
    args = parser.parse_args(argv)
    reference = build_reference()
    if args.check:
        stored = json.loads(gzip.decompress(FIXTURE.read_bytes()))
        same = stored["models"] == reference["models"]
        print("the fixture is up to date" if same else "the fixture differs from torchvision")
        return 0 if same else 1
    FIXTURE.write_bytes(encode(reference))
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size:,} bytes, torchvision {reference['torchvision']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
