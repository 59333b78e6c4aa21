"""Evaluation (loss, accuracy, confusion matrix) and answers to the window's requests (filters,
feature maps, weights, a function call) as numpy arrays. Imports torch and numpy; never Qt.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import torch

from netbuilder.compiler.scores import probabilities, scores_of
from netbuilder.data.bundle import DatasetBundle
from netbuilder.introspect._util import eval_mode
from netbuilder.introspect.activations import forward_seeing
from netbuilder.training.control import Request
from netbuilder.training.events import Response
from netbuilder.training.faults import first_line
from netbuilder.training.parts import predictions


def evaluate(model: torch.nn.Module, batches: Iterable[tuple[torch.Tensor, torch.Tensor]], data: DatasetBundle,
             loss_fn, amp: torch.dtype | None = None, confusion: bool = False,
             keep: tuple[int, list] | None = None):
    """(mean loss, accuracy, confusion matrix as numpy or None) over raw batches; NaN when empty.
    ``keep=(n, into)``: also append ``(probabilities, labels)`` numpy batches of the first ``n`` samples
    to the list ``into``."""
    k, scores = data.num_classes, scores_of(model)
    loss_sum, correct, count, matrix = None, None, 0, None
    with eval_mode(model), torch.no_grad():  # gives every module its own mode back (frozen BatchNorm: eval)
        for xr, y in batches:
            x = data.normalize(xr)
            if amp is not None:
                with torch.autocast(device_type="cuda", dtype=amp):
                    out = model(x)
                    loss = loss_fn(out, y)
            else:
                out = model(x)
                loss = loss_fn(out, y)
            pred = predictions(out, k, scores)
            n = y.shape[0]
            if keep is not None and count < keep[0]:
                m = min(n, keep[0] - count)
                keep[1].append((probabilities(out[:m], scores).cpu().numpy(), y[:m].cpu().numpy().astype(np.int64)))
            b_loss, b_correct = loss.double() * n, (pred == y).sum()
            loss_sum = b_loss if loss_sum is None else loss_sum + b_loss
            correct = b_correct if correct is None else correct + b_correct
            count += n
            if confusion:
                cm = torch.bincount(y * k + pred.clamp(0, k - 1), minlength=k * k)
                matrix = cm if matrix is None else matrix + cm
    if count == 0:
        return math.nan, math.nan, np.zeros((k, k), np.int64) if confusion else None
    cm = matrix.view(k, k).cpu().numpy().astype(np.int64) if confusion else None
    return float(loss_sum) / count, int(correct) / count, cm


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to("cpu", torch.float32).numpy().copy()


def _probe_inputs(data: DatasetBundle, device: torch.device, count: int) -> torch.Tensor:
    if data.x_val is not None and len(data.x_val):
        raw = data.x_val[:count]
    elif data.val_set is not None and len(data.val_set):
        raw = torch.stack([data.val_set[i][0] for i in range(min(count, len(data.val_set)))])
    else:
        raw = torch.as_tensor(data.samples[:count] / data.scale)
    return data.normalize(raw.to(device))


def answer_request(req: Request, model: torch.nn.Module, data: DatasetBundle, device: torch.device) -> Response:
    """Answer one request between steps; errors come back in the response, never as an exception."""
    try:
        if req.what == "filters":
            weight = getattr(model.get_submodule(req.target), "weight", None)
            if weight is None:
                raise ValueError(f"node {req.target!r} has no filters (no weight)")
            return Response(req.id, req.what, req.target, _numpy(weight))
        if req.what == "weights":
            module = model if req.target is None else model.get_submodule(req.target)
            return Response(req.id, req.what, req.target, {k: _numpy(v) for k, v in module.state_dict().items()})
        if req.what == "feature_maps":
            targets = [req.target] if isinstance(req.target, str) else list(req.target)
            if "inputs" in req.options:
                x = data.normalize(torch.as_tensor(np.asarray(req.options["inputs"]) / data.scale).to(device))
            else:
                x = _probe_inputs(data, device, int(req.options.get("count", 8)))
            captured: dict[str, np.ndarray] = {}
            forward_seeing(model, x, {t: model.get_submodule(t) for t in targets},
                           lambda name, out: captured.__setitem__(name, _numpy(out)))
            return Response(req.id, req.what, req.target, captured)
        if req.what == "call":
            return Response(req.id, req.what, None, req.target(model, data))
        raise ValueError(f"unknown request {req.what!r}; ask for filters, feature_maps, weights or call")
    except (AttributeError, ValueError, TypeError, RuntimeError, KeyError) as e:
        return Response(req.id, req.what, req.target if isinstance(req.target, str) else None, None,
                        first_line(e))
