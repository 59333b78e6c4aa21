"""The GPU fast path: the whole training step (gradients cleared, forward pass, loss, backward pass,
optimiser step, and the run's loss and accuracy sums) captured once as a CUDA graph and replayed for
every batch of the same shape, so a step costs one launch instead of hundreds.

How a run uses it (engine._Run, on CUDA, in-memory data, one process, full precision or bf16):
- the first ``WARM_STEPS`` batches of a shape train eagerly on a side stream (cuDNN picks its kernels,
  the optimiser makes its state); the next one is captured, then replayed; every later batch of that
  shape is copied into the graph's input buffers and replayed. An epoch's shorter last batch and a new
  batch size are shapes of their own (at most ``MAX_GRAPHS`` kept);
- the learning rate is a tensor on the device that the graph reads, so a schedule or a live change of
  the rate needs no new capture; any other change of the optimiser (its kind, momentum, weight decay)
  drops the graphs, which are captured again after a warm-up;
- the gradients are tensors of their own (made once, cleared inside the graph), so they stay readable
  between steps, as the views expect;
- on any failure to capture, the run goes on eagerly and ``note`` says why in one line.

``NETBUILDER_CUDA_GRAPHS=0`` turns it off (the benchmarks compare both). The capture itself goes
through a small backend (``CudaGraphs``), so the logic is tested on the CPU with a stand-in.
Imports torch; never Qt.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import torch

from netbuilder.training.parts import HOST_LR, predictions, step_function

WARM_STEPS = 2  # eager steps of a shape before it is captured
MAX_GRAPHS = 3  # batch shapes kept: the usual batch, an epoch's last, one more after a change

Replay = Callable[[], None]


class CudaGraphs:
    """The capture backend: warm-up on a side stream, capture into one memory pool shared by the graphs of
    a run (they are never replayed at once, and nothing a capture allocates is read after it), replay on
    the current stream."""

    runs_on_capture = False  # a capture records the step's kernels; it does not run them

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.stream = torch.cuda.Stream(device)
        self.pool = torch.cuda.graph_pool_handle()

    def warm(self, fn: Callable[[], None]) -> None:
        current = torch.cuda.current_stream(self.device)
        self.stream.wait_stream(current)
        with torch.cuda.stream(self.stream):
            fn()
        current.wait_stream(self.stream)

    def capture(self, fn: Callable[[], None], optimizer: torch.optim.Optimizer) -> Replay:
        graph = torch.cuda.CUDAGraph()
        # thread_local: CUDA calls from another thread of the app (a view's job, a data loader) do not
        # spoil the capture, as in torch.compile's own CUDA graphs.
        with torch.cuda.graph(graph, pool=self.pool, stream=self.stream, capture_error_mode="thread_local"):
            fn()
        return graph.replay

    def reset(self) -> None:
        self.pool = torch.cuda.graph_pool_handle()  # the dropped graphs' memory goes back with them


def backend(device: torch.device) -> CudaGraphs | None:
    """The capture backend for ``device``: CUDA graphs on a CUDA device unless NETBUILDER_CUDA_GRAPHS=0."""
    if device.type != "cuda" or os.environ.get("NETBUILDER_CUDA_GRAPHS", "1") == "0":
        return None
    return CudaGraphs(device)


def why_not(streamed: bool, distributed: bool, amp: torch.dtype | None) -> str | None:
    """Why a run on a device with graphs trains step by step instead, or None when it can use them."""
    if streamed:
        return "the dataset is read from files batch by batch"
    if distributed:
        return "the run is spread over several processes"
    if amp == torch.float16:
        return "fp16 mixed precision scales its gradients on the host at every step (bf16 can be captured)"
    return None


def capturable(optimizer: torch.optim.Optimizer, device: torch.device) -> None:
    """Make ``optimizer`` fit for capture: its learning rate a tensor on ``device`` (read by the graph, so a
    new rate needs no new capture) and its ``capturable`` flag set where it has one (Adam, AdamW,
    RMSprop keep their step count on the device then)."""
    for group in optimizer.param_groups:
        if not isinstance(group["lr"], torch.Tensor):
            group[HOST_LR] = float(group["lr"])  # (what the views show: read without waiting for the device)
            group["lr"] = torch.tensor(float(group["lr"]), dtype=torch.float32, device=device)
        if "capturable" in group and device.type != "cpu":  # (the CPU stand-in of the tests has no such step)
            group["capturable"] = True


def plain_groups(state_dict: dict[str, Any]) -> dict[str, Any]:
    """An optimiser's state dict as an eager run of any device can load it: a tensor learning rate as a
    number and ``capturable`` off (``Optimizer.state_dict`` makes new group dicts, so this changes no
    live optimiser)."""
    for group in state_dict.get("param_groups", []):
        if isinstance(group.get("lr"), torch.Tensor):
            group["lr"] = float(group["lr"])
        group.pop(HOST_LR, None)
        if group.get("capturable"):
            group["capturable"] = False
    return state_dict


class GraphedSteps:
    """A run's captured training steps. ``step(x, y, normalized)`` trains on one batch and returns True, or
    returns False once capture has failed (``failed`` holds why, ``note`` the line to show): the caller
    then trains that batch, and the rest of the run, eagerly. ``loss_sum`` and ``correct`` are the sums
    the steps add to (cleared by ``reset_metrics``)."""

    def __init__(self, graphs, net: torch.nn.Module, loss_fn, optimizer: torch.optim.Optimizer,
                 amp: torch.dtype | None, num_classes: int, normalize: Callable[[torch.Tensor], torch.Tensor],
                 device: torch.device, scores: str = "logits") -> None:
        self.graphs, self.net, self.loss_fn, self.amp = graphs, net, loss_fn, amp
        self.num_classes, self.normalize, self.device, self.scores = num_classes, normalize, device, scores
        self.loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        self.correct = torch.zeros((), dtype=torch.int64, device=device)
        self.captured: dict[tuple, tuple[Replay, torch.Tensor, torch.Tensor]] = {}
        self.warmed: dict[tuple, int] = {}
        self.captures = 0  # in all, for the tests and the benchmark
        self.failed: str | None = None
        self.note: str | None = None  # a line to tell; ``fast`` says whether steps are captured after it
        self.adopt(optimizer)

    # ------------------------------------------------------------------ what the graphs read
    def adopt(self, optimizer: torch.optim.Optimizer) -> None:
        """Train with ``optimizer`` from now on (a new one, or one whose settings changed): the graphs go."""
        capturable(optimizer, self.device)
        self.optimizer, self.step_fn = optimizer, step_function(optimizer)
        self.params = [p for group in optimizer.param_groups for p in group["params"] if p.requires_grad]
        for p in self.params:  # the gradients the graphs write: made once, cleared in each step
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        self.grads = [p.grad for p in self.params]
        self.forget()

    def forget(self) -> None:
        """Drop every captured graph (a setting they hold changed); the next batches warm up and capture."""
        self.captured.clear()
        self.warmed.clear()
        self.graphs.reset()

    @property
    def fast(self) -> bool:
        """Whether the steps are replayed graphs (a capture worked and none has failed)."""
        return self.captures > 0 and self.failed is None

    def reset_metrics(self) -> tuple[torch.Tensor, torch.Tensor]:
        self.loss_sum.zero_()
        self.correct.zero_()
        return self.loss_sum, self.correct

    def take_note(self) -> str | None:
        note, self.note = self.note, None
        return note

    # ------------------------------------------------------------------ one batch
    def step(self, x: torch.Tensor, y: torch.Tensor, normalized: bool) -> bool:
        if self.failed:
            return False
        key = (tuple(x.shape), x.dtype, tuple(y.shape), normalized)
        entry = self.captured.get(key)
        if entry is not None:
            replay, static_x, static_y = entry
            static_x.copy_(x)
            static_y.copy_(y)
            replay()
            return True
        if self.warmed.get(key, 0) < WARM_STEPS:
            self.warmed[key] = self.warmed.get(key, 0) + 1
            self.graphs.warm(functools.partial(self._body, x, y, normalized))
            return True
        # The graph reads its own input buffers: each later batch is copied into them.
        static_x, static_y = x.clone(), y.clone()
        try:
            replay = self.graphs.capture(functools.partial(self._body, static_x, static_y, normalized),
                                         self.optimizer)
        except Exception as e:  # noqa: BLE001  (any failure to capture: go on eagerly, and say why)
            self._give_up(e)
            return False
        if len(self.captured) >= MAX_GRAPHS:
            self.captured.pop(next(iter(self.captured)))
        self.captured[key] = (replay, static_x, static_y)
        self.captures += 1
        if self.captures == 1:
            self.note = ("the whole training step is captured as a CUDA graph and replayed for each batch "
                         "(NETBUILDER_CUDA_GRAPHS=0 turns this off)")
        if not self.graphs.runs_on_capture:
            replay()
        return True

    def _body(self, x: torch.Tensor, y: torch.Tensor, normalized: bool) -> None:
        """One training step on the batch ``x``, ``y``: what is warmed up, captured and replayed."""
        torch._foreach_zero_(self.grads)
        xb = x if normalized else self.normalize(x)
        if self.amp is not None:
            # autocast's cast cache must be off while capturing (it would keep casts made during capture)
            with torch.autocast(device_type="cuda", dtype=self.amp, cache_enabled=False):
                out = self.net(xb)
                loss = self.loss_fn(out, y)
        else:
            out = self.net(xb)
            loss = self.loss_fn(out, y)
        loss.backward()
        self.step_fn()
        self.loss_sum.add_(loss.detach(), alpha=y.shape[0])
        self.correct.add_((predictions(out.detach(), self.num_classes, self.scores) == y).sum())

    def _give_up(self, error: BaseException) -> None:
        self.forget()
        if self.device.type == "cuda":
            try:
                torch.cuda.synchronize(self.device)
            except Exception:  # noqa: BLE001  (the failed capture's error is the one worth telling)
                pass
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.failed = f"{type(error).__name__}: {first}"[:200]
        self.note = f"the training step could not be captured as a CUDA graph ({self.failed}); training goes " \
                    "on step by step"
