"""Start the window: ``run_app(path=None) -> int`` and ``main()`` (the gui script).

The QApplication gets its name and organisation (for QSettings), sharp high-DPI rendering and a
theme following the system. Without a file the window opens the digits CNN example. torch is not
imported here: the device probe loads it on a thread after the window is shown.
"""

from __future__ import annotations

import gc
import os
import sys

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design, Edge
from netbuilder.paths import resource
from netbuilder.ui.intents import new_node

EXAMPLE = ("examples", "digits_cnn.nbd")
REPORT_SHOWN_ENV = "NETBUILDER_REPORT_SHOWN"  # set: print "shown" once the window is up, then quit (a benchmark)

DIGITS_CNN = (
    ("input", {"shape": [1, 8, 8]}),
    ("conv2d", {"filters": 8, "kernel_size": 3, "padding": "same"}),
    ("relu", {}),
    ("maxpool2d", {"kernel_size": 2}),
    ("flatten", {}),
    ("dense", {"units": 32}),
    ("relu", {}),
    ("dense", {"units": 10}),
    ("output", {}),
)


def build_digits_cnn() -> Design:
    """The default example built in code: a small CNN for the built-in 8×8 digits (placed by the
    window's automatic layout)."""
    design = Design(name="digits_cnn", description="A small CNN for the built-in 8×8 handwritten digits.",
                    dataset={"name": "digits"})
    prev = None
    for kind, params in DIGITS_CNN:
        node = new_node(design.graph, kind, (0.0, 0.0))
        node.params.update(params)
        design.graph.insert_node(node)
        if prev is not None:
            design.graph.insert_edge(Edge(prev, node.id, 0))
        prev = node.id
    return design


def default_example() -> Design:
    """resources/examples/digits_cnn.nbd when it is there, else the same network built in code."""
    try:
        path = resource(*EXAMPLE)
    except FileNotFoundError:
        path = None
    if path is not None and path.is_file():
        from netbuilder.io import load_design

        try:
            return load_design(path)
        except NetbuilderError:
            pass
    return build_digits_cnn()


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is not None:
        return app  # type: ignore[return-value]
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv if argv is not None else sys.argv[:1]))
    app.setApplicationName("netbuilder")
    app.setOrganizationName("netbuilder")
    app.setOrganizationDomain("netbuilder.org")
    app.setApplicationDisplayName("netbuilder")
    from netbuilder.ui.theme import apply_system_theme

    apply_system_theme(app)
    collect_garbage_on_gui_thread(app)
    return app


