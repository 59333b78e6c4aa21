"""Transfer learning: the one weights loader. ``load_into(model, design, path, *, partial=False)`` loads a
netbuilder safetensors file or a torchvision checkpoint of the matching preset into a compiled design, in
place, and says exactly what it did in a ``LoadReport``.

How entries meet the design's layers (the first way that covers the most of the design wins):
  - by name: netbuilder's own files (and any file saved from the same design);
  - by torchvision's key map: ``layer1.0.conv1.weight`` -> ``layer1_0_conv1.weight``, the names the
    presets mirror (``presets.checkpoints``; their identity check uses the same map);
  - by order and shape, for a file with other names (``map_state_dict_keys``, else layer by layer).
Every layer whose tensors all fit is loaded. The head (the last Linear before the output) whose shape
differs because it was replaced for another number of classes is kept fresh and reported. Any other
layer left uncovered (missing from the file, or of another shape) refuses the whole file with
``IncompleteWeightsError`` listing them, unless ``partial=True``: then the rest loads and the report
says what was and was not loaded. A torchvision file (``.pth`` state_dict) is read with
``torch.load(weights_only=True)``: a file that would run code is refused.

A netbuilder file records the layers it holds only random (untrained) weights for (the metadata key
``untrained``, written by ``untrained_metadata``): they are not loaded and count as uncovered
(``LoadReport.untrained``), so a file saved from partly trained weights never passes them off as trained.

Imports torch, the compiler (model structure, preprocessing), the presets' key map and this package's
weights reader; never Qt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import fx

from netbuilder.compiler.preprocess import imagenet_preprocessing
from netbuilder.errors import NetbuilderError
from netbuilder.presets.checkpoints import (
    CheckpointMismatchError,
    map_state_dict_keys,
    torchvision_key_to_design_key,
)
from netbuilder.training.weights import load_weights, read_weights_metadata

_SHOWN = 6
UNTRAINED_KEY = "untrained"  # metadata: a JSON list of {"layer": node id, "why": text}, the untrained layers


class TransferError(NetbuilderError):
    """Weights that cannot be loaded into the design at all."""


class IncompleteWeightsError(TransferError):
    """The file leaves layers of the design uncovered; ``missing`` lists them as (layer, why)."""

    def __init__(self, message: str, missing: list[tuple[str, str]]):
        super().__init__(message)
        self.missing = missing


@dataclass
class LoadReport:
    """What ``load_into`` did. Layers are node ids (the design's state-dict prefixes)."""

    path: str
    matched_by: str  # "name" | "torchvision" | "order"
    loaded: list[str] = field(default_factory=list)  # layers whose every tensor was loaded
    fresh: list[tuple[str, str]] = field(default_factory=list)  # the replaced head, kept fresh: (layer, why)
    mismatched: list[tuple[str, str]] = field(default_factory=list)  # other layers not loaded: (layer, why)
    skipped: list[str] = field(default_factory=list)  # design layers the file has nothing for
    unused: list[str] = field(default_factory=list)  # file entries (layers) nothing in the design took
    untrained: list[tuple[str, str]] = field(default_factory=list)  # recorded untrained in the file: (layer, why)
    tensors: int = 0  # tensors copied
    preprocessing: dict[str, Any] | None = None  # stored with the weights; ImageNet's for torchvision files
    partial: bool = False  # loaded although layers were left uncovered

    @property
    def complete(self) -> bool:
        """Every layer loaded, except a head kept fresh for another number of classes."""
        return not self.mismatched and not self.skipped and not self.untrained

    @property
    def missing(self) -> list[tuple[str, str]]:
        """The layers left uncovered (not the head), with why: also those the file records as untrained."""
        return [*self.mismatched, *((layer, "not in the file") for layer in self.skipped),
                *((layer, f"untrained in the file: {why}") for layer, why in self.untrained)]

    def summary(self) -> str:
        """Plain sentences for the window or the command line."""
        total = len(self.loaded) + len(self.fresh) + len(self.missing)
        parts = [f"loaded {len(self.loaded)} of {total} layer{'s' * (total != 1)} from {Path(self.path).name} "
                 f"(matched by {self.matched_by})"]
        if self.fresh:
            parts.append(f"kept {_names([n for n, _ in self.fresh])} fresh: the head was replaced for another "
                         "number of classes")
        if self.mismatched:
            one = len(self.mismatched) == 1
            parts.append(f"{len(self.mismatched)} did not fit and {'keeps the weights it' if one else 'keep the weights they'}"
                         " had, not the file's ("
                         f"{_names([n for n, _ in self.mismatched])}: random unless trained here)")
        if self.skipped:
            parts.append(f"{len(self.skipped)} not in the file ({_names(self.skipped)})")
        if self.untrained:
            parts.append(f"{len(self.untrained)} untrained in the file and not loaded "
                         f"({_names([n for n, _ in self.untrained])})")
        if self.unused:
            parts.append(f"{len(self.unused)} file entr{'ies' if len(self.unused) != 1 else 'y'} unused")
        return "; ".join(parts)


def untrained_metadata(untrained: dict[str, str]) -> dict[str, str]:
    """The metadata entry that records ``untrained`` (layer -> why it holds random weights) in a weights file
    (empty when every layer is trained)."""
    if not untrained:
        return {}
    return {UNTRAINED_KEY: json.dumps([{"layer": str(k), "why": str(v)} for k, v in untrained.items()])}


def recorded_untrained(meta: dict[str, Any]) -> dict[str, str]:
    """The layers a weights file's metadata (``read_weights_metadata``) records as untrained, with why; {} for
    a file without the record (older files, other tools) or with a damaged one."""
    text = meta.get(UNTRAINED_KEY)
    try:
        items = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return {}
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("layer"), str):
            out[item["layer"]] = str(item.get("why") or "it was not trained")
        elif isinstance(item, str):
            out[item] = "it was not trained"
    return out


