"""Fixtures for the explore views: the main window (tests/ui/conftest.py) with the explore docks, on
the built-in 8×8 digits and the window's small example CNN, and a helper that waits for a view."""

from __future__ import annotations

import pytest


@pytest.fixture
def explore(window, qtbot):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    controller = window.explore  # installed by the main window, beside the training controller
    window.resize(1300, 900)
    yield controller
    controller.shutdown()
    torch.set_num_threads(threads)


@pytest.fixture
def show(qtbot):
    def show(controller, key: str) -> None:
        dock = controller.docks[key]
        dock.show()
        dock.raise_()
        qtbot.waitUntil(lambda: controller.views[key].isVisible(), timeout=5000)
    return show


@pytest.fixture
def wait_result(qtbot):
    def wait(controller, key: str, timeout: int = 30_000, after=None) -> dict:
        if after is not None:
            controller.results.pop(key, None)
            after()
        qtbot.waitUntil(lambda: key in controller.results and not controller.wb.busy, timeout=timeout)
        return controller.results[key]
    return wait


@pytest.fixture
def both(window, qtbot, request):
    """The window's Training and Explore controllers, ready (device probed, dataset shown), on one torch
    thread, with the test module's ``EPOCHS`` (default 1) set in the panel."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    tc, ex = window.training, window.explore  # installed by the main window
    qtbot.waitUntil(lambda: tc.wb.ready is not None, timeout=30_000)
    qtbot.waitUntil(lambda: tc.panel.dataset_info.text() != "", timeout=30_000)
    tc.panel.fields["epochs"].setValue(getattr(request.module, "EPOCHS", 1))
    yield tc, ex
    ex.shutdown()
    tc.shutdown()
    torch.set_num_threads(threads)