class GuiThreadGarbageCollector(QObject):
    """Automatic cyclic collection off; a timer on the GUI thread collects each generation once its
    count passes the threshold Python had (what pyqtgraph's GarbageCollector does, without importing
    pyqtgraph at start-up)."""

    def __init__(self, interval_s: float = 0.5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(int(interval_s * 1000))

    def check(self) -> None:
        l0, l1, l2 = gc.get_count()
        if l0 > self.threshold[0]:
            gc.collect(0)
            if l1 > self.threshold[1]:
                gc.collect(1)
                if l2 > self.threshold[2]:
                    gc.collect(2)


def collect_garbage_on_gui_thread(app: QApplication) -> None:
    """Python's cyclic garbage collector runs on whichever thread allocates; if that is a training or
    background thread and the garbage holds Qt objects, Qt destroys them off the GUI thread and can
    deadlock (seen: shiboken's deletion mutex against the GIL). So automatic collection is switched off
    and a timer on the GUI thread collects instead (``GuiThreadGarbageCollector``, every 0.5 s)."""
    if getattr(app, "_netbuilder_gc", None) is None:
        app._netbuilder_gc = GuiThreadGarbageCollector(0.5, app)


def install_error_handler(window) -> None:
    """An unexpected error in a slot (the GUI thread's boundary) or on any other thread is a bug: its
    traceback goes to the log file (netbuilder.log) and the window says so in one plain line that names
    the file (the design stays as it was), instead of printing a traceback. ``--debug`` /
    NETBUILDER_DEBUG=1 prints the traceback and carries on."""
    import threading
    import traceback

    from PySide6.QtWidgets import QMessageBox

    from netbuilder import log

    showing = []

    def handler(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        if log.debug_enabled():
            traceback.print_exception(kind, value, tb)
            return
        line = log.report_unexpected(value.with_traceback(tb), "the window")
        if showing:  # one box at a time; later errors only go to the log
            return
        showing.append(True)
        try:
            QMessageBox.warning(window, "Something went wrong",
                                f"{line}\n\nYour design is unchanged. The details were saved to the log file "
                                f"{log.log_path()}; please report it.")
        finally:
            showing.clear()

    def thread_handler(args) -> None:
        if args.exc_type is SystemExit:
            return
        if log.debug_enabled():
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            return
        log.report_unexpected(args.exc_value, f"the thread {getattr(args.thread, 'name', '?')}")

    sys.excepthook = handler
    threading.excepthook = thread_handler


def run_app(path: str | os.PathLike | None = None, lesson: str | os.PathLike | None = None) -> int:
    """Open the window on ``path`` (or the digits example) and run until it closes; with ``lesson`` (a
    lesson file or a bundled lesson's id) that lesson opens in the Lesson panel (a file that cannot be read
    is one message, and the window stays open)."""
    app = make_application()
    from netbuilder.ui.main_window import MainWindow

    window = MainWindow()
    install_error_handler(window)
    design, error = None, None
    if path is not None:
        from netbuilder.io import load_design

        try:
            design = load_design(path)
        except NetbuilderError as e:
            error = str(e)
        except OSError as e:
            error = f"{path}: {e.strerror or e}"
    window.set_design(design or default_example(), path if design is not None else None)
    if design is not None:
        window.files.add_recent(path)
    window.show()
    if path is None and lesson is None:  # no file: the start page (example, presets, recent, lessons)
        from netbuilder.ui.start_page import install_start_page

        install_start_page(window)
    if error:
        QTimer.singleShot(0, lambda: window.files.show_error("Cannot open the design", error))
    else:
        QTimer.singleShot(200, window.files.offer_recovery)
    if lesson is not None:
        QTimer.singleShot(0, lambda: window.lessons.open_lesson(lesson))
    QTimer.singleShot(0, window.view.fit)
    if os.environ.get(REPORT_SHOWN_ENV):
        QTimer.singleShot(0, lambda: report_shown_and_quit(app))
    code = app.exec()
    if window.workbench.executor.alive:  # closed during a long training step: it is not waited for
        exit_now(window, code)
    delete_now(window)
    return code


def delete_now(window) -> None:
    """Delete ``window`` (and its docks, floating ones too) now, while Python is whole. Left to the
    interpreter's exit, Qt deleted it after Python had begun to take its objects apart, and a plot's
    resize event then ran pyqtgraph code on a half-deleted view: a segmentation fault at exit."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def exit_now(window, code: int) -> None:
    """End the process at once, the settings written and the clipboard cleared first: the executor's
    (daemon) thread may be inside a torch operation of many seconds, which a normal interpreter exit
    (torch's thread pools torn down) would wait for."""
    import logging

    from netbuilder.ui.main_window import clear_clipboard

    window.settings.sync()
    clear_clipboard()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def report_shown_and_quit(app: QApplication) -> None:
    """The launch benchmark's hook (``$NETBUILDER_REPORT_SHOWN``, benchmarks/editor_scale.py): once the
    window and its first paint are done, print ``shown <torch imported>`` and leave the event loop."""
    print("shown", "torch" in sys.modules, flush=True)
    app.quit()


def smoke_test(path: str | os.PathLike | None = None) -> int:
    """Open the window (offscreen under QT_QPA_PLATFORM=offscreen) on ``path`` or the example, print
    "window shown" with its node count, and close: the installed-package check of packaging/."""
    app = make_application()
    from netbuilder.ui.main_window import MainWindow

    window = MainWindow(probe_device=False)
    if path is not None:
        from netbuilder.io import load_design

        window.set_design(load_design(path), path)
    else:
        window.set_design(default_example(), None)
    window.show()
    app.processEvents()
    nodes = len(window.document.design.graph)
    shown = window.isVisible() and nodes > 0
    print(f"window shown: {nodes} nodes" if shown else "window not shown")
    window.close()
    app.processEvents()
    return 0 if shown else 1


def main() -> int:
    """The ``netbuilder-gui`` script: ``netbuilder-gui [--lesson LESSON] [FILE]``."""
    argv, lesson, args = sys.argv[1:], None, []
    for i, arg in enumerate(argv):
        if arg.startswith("--lesson="):
            lesson = arg.split("=", 1)[1]
        elif arg == "--lesson" and i + 1 < len(argv):
            lesson = argv[i + 1]
        elif not arg.startswith("-") and not (i and argv[i - 1] == "--lesson"):
            args.append(arg)
    return run_app(args[0] if args else None, lesson=lesson or None)


if __name__ == "__main__":
    sys.exit(main())
