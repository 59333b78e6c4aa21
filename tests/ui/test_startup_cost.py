"""The window opens without the heavy imports (issue 14): pyqtgraph is imported when a plot is first shown,
torch only once the window is on screen; the views' plots are built when their dock is first shown."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.usefixtures("qapp")

BUILD_AND_SHOW = """
import sys
from netbuilder.ui.app import default_example, make_application
from netbuilder.ui.main_window import MainWindow
app = make_application()
w = MainWindow(probe_device=False)
w.set_design(default_example())
w.show()
app.processEvents()
print(sorted(m for m in ("pyqtgraph", "torch") if m in sys.modules))
"""


def _env(tmp_path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
                NETBUILDER_DATA_DIR=str(tmp_path / "data"))


def test_the_window_opens_without_pyqtgraph_or_torch(tmp_path):
    out = subprocess.run([sys.executable, "-c", BUILD_AND_SHOW], capture_output=True, text=True, timeout=120,
                         env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_netbuilder_command_reports_its_window_shown_before_torch(tmp_path):
    """The launch benchmark's hook: ``python -m netbuilder`` (the start page) prints ``shown <torch>``."""
    env = dict(_env(tmp_path), NETBUILDER_REPORT_SHOWN="1")
    out = subprocess.run([sys.executable, "-m", "netbuilder"], capture_output=True, text=True, timeout=120, env=env)
    assert out.stdout.splitlines()[:1] == ["shown False"], (out.stdout, out.stderr)


def test_a_views_plots_are_built_when_its_dock_is_first_shown(window, qtbot):
    trainer = window.training
    assert window.workspaces.current == "Build"
    assert not trainer.curves.plots_built and not trainer.evaluation.plots_built
    assert "layout_widget" not in trainer.curves.__dict__
    window.workspaces.switch("Train")
    qtbot.waitUntil(lambda: trainer.curves.plots_built)
    assert trainer.curves.layout_widget.isVisible()
    assert trainer.panel.plots_built and trainer.panel.lr_plot.isVisible()
    assert not trainer.filters.plots_built  # Explore's views wait for Explore
    window.workspaces.switch("Explore")
    qtbot.waitUntil(lambda: trainer.features.plots_built)
    assert trainer.features.prob_plot.isVisible()


def test_a_plot_used_before_its_view_is_shown_is_built_then(window):
    curves = window.training.curves
    curves.mark(1.0, "lr 0.1")
    curves.set_epochs(5)
    assert not curves.plots_built
    assert curves.legend_names()  # built on first use, with what the view was given
    assert curves.plots_built and len(curves._marker_items) == 3
    assert curves.loss_plot.getViewBox().viewRange()[0][1] == pytest.approx(5, rel=0.05)


def test_torch_warms_up_only_after_the_window_is_shown(qtbot, settings, data_dir, example):
    from netbuilder.ui.main_window import MainWindow
    from netbuilder.ui.training.controller import WARM_UP_DELAY_MS

    w = MainWindow(settings=settings, probe_device=False)
    qtbot.addWidget(w)
    calls = []
    w.workbench.warm_up = lambda *a, **k: calls.append(True)
    w.set_design(example)
    qtbot.wait(WARM_UP_DELAY_MS + 300)
    assert not calls, "the warm-up (torch's import) started before the window was shown"
    w.show()
    qtbot.waitUntil(lambda: bool(calls), timeout=WARM_UP_DELAY_MS + 3000)
    w.files.ask_unsaved = lambda: "discard"
    w.close()
