"""Match a torchvision checkpoint's state_dict keys to a preset's keys, by order and shape.

Pure names and shapes (this module must not import torch): the transfer-learning code gives the
design model's ``state_dict`` keys and shapes and the checkpoint's, and renames the tensors with the
returned mapping. Presets are built so that their compiled model registers the same tensors in the
same order as torchvision's model, with node ids that mirror torchvision's module paths
(``layer1.0.conv1.weight`` -> ``layer1_0_conv1.weight``).
"""

from __future__ import annotations

from collections.abc import Sequence

from netbuilder.presets.errors import PresetError

ShapeLike = Sequence[int]


class CheckpointMismatchError(PresetError):
    """The checkpoint does not hold the same tensors as the design (different architecture or size)."""


def torchvision_key_to_design_key(key: str) -> str:
    """``features.denseblock1.denselayer1.norm1.weight`` -> ``features_denseblock1_denselayer1_norm1.weight``."""
    module, _, leaf = key.rpartition(".")
    return f"{module.replace('.', '_')}.{leaf}" if module else key


def _fmt(shape: ShapeLike) -> str:
    return "×".join(str(int(v)) for v in shape) or "scalar"


def map_state_dict_keys(design_keys: Sequence[str], checkpoint_keys: Sequence[str],
                        design_shapes: Sequence[ShapeLike], checkpoint_shapes: Sequence[ShapeLike], *,
                        design_name: str = "the design") -> dict[str, str]:
    """``{checkpoint key: design key}`` pairing the i-th checkpoint tensor with the i-th design tensor.

    Every pair must have the same shape and the same kind of tensor (``weight``, ``bias``,
    ``running_mean``...). Raises CheckpointMismatchError naming the first entry that differs."""
    if len(design_keys) != len(design_shapes) or len(checkpoint_keys) != len(checkpoint_shapes):
        raise ValueError("each key list needs a shape list of the same length")
    if len(design_keys) != len(checkpoint_keys):
        raise CheckpointMismatchError(
            f"the checkpoint holds {len(checkpoint_keys)} tensors but {design_name} has {len(design_keys)}: "
            "it was saved from a different architecture; load it into the matching preset")
    mapping: dict[str, str] = {}
    for i, (dk, ck, ds, cs) in enumerate(zip(design_keys, checkpoint_keys, design_shapes, checkpoint_shapes)):
        d_leaf, c_leaf = dk.rpartition(".")[2], ck.rpartition(".")[2]
        if tuple(int(v) for v in ds) != tuple(int(v) for v in cs) or d_leaf != c_leaf:
            raise CheckpointMismatchError(
                f"checkpoint entry {i + 1} {ck!r} ({_fmt(cs)}) does not fit {design_name}'s {dk!r} "
                f"({_fmt(ds)}): the layers differ there; was it saved from another network or another "
                "number of classes?")
        mapping[ck] = dk
    return mapping


def rename_checkpoint(checkpoint: dict, design_keys: Sequence[str], design_shapes: Sequence[ShapeLike], *,
                      design_name: str = "the design") -> dict:
    """The checkpoint's values under the design's keys (values pass through untouched; any object with
    a ``shape`` works, so tensors do without this module importing torch)."""
    keys = list(checkpoint)
    mapping = map_state_dict_keys(design_keys, keys, design_shapes, [tuple(checkpoint[k].shape) for k in keys],
                                  design_name=design_name)
    return {mapping[k]: checkpoint[k] for k in keys}