def _untrained_in(keys: list[str], recorded: dict[str, str]) -> str | None:
    """Why the file's tensors ``keys`` (one layer) are untrained, when the file records their layer so."""
    for k in keys:
        layer = _layer(k)
        for name, why in recorded.items():
            if layer == name or layer.startswith(f"{name}."):
                return why
    return None


def _drop_untrained(path: str | os.PathLike, pairs: dict[str, str], chosen: dict[str, torch.Tensor],
                    report: LoadReport) -> None:
    """Layers the file records as untrained are not loaded: moved from ``loaded`` to ``untrained``."""
    recorded = recorded_untrained(read_weights_metadata(path))
    if not recorded:
        return
    for layer, keys in _groups(list(chosen)):
        why = _untrained_in([pairs[k] for k in keys], recorded)
        if why is not None:
            report.loaded.remove(layer)
            report.untrained.append((layer, why))
            for k in keys:
                del chosen[k]


def _names(items: list[str], shown: int = _SHOWN) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


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


def head_layer(model: torch.nn.Module) -> str | None:
    """The last Linear layer feeding the output (through parameter-free layers only), or None."""
    graph = getattr(model, "graph", None)
    if not isinstance(graph, fx.Graph):
        return None
    out = next((n for n in graph.nodes if n.op == "output"), None)
    node = out.args[0] if out is not None and out.args else None
    while isinstance(node, fx.Node) and node.op == "call_module":
        module = model.get_submodule(str(node.target))
        if isinstance(module, torch.nn.Linear):
            return str(node.target)
        if any(True for _ in module.parameters()) or len(node.all_input_nodes) != 1:
            return None
        node = node.all_input_nodes[0]
    return None


def _is_new_head(layer: str, keys: list[str], source: dict[str, torch.Tensor],
                 target: dict[str, torch.Tensor], head: str | None) -> bool:
    """``layer`` is the head and only its number of outputs (classes) differs from the file's."""
    if layer != head or not all(k in source for k in keys):
        return False
    return all(_shape(source[k])[1:] == _shape(target[k])[1:] and _shape(source[k]) != _shape(target[k])
               for k in keys)


def _assign(pairs: dict[str, str], state: dict[str, torch.Tensor], target: dict[str, torch.Tensor],
            head: str | None, report: LoadReport) -> dict[str, torch.Tensor]:
    """Layer by layer: ``pairs`` maps design keys to file keys; fills the report, returns what to copy."""
    chosen: dict[str, torch.Tensor] = {}
    for layer, keys in _groups(list(target)):
        present = {k: state[pairs[k]] for k in keys if k in pairs}
        if not present:
            report.skipped.append(layer)
            continue
        bad = [k for k in keys if k not in present or _shape(present[k]) != _shape(target[k])]
        if not bad:
            chosen.update(present)
            report.loaded.append(layer)
            continue
        k = bad[0]
        why = (f"{k} is missing from the file" if k not in present else
               f"{k} is {_fmt(_shape(present[k]))} in the file but {_fmt(_shape(target[k]))} in the design")
        if _is_new_head(layer, keys, present, target, head):
            report.fresh.append((layer, why))
        else:
            report.mismatched.append((layer, why))
    used = set(pairs.values())
    report.unused = [layer for layer, keys in _groups(list(state)) if not any(k in used for k in keys)]
    return chosen


