"""Screenshots of the explore views from the real window (offscreen): ``python -m
netbuilder.ui.explore.screenshots [folder]`` (default docs/screenshots) trains the example CNN on the
built-in digits for a few epochs, then grabs each view (QWidget.grab) as ``explore_<view>.png`` and the
canvas with a frozen layer and the training-health colours as ``explore_canvas.png``.

Qt; torch on the window's threads. For the README, not used by the application.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _wait(app, condition, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    return condition()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from netbuilder.ui.app import build_digits_cnn
    from netbuilder.ui.explore import install_explore
    from netbuilder.ui.main_window import MainWindow
    from netbuilder.ui.training import install_training

    out = Path((argv or sys.argv[1:] or ["docs/screenshots"])[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(out / ".screenshots.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, probe_device=False)
    window.set_design(build_digits_cnn())
    window.resize(1500, 950)
    window.show()
    tc = install_training(window, window.document)
    ex = install_explore(window, window.document, tc)
    _wait(app, lambda: tc.warm is not None and tc.panel.dataset_info.text() != "")
    tc.panel.fields["epochs"].setValue(6)
    ex.docks["lab"].show()
    ex.docks["lab"].raise_()
    tc.train()
    _wait(app, lambda: tc.state == "idle", 300)
    shots: list[Path] = []
    setup = {
        "augment": lambda: (ex.augment.shift.setValue(1), ex.augment.rotation.setValue(15),
                            ex.augment.noise.setValue(0.2)),
        "adversarial": lambda: ex.adversarial.epsilon.setValue(24),
        "explain": lambda: ex.explain.bar.sample.setValue(3),
    }
    for key in ("lab", "augment", "transfer", "explain", "adversarial", "inside"):
        ex.docks[key].show()
        ex.docks[key].raise_()
        ex.results.pop(key, None)
        setup.get(key, lambda: None)()
        if key not in ("lab", "transfer"):
            ex.request(key, now=True)
            _wait(app, lambda k=key: k in ex.results and not ex.runner.busy)
        if key == "inside":
            ex.inside.live.setChecked(False)
            ex.results.pop("health", None)
            ex.request("health", now=True)
            _wait(app, lambda: "health" in ex.results and not ex.runner.busy)
            ex.inside.feature.click_pixel(3, 4)
        if key == "transfer":
            window.document.select(["conv2d_1"])
            ex.freeze_action.trigger()
        app.processEvents()
        path = out / f"explore_{key}.png"
        ex.docks[key].grab().save(str(path))
        shots.append(path)
    window.view.fit()
    app.processEvents()
    path = out / "explore_canvas.png"
    window.view.grab().save(str(path))
    shots.append(path)
    window.document.undo_stack.setClean()
    tc.shutdown()
    ex.shutdown()
    window.files.ask_unsaved = lambda: "discard"
    window.close()
    (out / ".screenshots.ini").unlink(missing_ok=True)
    for p in shots:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
