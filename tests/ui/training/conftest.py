"""Fixtures for the training window: the main window (tests/ui/conftest.py) with training installed,
short runs on the built-in digits (or a 2-D playground set), and a helper that waits for a run."""

from __future__ import annotations

import pytest


@pytest.fixture
def trainer(window, qtbot):
    controller = window.training  # installed by the main window
    window.resize(1300, 900)
    qtbot.waitUntil(lambda: controller.wb.ready is not None, timeout=30_000)
    qtbot.waitUntil(lambda: controller.panel.dataset_info.text() != "", timeout=30_000)
    controller.panel.fields["epochs"].setValue(2)
    yield controller
    controller.shutdown()


@pytest.fixture
def run_to_end(qtbot):
    def run(controller, timeout: int = 40_000) -> dict:
        assert controller.train()
        qtbot.waitUntil(lambda: controller.state == "idle", timeout=timeout)
        outcome = controller.run.finished or controller.run.fault
        return outcome.to_dict() if outcome is not None else None
    return run


@pytest.fixture
def both(window, trainer, qtbot):
    """The Training controller and the Explore controller of one window, on one torch thread."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    ex = window.explore
    yield trainer, ex
    ex.shutdown()
    torch.set_num_threads(threads)


@pytest.fixture
def shown_curves(qtbot):
    """A Curves view of its own, ``width`` × ``height``, shown and exposed (its plots built)."""
    def make(width: int, height: int):
        from netbuilder.ui.training.curves import CurvesView

        view = CurvesView()
        qtbot.addWidget(view)
        view.resize(width, height)
        view.show()
        qtbot.waitExposed(view)
        return view
    return make
