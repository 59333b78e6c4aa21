"""The Curves view's exports: the plots as a PNG picture and the metrics as a CSV table, each written at
once (no half-written file), a failure said in one line on the Training panel. Qt only."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from netbuilder.errors import NetbuilderError
from netbuilder.io import atomic_write_text
from netbuilder.ui.files import with_suffix


def _failure(path: str, e: Exception, what: str) -> str:
    """One line: a NetbuilderError says it all (read-only, a folder...); an OSError gets its reason."""
    if isinstance(e, NetbuilderError):
        return str(e)
    return f"{path}: cannot write the {what} ({getattr(e, 'strerror', None) or e})"


def _export(c, path: str | None, title: str, default: str, suffix: str, what: str, write) -> bool:
    """Ask where (when ``path`` is None), give the name its ``suffix``, ``write(path)``; a failure in one line."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(c.window, title, default, f"{suffix[1:].upper()} (*{suffix})")
    if not path:
        return False
    path = with_suffix(path, suffix)
    try:
        write(path)
    except (OSError, NetbuilderError) as e:
        c.show_message(_failure(path, e, what), "error")
        return False
    c.status(f"Exported {path}")
    return True


def export_png(c, path: str | None = None) -> bool:
    """The curves as a PNG picture; ``c`` the TrainingController (asks where when ``path`` is None)."""
    from netbuilder.ui.training.widgets import export_png as write_png

    c.curves.refresh()
    return _export(c, path, "Export the curves as PNG", "curves.png", ".png", "picture",
                   lambda p: write_png(c.curves.layout_widget.ci, p))


def export_csv(c, path: str | None = None) -> bool:
    """The metrics of every run as a CSV table."""
    return _export(c, path, "Export the metrics as CSV", "metrics.csv", ".csv", "metrics",
                   lambda p: atomic_write_text(p, c.curves.metrics_csv()))
