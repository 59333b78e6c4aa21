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
ERROR_COLOUR = QColor("#d33c3c")  # an error's border or mark (not text: see error_text)
WARNING_COLOUR = QColor("#e3a008")
SELECT_COLOUR = QColor("#2a82da")  # the canvas's selection border
# Text colours, each at least 4.5:1 (WCAG AA) against every background it is drawn on (tests/ui/test_contrast.py):
# an error's text (light: on a red node's pale body, the dialog grey, a field's white; dark: on a red node's dark
# body, the window grey, a field's base), a met check or right answer and a wrong one, and the selection behind
# white selected text (white on SELECT_COLOUR was 3.96:1, on Fusion's light #308cc6 3.69:1).
ERROR_TEXT = {False: "#8b1a1a", True: "#ff9e9e"}
VERDICT_TEXT = {False: {True: "#276b2b", False: "#c62828"}, True: {True: "#81c784", False: "#ef9a9a"}}
HIGHLIGHT = QColor("#1f6fbf")
ERROR_NODE_BODY = {False: "#ffb0b0", True: "#4a2326"}  # a node with an error: its pale (dark) red body


def error_text(dark: bool | None = None) -> str:
    """The colour of an error's text, readable on the theme's backgrounds and a red node's body (``dark``:
    the dark theme's; None: the current theme's)."""
    return ERROR_TEXT[is_dark() if dark is None else dark]


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    """The WCAG 2 contrast ratio of two colours, 1 to 21."""

    def luminance(colour: QColor | str) -> float:
        c = QColor(colour)
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#888888"))


_dark_now: list[bool] = []


def verdict_colour(good: bool, dark: bool | None = None) -> str:
    """The colour of a met check or a right answer (``good``) or of a wrong one, readable on the theme's
    background (the light theme's dark green was dim on the dark theme's grey). ``dark``: None for the
    current theme."""
    return VERDICT_TEXT[is_dark() if dark is None else dark][good]


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
        (QPalette.ColorRole.Highlight, HIGHLIGHT), (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#6ea8fe")), (QPalette.ColorRole.PlaceholderText, QColor("#8a8f98")),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777a80"))
    return p


def _light_palette(app: QApplication) -> QPalette:
    """Fusion's light palette with a selection dark enough for its white text."""
    p = app.style().standardPalette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Highlight, HIGHLIGHT)
    return p


def apply_system_theme(app: QApplication) -> None:
    """Fusion with a light or dark palette chosen by the system colour scheme; follows changes."""
    app.setStyle("Fusion")

    def update(*_args: object) -> None:
        scheme = app.styleHints().colorScheme()
        app.setPalette(_dark_palette() if scheme == Qt.ColorScheme.Dark else _light_palette(app))
        _dark_now.clear()

    update()
    app.styleHints().colorSchemeChanged.connect(update)
