"""The About box: netbuilder's version, the versions of Python, Qt, PySide6, pyqtgraph and torch
(read from package metadata, so torch is not imported for it), the device training would use, and
the licences of the data netbuilder bundles (every ``*.LICENSE.txt`` under resources/)."""

from __future__ import annotations

import html
import platform
from importlib import metadata

from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from netbuilder import __version__
from netbuilder.paths import resources_dir


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    return [
        ("netbuilder", __version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", _version("PySide6-Essentials") if _version("PySide6") == "not installed" else _version("PySide6")),
        ("pyqtgraph", _version("pyqtgraph")),
        ("PyTorch", _version("torch")),
        ("NumPy", _version("numpy")),
    ]


def bundled_licences() -> list[tuple[str, str, str]]:
    """(data file, its title line, its licence line) for each licence file of bundled data."""
    out = []
    try:
        root = resources_dir()
    except FileNotFoundError:
        return out
    for path in sorted(root.rglob("*.LICENSE.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        title = lines[0] if lines else path.name
        licence = next((ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("licence")), "")
        out.append((path.name.removesuffix(".LICENSE.txt"), title, licence))
    return out


def about_html(device: str) -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in versions())
    data = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(title.split('—', 1)[-1].strip())}<br>"
                   f"{html.escape(licence)}</li>" for name, title, licence in bundled_licences())
    return (f"<h2>netbuilder {html.escape(__version__)}</h2>"
            "<p>Build neural networks by drawing them, see every shape, train them in PyTorch and watch "
            "them learn. Free software under the MIT licence.</p>"
            f"<p><b>Training device:</b> {html.escape(device)}</p>"
            f"<table cellspacing='6'>{rows}</table>"
            f"<h3>Bundled data</h3><ul>{data or '<li>none</li>'}</ul>")


class AboutDialog(QDialog):
    def __init__(self, device: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About netbuilder")
        self.text = QTextBrowser(self)
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(about_html(device))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(520, 460)
