"""Grids of tiles (filters, feature maps, the dataset's samples) keep their gaps apart from the tiles: the
gaps are NaN, drawn in GRID_TINT, a colour no grey tile pixel has (white gaps merged with a 3×3
filter's brightest pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from netbuilder.ui.training.widgets import GRID_TINT, image_view, show_image
from netbuilder.workbench.host import sample_grid

pytestmark = pytest.mark.gui


def test_the_gaps_of_a_grid_show_the_tint_and_the_tiles_their_own_greys(qtbot):
    from netbuilder.introspect import filter_grid

    widget, box, item = image_view()
    qtbot.addWidget(widget)
    widget.resize(240, 240)
    widget.show()
    qtbot.waitExposed(widget)
    weights = np.ones((4, 1, 3, 3), np.float32)
    weights[:, :, 0, 0] = 0  # each filter white but for its top-left pixel
    grid = filter_grid(weights, sep_value=np.nan)
    assert grid.shape == (7, 7) and np.isnan(grid[3]).all() and np.isnan(grid[:, 3]).all()
    show_image(item, box, grid)
    image = widget.grab().toImage()

    def colour_at(x: float, y: float) -> QColor:  # (x, y) in the grid's pixels
        point = box.mapViewToScene(QPointF(x, y))
        view = widget.mapFromScene(point)
        return image.pixelColor(view.x(), view.y())

    tint = QColor(GRID_TINT)
    gap, white, black = colour_at(3.5, 1.5), colour_at(1.5, 1.5), colour_at(0.5, 0.5)
    assert gap.rgb() == tint.rgb() and white.rgb() == QColor("white").rgb() and black.rgb() == QColor("black").rgb()
    show_image(item, box, np.zeros((5, 5), np.float32))  # no gaps: no tint
    assert not item.gap_frame.isVisible()


def test_the_sample_preview_has_tinted_gaps():
    samples = np.zeros((3, 1, 4, 4), np.float32)
    grid = sample_grid(samples, cols=2)
    assert grid.shape == (9, 9)
    assert np.isnan(grid[4]).all() and np.isnan(grid[5:, 5:]).all() and not np.isnan(grid[:4, :4]).any()


def test_the_explore_views_draw_a_grids_gaps_in_the_tint_too():
    from netbuilder.ui.explore.widgets import to_qimage

    grid = np.zeros((3, 7), np.float32)
    grid[:, 3] = np.nan
    grid[:, 4:] = 1.0
    image = to_qimage(grid)
    assert image.pixelColor(3, 1).rgb() == QColor(GRID_TINT).rgb()
    assert image.pixelColor(0, 1).rgb() == QColor("black").rgb() and image.pixelColor(5, 1).rgb() == QColor("white").rgb()


def test_the_empty_cells_after_the_last_tile_stay_clear_not_tinted(qtbot):
    """8 maps in a 3 × 3 grid: the ninth cell is not drawn in the tint (it looked like one more map, all
    blue); the gaps between tiles still are, in the training views and in the Explore views alike."""
    from netbuilder.introspect import tile
    from netbuilder.ui.explore.widgets import to_qimage

    grid = tile(np.ones((3, 4, 4), np.float32), sep_value=np.nan)
    assert grid.shape == (9, 9) and np.isnan(grid[5:, 5:]).all()  # 2 × 2: the fourth cell empty
    widget, box, item = image_view()
    qtbot.addWidget(widget)
    widget.setBackground("w")
    widget.resize(240, 240)
    widget.show()
    qtbot.waitExposed(widget)
    show_image(item, box, grid)
    image = widget.grab().toImage()

    def colour_at(x: float, y: float) -> QColor:
        view = widget.mapFromScene(box.mapViewToScene(QPointF(x, y)))
        return image.pixelColor(view.x(), view.y())

    tint = QColor(GRID_TINT).rgb()
    assert colour_at(4.5, 2.0).rgb() == tint and colour_at(2.0, 4.5).rgb() == tint  # the gaps
    assert colour_at(4.5, 7.0).rgb() == tint  # the gap left of the empty cell (a whole column of gaps)
    assert colour_at(7.0, 7.0).rgb() == QColor("white").rgb()  # the empty cell: the background, clear
    picture = to_qimage(grid)
    assert picture.pixelColor(4, 2).rgb() == tint and picture.pixelColor(2, 2).rgb() == QColor("white").rgb()
    assert picture.pixelColor(7, 7).alpha() == 0 and picture.pixelColor(4, 2).alpha() == 255
