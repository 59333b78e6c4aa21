"""Transfer learning: load weights from a file into a compiled design, layer by layer, with a report.

``load_into(model, design, path) -> LoadReport`` reads netbuilder's own safetensors (or a weights-only
torch file) and matches tensors by name; a torchvision checkpoint (``.pth`` state_dict, loaded with
``torch.load(weights_only=True)``: a file that would run code is refused) has other names, so it is
matched by order and shape (``presets.checkpoints.map_state_dict_keys``) when everything fits, else
layer by layer in order. Only layers whose every tensor fits are loaded; the rest is reported.

Imports torch, the presets' key mapping and this package's weights reader; never Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from netbuilder.errors import NetbuilderError
from netbuilder.presets.checkpoints import CheckpointMismatchError, map_state_dict_keys
from netbuilder.training.weights import load_weights


class TransferError(NetbuilderError):
    """Weights that cannot be loaded into the design at all."""


@dataclass
class LoadReport:
    """What ``load_into`` did. Layers are node ids (the design's state-dict prefixes)."""

    path: str
    matched_by: str  # "name" | "order"
    loaded: list[str] = field(default_factory=list)  # layers whose every tensor was loaded
    mismatched: list[tuple[str, str]] = field(default_factory=list)  # (layer, why) not loaded
    skipped: list[str] = field(default_factory=list)  # design layers the file has nothing for
    unused: list[str] = field(default_factory=list)  # file entries (layers) nothing in the design took
    tensors: int = 0  # tensors copied

    def summary(self) -> str:
        """One plain sentence for the window or the command line."""
        parts = [f"loaded {len(self.loaded)} layer{'s' * (len(self.loaded) != 1)} from {Path(self.path).name} "
                 f"(matched by {self.matched_by})"]
        if self.mismatched:
            parts.append(f"{len(self.mismatched)} did not fit ({', '.join(n for n, _ in self.mismatched[:4])}"
                         f"{', …' if len(self.mismatched) > 4 else ''}) and keep their weights")
        if self.skipped:
            parts.append(f"{len(self.skipped)} not in the file ({', '.join(self.skipped[:4])}"
                         f"{', …' if len(self.skipped) > 4 else ''})")
        if self.unused:
            parts.append(f"{len(self.unused)} file entr{'ies' if len(self.unused) != 1 else 'y'} unused")
        return "; ".join(parts)


def _layer(key: str) -> str:
    return key.rpartition(".")[0] or key


def _groups(keys: list[str]) -> list[tuple[str, list[str]]]:
    """Keys grouped by layer, in order of first appearance."""
    out: dict[str, list[str]] = {}
    for k in keys:
        out.setdefault(_layer(k), []).append(k)
    return list(out.items())


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(int(v) for v in t.shape)


def _fmt(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) or "scalar"


def _by_name(state: dict[str, torch.Tensor], target: dict[str, torch.Tensor], report: LoadReport) -> dict:
    chosen: dict[str, torch.Tensor] = {}
    for layer, keys in _groups(list(target)):
        present = [k for k in keys if k in state]
        if not present:
            report.skipped.append(layer)
            continue
        bad = [k for k in keys if k not in state or _shape(state[k]) != _shape(target[k])]
        if bad:
            k = bad[0]
            why = (f"{k} is missing from the file" if k not in state else
                   f"{k} is {_fmt(_shape(state[k]))} in the file but {_fmt(_shape(target[k]))} in the design")
            report.mismatched.append((layer, why))
            continue
        chosen.update({k: state[k] for k in keys})
        report.loaded.append(layer)
    report.unused = [layer for layer, keys in _groups(list(state)) if not any(k in target for k in keys)]
    return chosen


def _by_order(state: dict[str, torch.Tensor], target: dict[str, torch.Tensor], design_name: str,
              report: LoadReport) -> dict:
    d_keys, c_keys = list(target), list(state)
    try:
        mapping = map_state_dict_keys(d_keys, c_keys, [_shape(target[k]) for k in d_keys],
                                      [_shape(state[k]) for k in c_keys], design_name=design_name)
    except CheckpointMismatchError:
        mapping = None
    if mapping is not None:
        report.loaded = [layer for layer, _ in _groups(d_keys)]
        return {mapping[ck]: state[ck] for ck in c_keys}
    # layer by layer, in order: the i-th layer of the file against the i-th layer of the design
    chosen: dict[str, torch.Tensor] = {}
    d_groups, c_groups = _groups(d_keys), _groups(c_keys)
    for i, (layer, keys) in enumerate(d_groups):
        if i >= len(c_groups):
            report.skipped.append(layer)
            continue
        c_layer, c_ks = c_groups[i]
        d_sig = [(k.rpartition(".")[2], _shape(target[k])) for k in keys]
        c_sig = [(k.rpartition(".")[2], _shape(state[k])) for k in c_ks]
        if d_sig != c_sig:
            why = (f"the file's {c_layer} holds {', '.join(f'{n} {_fmt(s)}' for n, s in c_sig)}; the design's "
                   f"{layer} needs {', '.join(f'{n} {_fmt(s)}' for n, s in d_sig)}")
            report.mismatched.append((layer, why))
            continue
        chosen.update({dk: state[ck] for dk, ck in zip(keys, c_ks)})
        report.loaded.append(layer)
    report.unused = [c for c, _ in c_groups[len(d_groups):]]
    return chosen


def load_into(model: torch.nn.Module, design, path: str | os.PathLike) -> LoadReport:
    """Load the weights in ``path`` into ``model`` (compiled from ``design``), in place; only layers
    whose every tensor fits are loaded. Raises TransferError when nothing fits (and WeightsError for a
    file that cannot be read or would run code)."""
    name = getattr(design, "name", None) or "the design"
    state = load_weights(path)
    target = model.state_dict()
    if not target:
        raise TransferError(f"{name} has no weights to load into; add layers with parameters first")
    report = LoadReport(str(path), "name")
    chosen = _by_name(state, target, report)
    if not chosen and not any(k in target for k in state):  # other names (torchvision): by order and shape
        report = LoadReport(str(path), "order")
        chosen = _by_order(state, target, name, report)
    if not chosen:
        first = report.mismatched[0][1] if report.mismatched else "no entry has a name or shape the design has"
        raise TransferError(f"{Path(path).name}: none of its weights fit {name} ({first}); load weights saved "
                            "from the same network, or a torchvision checkpoint into the matching preset")
    device = next(iter(target.values())).device
    with torch.no_grad():
        for k, v in chosen.items():
            target[k].copy_(v.to(device=device, dtype=target[k].dtype))
    report.tensors = len(chosen)
    return report
