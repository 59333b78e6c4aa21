"""Will a run's first steps fit in memory? The check ``train()`` makes before its first step, at the run's
real batch size, and the evaluation batch that fits.

The estimate (``estimate``) is what the first steps still have to allocate beyond what the process holds
already (the weights and the dataset are on the device when it is made):

- fixed: a gradient for every trainable parameter (unless it has one already) and the optimiser's state
  (Adam and AdamW: two running averages; SGD with momentum: one; RMSprop: one, two with momentum);
- ``OVERHEAD``: what the first steps' kernels and libraries take whatever the batch (measured: 0.2 GiB for
  ResNet-18, 0.35-0.45 GiB for VGG-16 on the CPU);
- per sample: the activations autograd keeps for the backward pass, measured by one forward pass of ONE
  sample (in eval mode, so no BatchNorm statistic moves and no random number is drawn) with
  ``saved_tensors_hooks``, plus the input sample's copies (raw batch, normalised batch), plus what Dropout
  keeps in training mode (in eval mode it is the identity): its mask, and its output where its input is
  kept too (``dropout_bytes``). Measured against
  the peak memory of real steps on the CPU: ResNet-18 at 224×224 22.3 MiB a sample (real: 21.8), VGG-16
  71 MiB (real: 60-70).

Evaluation keeps no activations for a backward pass, so its batch of the same per-sample figure is an upper
bound; the evaluation batch is what fits beside the gradients and optimiser state.

It is compared with the memory actually available: on CUDA ``torch.cuda.mem_get_info`` (plus what torch's
caching allocator holds unused); on the CPU (and Apple's unified memory) Linux's ``MemAvailable``, Windows'
available physical memory, else the physical total. A run is refused only when the estimate is above
``REFUSE_ABOVE`` times the free memory, so an estimate a bit high does not refuse a run that works.

Imports torch and this package; never Qt.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import torch

from netbuilder.analysis.analyze import physical_memory_bytes
from netbuilder.training.config import TrainConfig

REFUSE_ABOVE = 1.1  # the estimate may be this much above the free memory before a run is refused (measured
# against real steps it errs by a few per cent either way: more margin would let runs through to the OOM killer)
OVERHEAD = 256 * 2**20  # the first steps' kernels, workspaces and libraries, whatever the batch
GiB = 2**30


@dataclass(frozen=True)
class Estimate:
    """What a run's first steps need beyond what it holds (bytes) and what the device has free."""

    fixed: int  # gradients, optimiser state and OVERHEAD
    per_sample: int  # activations kept for the backward pass, per sample (evaluation keeps fewer)
    free: int  # memory available now
    free_known: bool  # False: the platform told only the physical total (``free`` is that)
    device: str  # "computer" or "GPU", for the message

    def need(self, batch: int) -> int:
        return self.fixed + batch * self.per_sample

    def largest_batch(self) -> int:
        """The largest batch whose first steps fit in the free memory (0: not even one sample)."""
        room = self.free - self.fixed
        return max(0, room // max(1, self.per_sample))

    def refuses(self, batch: int) -> bool:
        return self.need(batch) > REFUSE_ABOVE * self.free

    def message(self, batch: int) -> str:
        """One plain line: the batch, the figures and the largest batch that fits."""
        what = "this computer" if self.device == "computer" else "the GPU"
        has = f"only {gib(self.free)} are free on {what}" if self.free_known else f"{what} has {gib(self.free)} in all"
        head = (f"training at a batch of {batch} needs about {gib(self.need(batch))} more memory for its first "
                f"steps (gradients, optimiser state and the activations of {batch} samples) but {has}")
        fits = self.largest_batch()
        if fits < 1:
            return head + ": even a batch of 1 does not fit"
        return head + f": a batch of {nice_batch(fits)} or less fits"

    def advice(self, batch: int, full_batch: bool = False) -> str:
        """What to do; ``full_batch``: the batch is the whole training set (batch mode "full"), so the way out is
        mini-batches, not a smaller batch size."""
        others = ", or close other programs" if self.device == "computer" else ""
        if self.largest_batch() < 1:
            return "use a smaller model or smaller images" + others
        if full_batch:
            return f"train in mini-batches (batch mode) of {nice_batch(self.largest_batch())} or less{others}"
        return f"lower the batch size to {nice_batch(self.largest_batch())} or less{others}"

    def eval_batch(self, train_batch: int, cap: int) -> int:
        """The evaluation batch: what fits beside the gradients and optimiser state (activations only),
        never above ``cap`` nor below the training batch (capped): that batch fits with its gradients."""
        room = max(0, self.free - self.fixed)
        fits = room // max(1, self.per_sample)
        return int(max(min(train_batch, cap), 1, min(cap, fits)))


def gib(n: int) -> str:
    """Bytes as a student reads them: ``45 GiB``, ``3.2 GiB``, ``0.4 GiB``."""
    value = n / GiB
    return f"{value:.0f} GiB" if value >= 10 else f"{value:.1f} GiB"


def nice_batch(n: int) -> int:
    """The largest power of two not above ``n`` (batches are usually chosen so), at least 1."""
    return 1 if n < 2 else 2 ** int(math.log2(n))


def optimizer_copies(config: TrainConfig) -> int:
    """How many parameter-sized tensors the optimiser keeps (its state)."""
    if config.optimizer in ("adam", "adamw"):
        return 2
    if config.optimizer == "rmsprop":
        return 1 + (config.momentum > 0)
    return int(config.momentum > 0)  # sgd


def host_available() -> tuple[int, bool]:
    """(bytes the computer has available now, True) where the system says it (Linux ``MemAvailable``,
    Windows' available physical memory); else (its physical memory, False)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    free = int(line.split()[1]) * 1024
                    limit = cgroup_room()  # (a container's own limit, below what the machine has free)
                    return (free if limit is None else min(free, limit)), True
    except (OSError, ValueError, IndexError):
        pass
    if sys.platform == "win32":
        try:
            import ctypes

            class _Status(ctypes.Structure):
                _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong),
                            ("total_phys", ctypes.c_ulonglong), ("avail_phys", ctypes.c_ulonglong),
                            ("rest", ctypes.c_ulonglong * 5)]

            status = _Status()
            status.length = ctypes.sizeof(_Status)
            if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
                return int(status.avail_phys), True
        except Exception:  # noqa: BLE001  (unknown: the physical total below)
            pass
    return physical_memory_bytes(), False


def cgroup_room(root: str = "/sys/fs/cgroup") -> int | None:
    """What the process's control group (a container, a JupyterHub server) may still use: its memory limit less
    what it uses now (cgroup v2 ``memory.max`` / ``memory.current``, v1 ``memory.limit_in_bytes`` /
    ``memory.usage_in_bytes``); None without a limit. ``MemAvailable`` alone would let a run past the limit,
    to the out-of-memory killer."""
    for limit_file, used_file in (("memory.max", "memory.current"),
                                  ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        try:
            with open(f"{root}/{limit_file}", encoding="ascii") as f:
                limit = f.read().strip()
            with open(f"{root}/{used_file}", encoding="ascii") as f:
                used = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if limit == "max" or not limit.isdigit() or int(limit) >= 1 << 60:  # (v1 writes "no limit" as a huge number)
            return None
        return max(0, int(limit) - used)
    return None


def available(device: torch.device) -> tuple[int, bool]:
    """(bytes free on ``device``, whether that is a measure of what is free)."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
        return int(free + max(0, cached)), True
    return host_available()


def activation_bytes(model: torch.nn.Module, sample: torch.Tensor, amp: torch.dtype | None) -> int:
    """Bytes per sample that training ``model`` keeps for the backward pass, from one forward pass of
    ``sample`` (a batch of one) whose tensors saved for the backward pass are counted (each storage once;
    the weights and buffers not), plus the output and the input's copies. The model's modes are given back;
    no statistic or random state moves."""
    held = {t.untyped_storage().data_ptr() for t in (*model.parameters(), *model.buffers())}
    saved: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        ptr = storage.data_ptr()
        if ptr not in held:
            saved[ptr] = max(saved.get(ptr, 0), storage.nbytes())
        return t

    dropped: list[tuple[int, int, int]] = []  # element-wise Dropout inputs: (storage, mask bytes, bytes)

    def seen_dropout(module, args, _out) -> None:
        x = args[0] if args else None
        if torch.is_tensor(x) and module.p > 0:
            # the mask: on the CPU a float tensor the input's size (dropout multiplies by it); CUDA's fused
            # kernel keeps one byte an element
            mask = x.nbytes if x.device.type == "cpu" else x.numel()
            dropped.append((x.untyped_storage().data_ptr(), mask, x.nbytes))

    modes = {m: m.training for m in model.modules()}
    hooks = [m.register_forward_hook(seen_dropout) for m in model.modules() if isinstance(m, ELEMENTWISE_DROPOUT)]
    try:
        model.eval()
        with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            if amp is not None:
                with torch.autocast(device_type="cuda", dtype=amp):
                    out = model(sample)
            else:
                out = model(sample)
        outputs = sum(t.nbytes for t in (out if isinstance(out, tuple | list) else (out,)) if torch.is_tensor(t))
        del out
    finally:
        for h in hooks:
            h.remove()
        for m, mode in modes.items():
            m.training = mode
    inputs = 2 * sample.nbytes  # the raw batch and the normalised one (the first layer's saved input counts once)
    return sum(saved.values()) + outputs + inputs + dropout_bytes(dropped, saved)


# Dropout that draws a mask the size of its input in training mode (Dropout1d/2d/3d draw one number a
# channel: their masks are small, and they multiply, keeping no copy of their input)
ELEMENTWISE_DROPOUT = (torch.nn.Dropout, torch.nn.AlphaDropout)


def dropout_bytes(dropped: list[tuple[int, int, int]], saved: dict[int, int]) -> int:
    """What the element-wise Dropout layers keep in training mode beyond the eval-mode pass: their mask, and
    their output as a tensor of its own where their input is kept for the backward pass too (in eval mode
    output and input were one tensor, counted once)."""
    return sum(mask + (size if ptr in saved else 0) for ptr, mask, size in dropped)


def estimate(model: torch.nn.Module, sample: torch.Tensor, config: TrainConfig, device: torch.device,
             amp: torch.dtype | None = None, held: bool = False) -> Estimate | None:
    """The estimate for a run of ``model`` with ``config`` on ``device``; ``sample``: one normalised input
    (batch of one) on the device. None when the forward pass fails: the run's first step then says why.
    ``held``: a run under way (a larger batch on resume) holds its gradients and optimiser state already."""
    try:
        per_sample = activation_bytes(model, sample, amp)
    except Exception:  # noqa: BLE001  (a design that does not fit its data: the first step reports it)
        return None
    trainable = [p for p in model.parameters() if p.requires_grad]
    grads = sum(p.numel() * p.element_size() for p in trainable if p.grad is None)
    state = 0 if held else optimizer_copies(config) * sum(p.numel() * p.element_size() for p in trainable)
    free, known = available(device)
    return Estimate(grads + state + OVERHEAD, per_sample, free, known,
                    "GPU" if device.type == "cuda" else "computer")


def eval_batch_that_fits(model: torch.nn.Module, sample: torch.Tensor, device: torch.device, cap: int) -> int:
    """For an evaluation outside a run (the CLI's ``evaluate``, the test set after ``train``): the largest
    batch, at most ``cap``, whose activations fit in the memory free now; ``cap`` when it cannot be told."""
    try:
        per_sample = activation_bytes(model, sample, None)
    except Exception:  # noqa: BLE001  (the evaluation itself reports what is wrong)
        return cap
    free, _known = available(device)
    return int(max(1, min(cap, (free - OVERHEAD) // max(1, per_sample))))
