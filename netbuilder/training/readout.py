"""Step metrics read from the device's running sums without waiting for the device.

The engine adds each step's loss and correct answers to two sums on the device and, every ``log_every``
steps, turns the sums into a window (mean loss, accuracy, samples per second since the last window).
Reading a CUDA tensor waits until the device has run every step queued so far: the queue empties and the
GPU idles while Python prepares the next step. So on a GPU (``lagged``) a read only *queues* a copy of the
sums into pinned host memory and marks it with a CUDA event; a window is read when the next one is
queued, long after its copy has landed, and the last ones when the epoch ends. The step events arrive one
window late; their numbers are the same. On the CPU a read costs nothing and the window is read at once.
Imports torch; never Qt.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Mark:
    """Where the run was when the sums were read: what the step event says beside the window's numbers."""

    epoch: int
    step: int
    progress: float
    seen: int  # samples of the epoch so far
    lr: float
    time: float


@dataclass(frozen=True)
class Window:
    mark: Mark
    loss: float  # mean over the window's samples
    accuracy: float
    samples_per_second: float  # of this process


class Readout:
    """One epoch's windows: ``post`` the sums at a mark and get back the windows now readable (the one just
    posted when not lagged; on a GPU the ones before it); ``flush`` at the epoch's end gives the rest."""

    def __init__(self, device: torch.device, lagged: bool | None = None) -> None:
        self.cuda = device.type == "cuda"
        self.lagged = self.cuda if lagged is None else lagged
        self._pending: deque[tuple[torch.Tensor, torch.cuda.Event | None, Mark]] = deque()
        self.begin()

    def begin(self) -> None:
        """An epoch starts: its sums count from zero."""
        self._pending.clear()
        self._last = (0.0, 0.0, 0, time.perf_counter())  # loss sum, correct, seen, time at the last window

    def post(self, loss_sum: torch.Tensor, correct: torch.Tensor, mark: Mark) -> list[Window]:
        if not self.lagged:
            return [self._window(mark, loss_sum.item(), float(correct.item()))]
        sums = torch.stack((loss_sum.detach().double(), correct.detach().double()))
        host = torch.empty(2, dtype=torch.float64, pin_memory=self.cuda)
        host.copy_(sums, non_blocking=True)
        event = None
        if self.cuda:
            event = torch.cuda.Event()
            event.record()
        self._pending.append((host, event, mark))
        return self._drain(keep=1)

    def flush(self) -> list[Window]:
        """Every window not read yet (waits for the device: the epoch ends here anyway)."""
        return self._drain(keep=0)

    def _drain(self, keep: int) -> list[Window]:
        out = []
        while len(self._pending) > keep:
            host, event, mark = self._pending.popleft()
            if event is not None:
                event.synchronize()  # (long done: a whole window of steps was queued after it)
            out.append(self._window(mark, float(host[0]), float(host[1])))
        return out

    def _window(self, mark: Mark, loss_sum: float, correct: float) -> Window:
        last_loss, last_correct, last_seen, last_time = self._last
        samples = mark.seen - last_seen
        self._last = (loss_sum, correct, mark.seen, mark.time)
        return Window(mark, (loss_sum - last_loss) / max(1, samples), (correct - last_correct) / max(1, samples),
                      samples / max(mark.time - last_time, 1e-9))
