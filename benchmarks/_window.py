"""Shared by the window benchmarks: the real main window (offscreen) on a preset fitted to a dataset,
with its training controller warmed up."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_design(preset: str, dataset: str):
    """``preset`` fitted to ``dataset`` (the digits example for ``digits_cnn``)."""
    from netbuilder.data import load_dataset
    from netbuilder.presets import build_preset
    from netbuilder.ui.app import default_example
    from netbuilder.ui.main_window import with_layout

    data = load_dataset(dataset)
    design = default_example() if preset == "digits_cnn" else build_preset(
        preset, input_shape=list(data.input_shape), num_classes=data.num_classes)
    design.dataset = {"name": dataset}
    return with_layout(design)


def open_window(app_name: str, preset: str, dataset: str):
    """(app, window, training controller) with the design shown and torch warmed up."""
    from PySide6.QtCore import QSettings

    from netbuilder.ui.app import make_application
    from netbuilder.ui.main_window import MainWindow

    app = make_application([app_name])
    window = MainWindow(settings=QSettings("/tmp/netbuilder_bench.ini", QSettings.Format.IniFormat),
                        probe_device=False)
    window.set_design(make_design(preset, dataset))
    controller = window.training
    window.resize(1400, 900)
    window.show()
    wb = controller.wb  # the workbench: torch warmed up (Ready) and the design's dataset loaded
    while wb.ready is None or wb.dataset is None:
        app.processEvents()
        time.sleep(0.005)
    return app, window, controller


def close_window(window) -> None:
    """Close without the unsaved-changes prompt (closeEvent stops and joins the training threads), then
    delete the window while Python is whole: left to the interpreter's exit, a floating dock's plot got a
    resize event on a half-deleted view and the process ended in a segmentation fault (3 runs in 8)."""
    from netbuilder.ui.app import delete_now

    window.files.ask_unsaved = lambda: "discard"
    window.files.ask_stop_training = lambda: True
    window.close()
    delete_now(window)
