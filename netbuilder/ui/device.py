"""Which device training would use, found without blocking the window: a QThread imports torch
(after the window is shown) and reports "CPU" or the CUDA device's name as a plain string."""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal


def describe_device() -> str:
    import torch

    if torch.cuda.is_available():
        return f"GPU: {torch.cuda.get_device_name(0)}"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "GPU: Apple MPS"
    return "CPU"


class DeviceProbe(QThread):
    found = Signal(str)

    def run(self) -> None:
        try:
            text = describe_device()
        except Exception as e:  # noqa: BLE001  (a broken torch install: report, train on nothing)
            text = f"CPU (torch failed to load: {type(e).__name__})"
        self.found.emit(text)
