"""Colours and the light/dark theme that follows the system (QStyleHints.colorScheme).

Category colours (as Netron colours operators by category) for node boxes and palette icons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

CATEGORY_COLOURS = {
    "input": "#5b8def",
    "output": "#8e6fd8",
    "dense": "#e07b39",
    "convolution": "#3a9d6a",
    "pooling": "#2f8fa8",
    "activation": "#c9a227",
    "normalisation": "#7a8a99",
    "regularisation": "#a0a0a0",
    "merge": "#d05a8c",
    "reshape": "#8f7a5a",
}
ERROR_COLOUR = QColor("#d33c3c")
WARNING_COLOUR = QColor("#e3a008")
SELECT_COLOUR = QColor("#2a82da")


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#888888"))


_dark_now: list[bool] = []


def verdict_colour(good: bool) -> str:
    """The colour of a met check or a right answer (``good``) or of a wrong one, readable on the theme's
    background (the light theme's dark green was dim on the dark theme's grey)."""
    if is_dark():
        return "#81c784" if good else "#ef9a9a"
    return "#2e7d32" if good else "#c62828"


def is_dark() -> bool:
    """Whether the application palette is dark (cached; apply_system_theme refreshes it)."""
    if not _dark_now:
        app = QGuiApplication.instance()
        if app is None:
            return False
        _dark_now.append(app.palette().color(QPalette.ColorRole.Window).lightness() < 128)
    return _dark_now[0]


_DARK: dict[str, QColor] = {}
_LIGHT: dict[str, QColor] = {}


def canvas_colours() -> dict[str, QColor]:
    """Background, grid, text, edge and node-body colours for the current theme (cached)."""
    cache = _DARK if is_dark() else _LIGHT
    if not cache:
        cache.update(_canvas_colours(cache is _DARK))
    return cache


def _canvas_colours(dark: bool) -> dict[str, QColor]:
    if dark:
        return {"background": QColor("#1e1f22"), "grid": QColor("#2a2c30"), "text": QColor("#e6e6e6"),
                "muted": QColor("#a8acb3"), "edge": QColor("#8a8f98"), "body": QColor("#2b2d31")}
    return {"background": QColor("#f7f7f9"), "grid": QColor("#e9e9ee"), "text": QColor("#1d1d1f"),
            "muted": QColor("#5f6368"), "edge": QColor("#7d838c"), "body": QColor("#ffffff")}


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e6e6e6")
    for role, colour in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, window), (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.BrightText, QColor("#ff6b6b")),
        (QPalette.ColorRole.Highlight, SELECT_COLOUR), (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#6ea8fe")), (QPalette.ColorRole.PlaceholderText, QColor("#8a8f98")),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777a80"))
    return p


def apply_system_theme(app: QApplication) -> None:
    """Fusion with a light or dark palette chosen by the system colour scheme; follows changes."""
    app.setStyle("Fusion")

    def update(*_args: object) -> None:
        scheme = app.styleHints().colorScheme()
        app.setPalette(_dark_palette() if scheme == Qt.ColorScheme.Dark else app.style().standardPalette())
        _dark_now.clear()

    update()
    app.styleHints().colorSchemeChanged.connect(update)