def _order_pairs(state: dict[str, torch.Tensor], target: dict[str, torch.Tensor],
                 design_name: str) -> dict[str, str]:
    """Design key -> file key by order and shape: every tensor when all fit, else the i-th layer of the
    file against the i-th layer of the design, where their tensor kinds agree."""
    d_keys, c_keys = list(target), list(state)
    try:
        mapping = map_state_dict_keys(d_keys, c_keys, [_shape(target[k]) for k in d_keys],
                                      [_shape(state[k]) for k in c_keys], design_name=design_name)
        return {dk: ck for ck, dk in mapping.items()}
    except CheckpointMismatchError:
        pass
    pairs: dict[str, str] = {}
    for (_, keys), (_, c_ks) in zip(_groups(d_keys), _groups(c_keys)):
        if [k.rpartition(".")[2] for k in keys] == [k.rpartition(".")[2] for k in c_ks]:
            pairs.update(zip(keys, c_ks))
    return pairs


def _candidates(state: dict[str, torch.Tensor], target: dict[str, torch.Tensor],
                design_name: str) -> list[tuple[str, dict[str, str]]]:
    by_name = {k: k for k in target if k in state}
    renamed = {torchvision_key_to_design_key(k): k for k in state}
    by_map = {k: renamed[k] for k in target if k in renamed}
    out = [("name", by_name), ("torchvision", by_map)]
    if len(by_name) < len(target) and len(by_map) < len(target):
        out.append(("order", _order_pairs(state, target, design_name)))
    return out


def _fitting(pairs: dict[str, str], state: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> int:
    return sum(_shape(state[c]) == _shape(target[d]) for d, c in pairs.items())


def load_into(model: torch.nn.Module, design: Any, path: str | os.PathLike, *, partial: bool = False) -> LoadReport:
    """Load the weights in ``path`` into ``model`` (compiled from ``design``), in place.

    Raises IncompleteWeightsError (nothing is loaded) when layers other than a replaced head are left
    uncovered and ``partial`` is False; TransferError when nothing fits; WeightsError for a file that
    cannot be read or would run code."""
    name = getattr(design, "name", None) or "the design"
    state = load_weights(path)
    target = model.state_dict()
    if not target:
        raise TransferError(f"{name} has no weights to load into; add layers with parameters first")
    head = head_layer(model)
    best = max(_candidates(state, target, name), key=lambda c: _fitting(c[1], state, target))  # first wins ties
    report = LoadReport(str(path), best[0], partial=partial)
    chosen = _assign(best[1], state, target, head, report)
    if not chosen:
        first = report.mismatched[0][1] if report.mismatched else "no entry has a name or shape the design has"
        raise TransferError(f"{Path(path).name}: none of its weights fit {name} ({first}); load weights saved "
                            "from the same network, or a torchvision checkpoint into the matching preset")
    _drop_untrained(path, best[1], chosen, report)
    if not report.complete and not partial:
        missing = report.missing
        listed = "; ".join(f"{layer} ({why})" for layer, why in missing[:_SHOWN])
        more = f"; and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
        raise IncompleteWeightsError(
            f"{Path(path).name} leaves {len(missing)} layer{'s' * (len(missing) != 1)} of {name} uncovered: "
            f"{listed}{more}; to load the rest and keep those layers' own weights, allow a partial load "
            "(--partial)", missing)
    report.preprocessing = _preprocessing(path, report, model, state)
    device = next(iter(target.values())).device
    with torch.no_grad():
        for k, v in chosen.items():
            target[k].copy_(v.to(device=device, dtype=target[k].dtype))
    report.tensors = len(chosen)
    return report


def _preprocessing(path: str | os.PathLike, report: LoadReport, model: torch.nn.Module,
                   state: dict[str, torch.Tensor]) -> dict[str, Any] | None:
    """The normalisation that goes with these weights: the file's own, or ImageNet's for a torchvision
    checkpoint of a 3-channel image model. torchvision's GoogLeNet weights were trained with
    ``transform_input`` (not a layer here), which amounts to (x - 0.5) / 0.5 on every channel."""
    stored = read_weights_metadata(path).get("preprocessing")
    if stored is not None:
        return stored
    if report.matched_by == "torchvision" and Path(path).suffix != ".safetensors":
        try:
            from netbuilder.compiler import compiled_info

            shape = compiled_info(model).input_shapes[0]
        except (NetbuilderError, IndexError):
            return None
        if len(shape) == 3 and shape[0] == 3:
            found = imagenet_preprocessing(shape)
            if any(k.startswith("inception3a.") for k in state):  # torchvision's GoogLeNet
                found.update(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
            return found
    return None
