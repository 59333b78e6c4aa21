"""A stand-in for CUDA graphs on the CPU, for testing the engine's captured steps (training/graphed.py).

What it keeps of a real graph: a replay runs the step captured, on the tensors bound at capture (a batch
must be copied into the graph's input buffers, never handed over as a new tensor), with the optimiser's
numbers as they were at capture (a learning rate held as a tensor is read afresh, as the graph reads it
from the device; a changed momentum is not seen until a new capture). What differs: a capture runs the
step once (``runs_on_capture``), where a real one only records it, so the engine must not replay it again.

What it checks that a real capture would refuse: a captured step may not wait for the device, so the
capture counts the step's reads of a tensor's value on the host (``syncs``: ``.item()``, ``float(t)``, a
tensor passed where torch wants a number; all go through ``aten._local_scalar_dense``). On CUDA each one
fails the capture ("operation not permitted when stream is capturing").
"""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode


class HostReads(TorchDispatchMode):
    """Counts the reads of a tensor's value on the host while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default:
            self.count += 1
        return func(*args, **(kwargs or {}))


class ReplayedSteps:
    runs_on_capture = True

    def __init__(self, fail: str | None = None) -> None:
        self.fail = fail
        self.warms = self.captures = self.replays = self.resets = self.syncs = 0

    def warm(self, fn) -> None:
        self.warms += 1
        fn()

    def capture(self, fn, optimizer: torch.optim.Optimizer):
        if self.fail:
            raise RuntimeError(self.fail)
        frozen = [{k: v for k, v in group.items() if k != "params" and not isinstance(v, torch.Tensor)}
                  for group in optimizer.param_groups]
        with HostReads() as reads:
            fn()
        self.syncs += reads.count
        self.captures += 1

        def replay() -> None:
            now = [{k: group[k] for k in held} for group, held in zip(optimizer.param_groups, frozen, strict=True)]
            for group, held in zip(optimizer.param_groups, frozen, strict=True):
                group.update(held)
            try:
                fn()
            finally:
                for group, values in zip(optimizer.param_groups, now, strict=True):
                    group.update(values)
            self.replays += 1
        return replay

    def reset(self) -> None:
        self.resets += 1
