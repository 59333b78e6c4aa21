"""The engine's parts: device choice, mixed precision, optimiser, loss, learning-rate schedule.

Imports torch; never Qt.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F

from netbuilder.compiler.scores import LOGITS, SIGMOID, as_logits
from netbuilder.training.config import ConfigError, TrainConfig


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """auto -> CUDA, then Apple MPS, then CPU; an explicit device that is missing is an error."""
    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps and mps.is_available())
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu or auto")
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    if name == "mps" and not has_mps:
        raise ConfigError("device 'mps' was asked for but Apple's Metal backend is not available; use cpu")
    return torch.device(name)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return {"mps": "Apple GPU (MPS)", "cpu": "CPU"}.get(device.type, device.type)


def grad_params(optimizer: torch.optim.Optimizer) -> list[torch.Tensor]:
    """Every parameter the optimiser steps."""
    return [p for group in optimizer.param_groups for p in group["params"]]


def log_every(device: torch.device, count: int, batch_size: int) -> int:
    """Steps between step events when the settings leave it open: about 100 per epoch (every step on small
    sets) is plenty for the curves; a read costs a GPU three small launches (readout.py), so a GPU reads at
    most every 25 steps."""
    steps = -(-count // batch_size)
    return max(1 if device.type == "cpu" else 25, steps // 100)


def amp_dtype(config: TrainConfig, device: torch.device) -> torch.dtype | None:
    """The autocast dtype, or None for full precision (mixed precision is used on CUDA only)."""
    if device.type != "cuda" or config.mixed_precision == "off":
        return None
    if config.mixed_precision == "fp16":
        return torch.float16
    if config.mixed_precision == "bf16" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def make_optimizer(params, config: TrainConfig) -> torch.optim.Optimizer:
    """The configured optimiser, with its fast multi-tensor step where the device has one: ``fused`` (one
    kernel for all parameters) for SGD, Adam and AdamW on the CPU and CUDA, ``foreach`` for RMSprop; on
    anything else, or if torch refuses it, the plain per-parameter loop (same arithmetic)."""
    params = list(params)
    kw = {"lr": config.lr, "weight_decay": config.weight_decay}
    if config.optimizer == "sgd":
        cls, kw = torch.optim.SGD, dict(kw, momentum=config.momentum, nesterov=config.nesterov)
    elif config.optimizer == "adam":
        cls = torch.optim.Adam
    elif config.optimizer == "adamw":
        cls = torch.optim.AdamW
    else:
        cls, kw = torch.optim.RMSprop, dict(kw, momentum=config.momentum)
    fast = _fast_step(cls, params)
    if fast:
        try:
            return cls(params, **kw, **fast)
        except (RuntimeError, ValueError, TypeError):
            pass
    return cls(params, **kw)


def retune(optimizer: torch.optim.Optimizer, config: TrainConfig) -> None:
    """The optimiser's settings changed in place (same optimiser, its state kept): learning rate, weight
    decay, momentum, Nesterov."""
    set_lr(optimizer, config.lr)
    for group in optimizer.param_groups:
        group["weight_decay"] = config.weight_decay
        if "momentum" in group:
            group["momentum"] = config.momentum
        if "nesterov" in group:
            group["nesterov"] = config.nesterov


def _fast_step(cls, params: list) -> dict:
    """``{"fused": True}``, ``{"foreach": True}`` or ``{}`` for these parameters (all on one CPU or CUDA
    device, floating point, dense)."""
    tensors = [p["params"] if isinstance(p, dict) else p for p in params]
    if not tensors or any(isinstance(t, list) for t in tensors):
        return {}  # parameter groups: leave them as given
    kinds = {t.device.type for t in tensors}
    if len(kinds) != 1 or not kinds <= {"cpu", "cuda"}:
        return {}
    if any(not t.is_floating_point() or t.is_sparse for t in tensors):
        return {}
    if cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):
        return {"fused": True}
    return {"foreach": True}


def make_loss(name: str, num_classes: int, scores: str = LOGITS) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Loss on outputs ``(N, C)`` and integer labels ``(N,)``. ``scores`` (``compiler.scores``): what the
    outputs are; cross-entropy and binary cross-entropy read probabilities (after a final Sigmoid or
    Softmax) as the logits behind them, so nothing is squashed twice; mean squared error compares the
    probabilities (the softmax of logits, the sigmoid of one logit, or the outputs that are probabilities
    already) with the targets, as the lecture writes it: L = Σₖ (pₖ − tₖ)² / K. Cross-entropy on one output
    unit is the binary one (two classes, one logit). For ``bce`` and ``mse`` the labels become one-hot
    targets (or a single 0/1 target for one output)."""

    def target(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if out.dim() == 2 and out.shape[1] == 1:
            return y.to(out.dtype).view(-1, 1)
        # (as F.one_hot, which on the CPU reads the labels' smallest and largest value on the host first: a
        # wait a captured step may not have)
        return torch.zeros_like(out).scatter_(-1, y.unsqueeze(-1), 1.0)

    if name == "mse":
        def squared_error(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return F.mse_loss(as_probabilities(out, scores), target(out, y))
        return squared_error
    if name == "cross_entropy" and scores == LOGITS:
        def cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            if out.dim() == 2 and out.shape[1] == 1:  # one logit: yes/no
                return F.binary_cross_entropy_with_logits(out, target(out, y))
            return F.cross_entropy(out, y)
        return cross_entropy
    if name == "cross_entropy":
        def cross_entropy_of_probabilities(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            z = as_logits(out, scores)
            if z.dim() == 2 and z.shape[1] == 1:
                return F.binary_cross_entropy_with_logits(z, target(z, y))
            return F.cross_entropy(z, y)
        return cross_entropy_of_probabilities
    return lambda out, y: F.binary_cross_entropy_with_logits(as_logits(out, scores), target(out, y))


def as_probabilities(out: torch.Tensor, scores: str) -> torch.Tensor:
    """The outputs as probabilities, in their own shape: the softmax of logits over the classes (the sigmoid
    of a single logit); outputs that are probabilities already, as they are."""
    if scores != LOGITS:
        return out
    if out.dim() == 2 and out.shape[1] == 1:
        return torch.sigmoid(out)
    return torch.softmax(out, dim=1)


HOST_LR = "netbuilder_lr"  # a group's rate as a number beside a rate held on the device (read without a sync)


def set_lr(optimizer: torch.optim.Optimizer, value: float) -> None:
    """Every parameter group's learning rate to ``value``; a rate held as a tensor (a captured step reads it
    from the device) is filled in place, and its value kept on the host too (``lr_of``)."""
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(value)
            group[HOST_LR] = float(value)
        else:
            group["lr"] = value


def lr_of(optimizer: torch.optim.Optimizer) -> float:
    """The first group's learning rate, never read back from a device (that would wait for the GPU)."""
    group = optimizer.param_groups[0]
    rate = group["lr"]
    return float(group.get(HOST_LR, math.nan)) if isinstance(rate, torch.Tensor) else float(rate)


def predictions(out: torch.Tensor, num_classes: int | None = None, scores: str = LOGITS) -> torch.Tensor:
    """The predicted class of each row: one output is a yes/no answer (two classes: a logit above 0, or a
    sigmoid's probability above 0.5), except for a dataset with a single class, where every answer is that
    class."""
    if num_classes == 1:
        return torch.zeros(out.shape[0], dtype=torch.long, device=out.device)
    if out.dim() == 2 and out.shape[1] == 1:
        return (out[:, 0] > (0.5 if scores == SIGMOID else 0.0)).long()
    return out.argmax(dim=1)


def lr_factor(config: TrainConfig, epoch_progress: float) -> float:
    """The schedule's multiplier of the base rate at ``epoch_progress`` (epochs done, fractional); the
    formula is netbuilder.choices.schedule_factor, which the window's preview draws too."""
    from netbuilder.choices import schedule_factor

    return schedule_factor({"schedule": config.schedule, "epochs": config.epochs, "step_size": config.step_size,
                            "gamma": config.gamma}, epoch_progress)


def seed_everything(seed: int) -> None:
    """Seed every generator a model's initialisation or a training run draws from: torch (CPU and every
    GPU), numpy's global generator and ``random``. Call it before compiling a design so the same seed
    gives the same initial weights (the CLI and the window both do)."""
    import random

    import numpy as np

    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Run the block with torch seeded from ``seed`` (None: as it is), leaving the global generator as it
    was afterwards: ``with seeded(7): model = compile_design(design)``."""
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


def fast_memory_format(model: torch.nn.Module, device: torch.device) -> torch.memory_format | None:
    """``torch.channels_last`` where it makes training faster: a model with 2-D convolutions (4-D
    floating-point weights) on the CPU with oneDNN, whose convolution and pooling kernels are faster
    on channels-last activations (LeNet-5 at batch 64 on 2 threads: 20-40% less time per step; every
    convolutional preset measured was faster, ResNet-18 the least, about 15%). None
    elsewhere: on a GPU the choice depends on the card and precision, and a model without
    convolutions has nothing to gain."""
    if device.type != "cpu" or not torch.backends.mkldnn.is_available():
        return None
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d) and module.weight.dim() == 4 and module.weight.is_floating_point():
            return torch.channels_last
    return None


def standard_strides(shape) -> tuple[int, ...]:
    """The strides of a tensor of ``shape`` in the standard (row-major) layout."""
    strides, step = [], 1
    for size in reversed(tuple(shape)):
        strides.append(step)
        step *= max(1, size)
    return tuple(reversed(strides))


def give_standard_layout(model: torch.nn.Module) -> None:
    """Put every parameter, gradient and buffer of ``model`` back in the standard layout, with exactly
    its strides (``.to(memory_format=...)`` leaves a tensor alone when both layouts describe it, as for
    one input channel). The parameter objects stay the same."""
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.dim() > 1 and t.stride() != standard_strides(t.shape):
                t.data = t.data.clone(memory_format=torch.contiguous_format)
            grad = t.grad if isinstance(t, torch.nn.Parameter) else None
            if grad is not None and grad.dim() > 1 and grad.stride() != standard_strides(grad.shape):
                t.grad = grad.clone(memory_format=torch.contiguous_format)


def match_state_layout(optimizer: torch.optim.Optimizer) -> None:
    """Give every per-parameter state tensor of a parameter's shape (momentum, running averages) the
    parameter's own memory layout. The fused CPU steps walk parameter, gradient and state as flat
    memory, so a buffer in another layout (a checkpoint written in the standard format, loaded into a
    channels-last model) would be read in the wrong order."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            state = optimizer.state.get(p)
            if not state:
                continue
            for key, value in state.items():
                if (isinstance(value, torch.Tensor) and value.shape == p.shape and value.dim() > 1
                        and value.stride() != p.stride()):
                    state[key] = torch.empty_like(p, dtype=value.dtype).copy_(value)


def standard_layout(value):
    """``value`` (a state dict, an optimiser's state dict, any nest of dicts and lists) with every tensor
    in exactly the standard layout, for a checkpoint that reads the same whatever layout trained it.
    Makes new containers and copies only what is in another layout; the source is left alone."""
    if isinstance(value, torch.Tensor):
        if value.dim() > 1 and value.stride() != standard_strides(value.shape):
            return value.clone(memory_format=torch.contiguous_format)
        return value
    if isinstance(value, dict):
        return {k: standard_layout(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(standard_layout(v) for v in value)
    return value


def step_function(optimizer: torch.optim.Optimizer) -> Callable[[], Any]:
    """``optimizer.step`` without the wrapper torch puts around every optimiser's step (a profiler range
    and the step-hook loops: about 20 µs a step on the CPU, 2-3 % of a small model's step) while no step
    hook is registered, globally or on this optimiser, and nothing replaced the instance's ``step`` (as a
    torch LR scheduler does). Otherwise, and on a torch without that wrapper, the plain ``optimizer.step``."""
    import torch.optim.optimizer as torch_optimizer

    raw = getattr(type(optimizer).step, "__wrapped__", None)
    hooks = (getattr(torch_optimizer, "_global_optimizer_pre_hooks", None),
             getattr(torch_optimizer, "_global_optimizer_post_hooks", None),
             getattr(optimizer, "_optimizer_step_pre_hooks", None),
             getattr(optimizer, "_optimizer_step_post_hooks", None))
    if raw is None or "step" in vars(optimizer) or any(h is None for h in hooks):
        return optimizer.step

    def step() -> Any:
        if any(hooks):  # a hook registered since: the wrapper calls it
            return optimizer.step()
        return raw(optimizer)
    return step
