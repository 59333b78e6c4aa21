"""run_app: opens the given file (or the digits example) in a window; a bad file is reported."""

import pytest

from netbuilder.io import save_design

pytestmark = pytest.mark.gui


def test_default_example_is_a_valid_digits_cnn():
    from netbuilder.analysis import analyze
    from netbuilder.ui.app import build_digits_cnn, default_example

    for design in (build_digits_cnn(), default_example()):
        result = analyze(design.graph)
        assert result.valid and design.dataset.get("name") == "digits"
        inputs = [n for n in design.graph.iter_nodes() if n.kind == "input"]
        assert inputs[0].params["shape"] == [1, 8, 8]
    built = build_digits_cnn()
    assert [n.kind for n in built.graph.iter_nodes()] == [
        "input", "conv2d", "relu", "maxpool2d", "flatten", "dense", "relu", "dense", "output"]
    assert analyze(built.graph).total_params == 4538


@pytest.mark.slow
@pytest.mark.parametrize("good", [True, False])
def test_run_app_opens_a_file(qapp, tmp_path, monkeypatch, good):
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from netbuilder.presets import build_preset
    from netbuilder.ui import app as app_module
    from netbuilder.ui.files import FileController
    from netbuilder.ui.main_window import MainWindow

    monkeypatch.setenv("NETBUILDER_DATA_DIR", str(tmp_path / "data"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    request_finalizer = QSettings.setDefaultFormat
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "cfg"))
    errors = []
    monkeypatch.setattr(FileController, "show_error", lambda self, title, text: errors.append(text))
    monkeypatch.setattr(FileController, "ask_recover", lambda self, when: False)
    path = tmp_path / "lenet.nbd"
    if good:
        save_design(build_preset("lenet5"), path)
    else:
        path.write_text("{not json")
    seen = {}

    def finish():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["nodes"] = len(windows[0].document.graph) if windows else None
        seen["path"] = windows[0].document.path if windows else None
        seen["windows"] = windows
        for w in windows:
            w.close()  # the last window closing ends run_app's event loop (a second quit() would
                       # leave a Quit event that ends later tests' waits at once)

    QTimer.singleShot(400, finish)
    try:
        assert app_module.run_app(path) == 0
    finally:
        request_finalizer(QSettings.Format.NativeFormat)
    import shiboken6

    # deleted before run_app returns, while Python is whole (left to the interpreter's exit, a floating
    # dock's plot could get a resize event on a half-deleted view: a segmentation fault at exit)
    assert seen["windows"] and not any(shiboken6.isValid(w) for w in seen["windows"])
    if good:
        assert seen["path"] == path and seen["nodes"] == len(build_preset("lenet5").graph) and not errors
    else:
        from netbuilder.ui.app import default_example

        assert seen["path"] is None and seen["nodes"] == len(default_example().graph)
        assert "lenet.nbd" in errors[0]


def test_unexpected_errors_are_logged_and_reported_in_one_line(qtbot, tmp_path, monkeypatch):
    import sys

    from PySide6.QtWidgets import QMessageBox, QWidget

    from netbuilder.ui.app import install_error_handler

    monkeypatch.setenv("NETBUILDER_DATA_DIR", str(tmp_path))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    parent = QWidget()
    qtbot.addWidget(parent)
    install_error_handler(parent)
    try:
        raise ValueError("a broken slot\nsecond line")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert len(shown) == 1 and "ValueError: a broken slot" in shown[0] and "second line" not in shown[0]
    assert "Traceback" in (tmp_path / "errors.log").read_text(encoding="utf-8")
