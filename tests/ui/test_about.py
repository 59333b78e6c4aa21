"""The About box names the version, the libraries, the device and the licences of bundled data."""

import pytest

from netbuilder import __version__

pytestmark = pytest.mark.gui


def test_about_lists_versions_device_and_data_licences(qtbot):
    from netbuilder.ui.about import AboutDialog, about_html

    text = about_html("GPU: Test Card")
    assert __version__ in text and "GPU: Test Card" in text
    for name in ("Qt", "PySide6", "PyTorch", "pyqtgraph"):
        assert f"<td>{name}</td>" in text
    assert "digits" in text and "CC BY 4.0" in text
    assert "not imported" not in text
    dialog = AboutDialog("CPU")
    qtbot.addWidget(dialog)
    assert "CPU" in dialog.text.toPlainText()


def test_about_does_not_import_torch():
    import subprocess
    import sys

    code = ("import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
            "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
            "from netbuilder.ui.about import about_html; about_html('CPU'); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("False"), out.stderr
