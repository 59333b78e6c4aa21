"""The Summary tab, shown while another design opens (a lesson's Show me: the MLP, then the Digits CNN):
its columns fit the new design's names ("conv2d_1", "maxpool2d") instead of keeping the widths of the old
one's ("hidden", "dense"), which cut them to "conv2…" and "maxp…"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_the_columns_fit_a_design_opened_while_the_summary_shows(window, qtbot):
    from netbuilder.presets import build_preset
    from netbuilder.ui.app import default_example

    window.resize(1280, 720)
    dock = window.docks["Summary"]
    dock.show()
    dock.raise_()
    view = window.summary
    window.set_design(build_preset("mlp"))
    qtbot.waitUntil(lambda: view.table.rowCount() == 7, timeout=5000)
    qtbot.wait(50)
    window.set_design(default_example())
    qtbot.waitUntil(lambda: view.table.rowCount() == 13, timeout=5000)
    qtbot.wait(50)
    for column in (0, 1):  # the layer's id and its kind, whole
        assert view.columnWidth(column) >= view.sizeHintForColumn(column), column
