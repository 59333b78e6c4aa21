"""Make the README's screenshots from the real application at 1280×720 (offscreen, QWidget.grab):

    python docs/screenshots.py [folder]          (default: docs/screenshots)

The example and ResNet-18 as they open (labels readable at the opening zoom); the editor on a branchy
teaching network; a training run of the example CNN on the built-in digits
with its curves, filters, feature maps and evaluation; the course's hard parts (explore_*.png); the
decision boundary of TensorFlow Playground's network on the spiral. About a minute on two cores.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def wait(app, condition, timeout: float = 120.0) -> bool:
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()
    return condition()


def show_tab(app, window, dock) -> None:
    """Bring ``dock`` forward in its workspace (switching to it, as a student would)."""
    window.workspaces.show_dock(dock.windowTitle())
    dock.show()
    dock.raise_()
    app.processEvents()


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from netbuilder.io import load_design
    from netbuilder.paths import resource
    from netbuilder.presets import build_preset
    from netbuilder.ui.main_window import MainWindow

    out = Path((argv or sys.argv[1:] or ["docs/screenshots"])[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    # the window's settings in a folder of their own (QSettings writes them again when it is destroyed)
    settings_dir = Path(tempfile.mkdtemp(prefix="netbuilder-screenshots-"))
    settings = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, probe_device=False)
    window.setGeometry(0, 0, 1280, 720)
    window.show()
    tc, ex = window.training, window.explore
    shots: list[Path] = []

    def grab(widget, name: str) -> None:
        app.processEvents()
        path = out / name
        widget.grab().save(str(path))
        shots.append(path)

    # The start page (no file given): the example, the presets as pictures, recent designs, the lessons.
    from netbuilder.ui.app import default_example
    from netbuilder.ui.start_page import install_start_page

    window.set_design(default_example())
    page = install_start_page(window)
    wait(app, lambda: False, 1.5)  # the preset pictures are drawn lazily, a few per event-loop turn
    grab(window, "start_page.png")
    page.switch.show_canvas()

    # The example and ResNet-18 as they open: every label readable at the zoom each opens with.

    window.workspaces.switch("Build")
    for design, name in ((default_example(), "open_example.png"), (build_preset("resnet18"), "open_resnet18.png")):
        window.set_design(design)
        window.view.fit()
        wait(app, lambda: False, 0.5)
        grab(window, name)

    # The editor: a small Inception-style network, a convolution selected (its worked formulas show).
    window.set_design(build_preset("inception_small"))
    show_tab(app, window, window.docks["Summary"])
    window.resizeDocks([window.docks["Summary"]], [230], Qt.Orientation.Vertical)
    doc = window.document
    conv = [n.id for n in doc.design.graph.iter_nodes() if n.kind == "conv2d"][3]
    doc.select([conv])
    window.view.resetTransform()
    window.view.center_on_node(conv)
    grab(window, "editor.png")

    # A training run of the example CNN on the built-in digits.
    window.set_design(load_design(resource("examples", "digits_cnn.nbd")))
    window.view.fit()
    wait(app, lambda: tc.wb.ready is not None and tc.panel.dataset_info.text() != "")
    tc.panel.fields["epochs"].setValue(12)
    show_tab(app, window, tc.docks["Curves"])
    window.resizeDocks([tc.docks["Curves"]], [380], Qt.Orientation.Vertical)
    tc.train_and_show()
    wait(app, lambda: tc.state == "idle", 300)
    doc.select(["conv2d_1"])
    for title, name in (("Curves", "training.png"), ("Training", "training_panel.png"),
                        ("Filters", "filters.png"), ("Feature maps", "feature_maps.png"),
                        ("Evaluation", "evaluation.png")):
        show_tab(app, window, tc.docks[title])
        wait(app, lambda: False, 1.5)  # let the view's background job and redraw timer run
        grab(window, name)

    # The course's hard parts, on the trained network.
    setup = {
        "augment": lambda: (ex.augment.shift.setValue(1), ex.augment.rotation.setValue(15),
                            ex.augment.noise.setValue(0.2)),
        "adversarial": lambda: ex.adversarial.search(),  # the smallest ε that fools the network
        "explain": lambda: ex.explain.bar.sample.setValue(3),
    }
    for key in ("lab", "augment", "transfer", "explain", "adversarial", "inside"):
        show_tab(app, window, ex.docks[key])
        ex.results.pop(key, None)
        setup.get(key, lambda: None)()
        if key == "adversarial":  # (the search's own request)
            wait(app, lambda: ex.results.get("adversarial", {}).get("searched") and not ex.wb.busy)
        elif key not in ("lab", "transfer"):
            ex.request(key, now=True)
            wait(app, lambda k=key: k in ex.results and not ex.wb.busy)
        if key == "inside":
            ex.inside.live.setChecked(False)
            ex.results.pop("health", None)
            ex.request("health", now=True)
            wait(app, lambda: "health" in ex.results and not ex.wb.busy)
            ex.inside.feature.click_pixel(3, 4)
        if key == "transfer":
            doc.select(["conv2d_1"])
            ex.freeze_action.trigger()
        grab(ex.docks[key], f"explore_{key}.png")
    window.view.fit()
    grab(window.view, "explore_canvas.png")

    # TensorFlow Playground's network (two hidden layers of 16) on the spiral: the decision boundary.
    playground = build_preset("playground")
    playground.dataset = {"name": "spiral"}
    window.files.ask_unsaved = lambda: "discard"
    window.set_design(playground)
    for node in ("hidden1_dense", "hidden2_dense"):  # wider than Playground's default: the spiral is hard
        doc.set_param(node, "units", 16)
    tc.panel.fields["epochs"].setValue(300)
    tc.panel.fields["lr"].setValue(0.03)
    tc.panel.fields["batch_size"].setValue(16)
    window.view.fit()
    show_tab(app, window, tc.docks["Decision boundary"])
    wait(app, lambda: "spiral" in tc.panel.dataset_info.text().lower(), 30)
    tc.train()
    wait(app, lambda: tc.state == "idle", 300)
    wait(app, lambda: False, 1.5)
    grab(window, "decision_boundary.png")

    # A design error in the Build workspace: the window stays inside the 1280×720 screen.
    window.workspaces.switch("Build")
    doc.set_param("hidden1_dense", "units", 0)
    doc.flush()
    wait(app, lambda: False, 0.5)
    assert window.width() <= 1280 and window.height() <= 720, window.size()  # not pushed wider by the error
    grab(window, "design_error.png")

    doc.undo_stack.setClean()
    window.close()
    shutil.rmtree(settings_dir, ignore_errors=True)
    for p in shots:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
