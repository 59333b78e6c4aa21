"""A window for tests that drive it from outside (Xvfb + xdotool, or start-up timing).

Usage: python xvfb_app.py STATE_FILE [--quit]
Prints one JSON line once the window is shown: seconds from start to shown, whether torch was
imported by then, and the screen coordinates of the palette's Dense entry and of an empty spot on
the canvas. Writes {"count": nodes, "kinds": [...]} to STATE_FILE at start and after every change.
With --quit it exits right after printing.
"""

import time

START = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def main() -> int:
    state_file = Path(sys.argv[1])
    from PySide6.QtCore import QSettings, QTimer

    from netbuilder.ui.app import default_example, make_application
    from netbuilder.ui.main_window import MainWindow

    app = make_application()
    settings = QSettings(str(state_file.with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, probe_device=False)
    window.resize(1280, 800)
    window.move(0, 0)
    window.set_design(default_example())
    doc = window.document

    def write_state() -> None:
        kinds = sorted(n.kind for n in doc.graph.iter_nodes())
        state_file.write_text(json.dumps({"count": len(kinds), "kinds": kinds}))

    doc.changed.connect(write_state)
    write_state()
    window.show()

    def report() -> None:
        window.view.fit()
        app.processEvents()
        palette = window.palette_view
        item = palette.items["dense"]
        palette.tree.scrollToItem(item)
        rect = palette.tree.visualItemRect(item)
        src = palette.tree.viewport().mapToGlobal(rect.center())
        viewport = window.view.viewport()
        free = viewport.rect().center()
        free.setX(int(viewport.width() * 0.85))
        dst = viewport.mapToGlobal(free)
        print(json.dumps({"shown_s": round(time.perf_counter() - START, 3),
                          "torch_loaded": "torch" in sys.modules,
                          "palette": [src.x(), src.y()], "canvas": [dst.x(), dst.y()]}), flush=True)
        if "--quit" in sys.argv:
            window.files.ask_unsaved = lambda: "discard"
            window.close()
            app.quit()

    QTimer.singleShot(0, report)
    app.aboutToQuit.connect(write_state)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
