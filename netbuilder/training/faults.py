"""Plain explanations and advice for what can go wrong during training. Stdlib only."""

from __future__ import annotations

import math

NAN_MESSAGE = "the loss became {value} at epoch {epoch}, step {step}: the numbers in the network blew up"
NAN_ADVICE = ("lower the learning rate (try 10x smaller), make sure the inputs are normalised, or add "
              "batch normalisation; with mixed precision, try it off")
OOM_MESSAGE = "the {device} ran out of memory at epoch {epoch}, step {step} (batch of {batch})"
OOM_ADVICE = "use a smaller batch size (e.g. half), a smaller model or smaller images, or train on the CPU"
DATA_ADVICE = "remove or replace the named file or row, then start training again"


CPU_OOM_ADVICE = OOM_ADVICE.replace(", or train on the CPU", "") + ", or close other programs"
MEMORY_ADVICE = "the computer ran out of memory: " + CPU_OOM_ADVICE
MEMORY_WORDS = ("can't allocate memory", "cannot allocate memory", "out of memory", "not enough memory",
                "defaultcpuallocator")


def is_memory_error(message: str) -> bool:
    """Whether a runtime error's text is an allocator's (torch's DefaultCPUAllocator on the CPU says
    "can't allocate memory"; on Windows "not enough memory"), which the run reports as running out of it."""
    text = message.lower()
    return any(w in text for w in MEMORY_WORDS)


def oom_text(device_type: str, epoch: int, step: int, batch: int) -> tuple[str, str]:
    """(message, advice) for a run that ran out of memory on a device of ``device_type`` (``cpu``,
    ``cuda``, ``mps``) at 0-based ``epoch``, ``step``, with batches of ``batch``."""
    what = "computer" if device_type == "cpu" else "GPU"
    advice = CPU_OOM_ADVICE if device_type == "cpu" else OOM_ADVICE
    return OOM_MESSAGE.format(device=what, epoch=epoch + 1, step=step, batch=batch), advice


def runtime_advice(message: str) -> str:
    """What to do about a runtime error torch raised during training (its first line ``message``)."""
    text = message.lower()
    if is_memory_error(message):  # torch's DefaultCPUAllocator on the CPU, as OOM is on a GPU
        return MEMORY_ADVICE
    if "expected more than 1 value per channel" in text:
        return "batch normalisation needs batches of 2 or more: use mini-batch mode instead of stochastic"
    if "shape" in text or "size mismatch" in text or "mat1 and mat2" in text:
        return "the design does not fit the data: check the input shape and the layer shapes (Check design)"
    if "target" in text and ("out of bounds" in text or "out of range" in text):
        return "the output has fewer classes than the dataset: set the last layer's units to the class count"
    return "check the design and the training settings; the message above says where torch stopped"


def first_line(message: str, limit: int = 300) -> str:
    line = next((s.strip() for s in str(message).splitlines() if s.strip()), str(message))
    return line[:limit]


GREW = 3.0  # a last epoch's loss this many times the run's first loss (and 1 above it): the run diverged


def loss_grew(first: float | None, last: float, lr: float) -> str | None:
    """One line when a run ended with its loss far above where it began (it diverged without reaching
    infinity, which is a fault): the learning rate is the usual cause, and the next run would go on from
    these weights."""
    if first is None or not math.isfinite(last) or not (last > GREW * first and last > first + 1.0):
        return None
    return (f"the loss grew from {first:.3g} to {last:.3g} during training: the learning rate ({lr:g}) is probably "
            "too high. Lower it, and press Reset so that the next run starts from fresh weights")
