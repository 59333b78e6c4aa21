"""The canvas reads at every zoom: semantic zoom, legible fit, collapsed groups, minimap, thumbnails.

The opening test builds the window offscreen at 1280×720 as the app opens it and asserts that every
visible box's text is at least LEGIBLE_PX tall on screen at the zoom it opens with.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from netbuilder.presets import build_preset
from netbuilder.ui.canvas.zoom import (
    BIG_MIN_PX,
    DETAIL_ZOOM,
    FIT_MAX_BOXES,
    FIT_MIN_ZOOM,
    LEGIBLE_PX,
    SUB_PX,
    TEXT_PX,
)

pytestmark = pytest.mark.gui


def open_at(window, qtbot, design, size=(1280, 720)):
    """As the app opens a design: the window at ``size``, the design set, then Fit to Window."""
    window.resize(*size)
    window.set_design(design)
    qtbot.wait(20)
    window.document.flush()
    window.view.fit()
    qtbot.wait(10)
    return window.view.zoom()


def smallest_text_on_screen(window, zoom: float) -> float:
    boxes = window.scene.visible_boxes()
    assert boxes
    return min(box.text_px(zoom) * zoom for box in boxes)


@pytest.mark.parametrize("name", ["example", "resnet18"])
def test_every_label_reads_at_the_zoom_the_window_opens_with(window, qtbot, name):
    from netbuilder.ui.app import default_example  # what the app opens: resources/examples/digits_cnn.nbd

    design = default_example() if name == "example" else build_preset(name)
    zoom = open_at(window, qtbot, design)
    assert window.width() <= 1280 and window.height() <= 720
    assert smallest_text_on_screen(window, zoom) >= LEGIBLE_PX, (name, zoom)
    # the start of the design is on screen (the input), whatever has to be scrolled to
    visible = window.view.visible_scene_rect()
    inputs = [i for i in window.scene.nodes.values() if i.kind == "input"]
    assert inputs and visible.intersects(inputs[0].sceneBoundingRect())
    # the check can fail: showing the whole design at once would make the text too small to read
    rect = window.scene.items_rect().adjusted(-40, -40, 40, 40)
    port = window.view.viewport().rect()
    whole = min(port.width() / rect.width(), port.height() / rect.height())
    if whole < FIT_MIN_ZOOM:
        assert smallest_text_on_screen(window, whole) < LEGIBLE_PX


def test_resnet18_opens_collapsed_with_each_block_one_named_box(window, qtbot):
    open_at(window, qtbot, build_preset("resnet18"))
    boxes = window.scene.visible_boxes()
    assert len(boxes) == 14
    block = window.scene.groups["layer2_0"]
    assert block.isVisible() and block.group.collapsed
    assert not window.scene.nodes["layer2_0_conv1"].isVisible()
    assert block.summary() == "64→128 · 230k params"
    assert "230k" in block.toolTip()


def test_semantic_zoom_swaps_detail_for_large_names(window):
    item = window.scene.nodes["conv2d_1"]
    assert item.text_px(1.0) == TEXT_PX and item.text_px(DETAIL_ZOOM) == TEXT_PX
    assert item.text_px(DETAIL_ZOOM * 0.99) >= BIG_MIN_PX
    assert item.text_px(FIT_MIN_ZOOM) * FIT_MIN_ZOOM >= LEGIBLE_PX
    assert item.text_px(1.0) * DETAIL_ZOOM >= LEGIBLE_PX - 1e-9


@pytest.mark.parametrize("scale", [0.05, 0.2, 0.4, 0.6, 1.0, 2.5])
def test_the_scene_paints_at_every_scale(window, scale):
    scene = window.scene
    scene.document.group_nodes(["conv2d_1", "relu_1"], "features")
    rect = scene.items_rect()
    image = QImage(QSize(max(8, int(rect.width() * scale)), max(8, int(rect.height() * scale))),
                   QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, image.rect().toRectF(), rect)
    painter.end()
    assert image.pixelColor(image.width() // 2, image.height() // 2).isValid()


class RecordingPainter(QPainter):
    """Records the text an item draws and its font's pixel size (items paint from Python)."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.texts: list[tuple[str, int]] = []

    def drawText(self, *args) -> None:  # noqa: N802
        self.texts.append((str(args[-1]), self.font().pixelSize()))
        super().drawText(*args)


def drawn_text(item, scale: float) -> list[tuple[str, int]]:
    image = QImage(QSize(400, 200), QImage.Format.Format_ARGB32)
    painter = RecordingPainter(image)
    painter.translate(200, 100)
    painter.scale(scale, scale)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    return painter.texts


def test_zoomed_out_a_node_draws_its_name_large_and_its_shape(window):
    item = window.scene.nodes["conv2d_1"]
    close = drawn_text(item, 1.0)
    assert [t for t, _ in close][0].startswith("Conv2d  conv2d_1") and len(close) == 3
    far = drawn_text(item, FIT_MIN_ZOOM)
    assert [t for t, _ in far] == ["Conv2d", "8×8×8"] and far[1][1] == SUB_PX
    assert far[0][1] >= BIG_MIN_PX and far[0][1] * FIT_MIN_ZOOM >= LEGIBLE_PX
    assert drawn_text(item, 0.1) == []  # too small to read: a coloured block, no text
    group = window.scene.groups[window.document.group_nodes(["conv2d_1", "relu_1"], "features")]
    window.scene.toggle_group(group.group_id)
    texts = drawn_text(group, FIT_MIN_ZOOM)
    assert texts[0] == ("features", texts[0][1]) and texts[0][1] >= BIG_MIN_PX
    assert texts[1][0].startswith("1→8 · 80")


def test_fit_never_zooms_past_legible_up_to_40_boxes_and_shows_the_start(window, qtbot):
    zoom = open_at(window, qtbot, build_preset("resnet34"), size=(1024, 640))
    assert len(window.scene.visible_boxes()) <= FIT_MAX_BOXES
    assert zoom == pytest.approx(FIT_MIN_ZOOM)
    top = window.scene.items_rect().top()
    assert window.view.visible_scene_rect().top() <= top
    assert window.view.minimap.isVisible()


def test_fit_shows_a_small_design_whole_at_most_at_100_percent(window, qtbot):
    window.resize(1280, 720)
    window.document.delete([n for n in window.document.graph.nodes if n not in ("input_1", "conv2d_1")])
    window.view.fit()
    assert window.view.zoom() == pytest.approx(1.0)
    assert window.view.visible_scene_rect().contains(window.scene.items_rect())
    assert not window.view.minimap.isVisible()


def test_fit_zooms_out_further_for_more_than_40_boxes(window, qtbot):
    design = build_preset("resnet18")
    for group in design.graph.groups.values():
        group.collapsed = False
    zoom = open_at(window, qtbot, design)
    assert len(window.scene.visible_boxes()) > FIT_MAX_BOXES
    assert zoom < FIT_MIN_ZOOM
    assert window.view.visible_scene_rect().contains(window.scene.items_rect())


def test_a_fitted_view_is_fitted_again_when_the_canvas_changes_size_until_the_user_moves_it(window, qtbot):
    """The docks are sized after the window opens (and a dock can be widened): the canvas narrows under a
    fitted design. Until the user zooms or scrolls, the view is fitted again (the design was left at the
    right edge of a 700 px canvas); after that, a resize keeps the user's zoom."""
    open_at(window, qtbot, build_preset("lenet5"))
    view = window.view
    width = view.viewport().width()
    view.resize(view.width() + 500, view.height())  # as the canvas was before the docks took their room
    view.fit()
    view.resize(view.width() - 500, view.height())
    design, shown = window.scene.items_rect(), view.visible_scene_rect()
    assert view.viewport().width() == width and shown.left() < design.left() and shown.right() > design.right()
    assert abs(design.center().x() - shown.center().x()) < 2
    assert shown.top() < design.top() < shown.top() + 60  # (its start, as fit shows a tall design)

    expanded = build_preset("resnet18")
    for group in expanded.graph.groups.values():
        group.collapsed = False
    open_at(window, qtbot, expanded)
    assert view.visible_scene_rect().contains(window.scene.items_rect())
    view.resize(view.width() - 150, view.height() - 100)
    assert view.visible_scene_rect().contains(window.scene.items_rect())

    view.zoom_by(2.0)  # the user's zoom: kept
    zoom = view.zoom()
    view.resize(view.width() + 150, view.height() + 100)
    assert view.zoom() == pytest.approx(zoom)


def test_double_click_expands_a_group_and_collapsing_closes_up_the_space(window, qtbot):
    open_at(window, qtbot, build_preset("resnet18"))
    doc, scene, view = window.document, window.scene, window.view
    height = scene.items_rect().height()
    box = scene.groups["layer1_0"]
    view.centerOn(box.rect.center())
    qtbot.wait(10)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                      view.mapFromScene(box.rect.center()))
    qtbot.wait(20)
    assert not doc.graph.groups["layer1_0"].collapsed
    assert doc.undo_stack.undoText() == "expand layer1_0"
    assert scene.nodes["layer1_0_conv1"].isVisible()
    opened = scene.items_rect().height()
    assert opened > height + 4 * 60  # the block's rows made room for themselves
    frame = box.rect
    for item in scene.visible_boxes():  # nothing else sits inside the opened frame
        if item.isVisible() and getattr(item, "node_id", None) not in doc.graph.groups["layer1_0"].nodes:
            if item is not box:
                assert not frame.intersects(item.sceneBoundingRect().adjusted(4, 4, -4, -4)), item
    scene.toggle_group("layer1_0")  # collapsing again closes up the space
    assert scene.items_rect().height() == pytest.approx(height, abs=1)
    assert doc.undo_stack.undoText() == "collapse layer1_0"
    doc.undo_stack.undo()
    assert scene.items_rect().height() == pytest.approx(opened, abs=1)
    doc.undo_stack.undo()
    assert doc.graph.groups["layer1_0"].collapsed
    assert scene.items_rect().height() == pytest.approx(height, abs=1)


def test_minimap_renders_only_when_the_scene_changes_and_moves_the_view(window, qtbot):
    open_at(window, qtbot, build_preset("resnet18"))
    minimap = window.view.minimap
    qtbot.wait(300)
    assert minimap.isVisible()
    minimap.grab()
    renders = minimap.renders
    bar = window.view.verticalScrollBar()
    for value in (bar.minimum(), bar.maximum(), (bar.minimum() + bar.maximum()) // 2):
        bar.setValue(value)
        minimap.grab()
    assert minimap.renders == renders  # scrolling moves the rectangle only
    before = window.view.visible_scene_rect().center()
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(minimap.width() // 2, minimap.height() - 3))
    after = window.view.visible_scene_rect().center()
    assert after.y() > before.y() or bar.value() == bar.maximum()
    window.document.set_param("fc", "units", 10)
    qtbot.wait(300)
    minimap.grab()
    assert minimap.renders == renders + 1


def test_render_design_thumbnail_draws_the_design_collapsed(qapp):
    from netbuilder.ui.diagram import render_design_thumbnail

    design = build_preset("resnet18")
    before = design.graph.to_dict()
    image = render_design_thumbnail(design, QSize(320, 200))
    assert image.size() == QSize(320, 200)
    assert design.graph.to_dict() == before  # the design is not touched
    colours = {image.pixel(x, y) for x in range(0, 320, 4) for y in range(0, 200, 4)}
    assert len(colours) > 3  # something was drawn
    wide = render_design_thumbnail(design, (480, 160), direction="LR")
    assert wide.size() == QSize(480, 160)


@pytest.mark.parametrize("zoom", [FIT_MIN_ZOOM, 0.55, DETAIL_ZOOM, 1.0, 2.0])
def test_a_health_badge_reads_at_every_zoom_beside_the_shape(window, zoom):
    """The health check's badge ("∇0.07", "12% dead") is at least LEGIBLE_PX tall on screen, whole and
    inside its box; the output shape beside it is whole and clear of it, or (zoomed out, where both do not
    fit) not shown. A fixed 10 px badge was 4 px on screen in the Explore canvas, over the shape."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetricsF

    from netbuilder.ui.canvas.zoom import detailed, font
    from netbuilder.ui.layout import NODE_H, NODE_W

    rect = QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H)
    item = window.scene.nodes["conv2d_1"]
    shape = "×".join(map(str, item.shape_out))
    shown_shapes = 0
    for text, frozen in (("∇0.07", False), ("12% dead", False), ("∇3.1e-05", True)):
        item.set_frozen(frozen)
        item.set_health(("ok", text))
        badge_font, place, shown = item._badge(zoom, rect)
        assert badge_font.pixelSize() * zoom >= LEGIBLE_PX - 0.5, text
        assert rect.contains(place) and shown == text, text
        assert QFontMetricsF(badge_font).horizontalAdvance(shown) <= place.width(), text
        left = rect.left() + (14 if detailed(zoom) else 16)
        if detailed(zoom):
            line, line_font = "→ " + shape, font(TEXT_PX)
        else:
            line_font = font(SUB_PX)
            line = item.overview_line(False, line_font, place.left() - left, True)
            assert line in ("", shape), (text, zoom)
        if line:
            shown_shapes += 1
            assert left + QFontMetricsF(line_font).horizontalAdvance(line) < place.left(), (text, zoom)
        item.set_health(None)
        item.set_frozen(False)
    assert shown_shapes > 0 or zoom < 0.5  # from a middling zoom up the shape stays beside the badge


def test_the_minimap_keeps_off_the_layer_boxes(window, qtbot):
    """A box under the minimap's corner sends it to the other bottom corner; a box under each corner
    leaves it where it was, drawn faint (the boxes show through) until the pointer is over it."""
    from netbuilder.ui.app import default_example
    from netbuilder.ui.canvas.minimap import FAINT

    open_at(window, qtbot, default_example(), size=(1024, 640))  # a column of boxes
    view, minimap = window.view, window.view.minimap
    view.scale(2.0, 2.0)  # (closer: the design no longer fits, the minimap shows)
    view.centerOn(window.scene.items_rect().center())  # the column down the middle, clear of both corners
    minimap.reposition()
    assert minimap.isVisible() and not minimap.covering
    origin = view.viewport().geometry().topLeft()

    def box_under(geometry) -> tuple[float, float]:
        centre = view.mapToScene(geometry.center() - origin)
        return centre.x() - 40, centre.y()

    first, corner = minimap.geometry(), minimap.corner
    one, other = list(window.document.graph.nodes)[:2]
    window.document.move({one: box_under(first)})
    window.document.flush()
    minimap.reposition()
    second = minimap.geometry()
    assert minimap.corner == 1 - corner and second.left() != first.left() and not minimap.covering
    assert minimap._covers_boxes(first.translated(-origin)) and not minimap._covers_boxes(second.translated(-origin))
    window.document.move({other: box_under(second)})
    window.document.flush()
    minimap.reposition()
    assert minimap.corner == 1 - corner and minimap.covering  # nowhere free: it stays, faint

    painted = []

    class Spy(QPainter):
        def drawPixmap(self, *args):  # noqa: N802
            painted.append(self.opacity())
            super().drawPixmap(*args)

    import netbuilder.ui.canvas.minimap as module
    original, module.QPainter = module.QPainter, Spy
    try:
        minimap.grab()
        minimap._hovered = True
        minimap.grab()
    finally:
        module.QPainter = original
    assert painted[0] == pytest.approx(FAINT) and painted[-1] == pytest.approx(1.0)


def test_open_group_frames_keep_their_names_told_apart(window):
    """AlexNet's five frames all read "▾ convolution …": the name now stays whole (or cut in the middle)."""
    from netbuilder.presets import build_preset
    from netbuilder.ui.canvas.zoom import font

    window.set_design(build_preset("alexnet"))
    for gid in list(window.document.graph.groups):
        window.document.set_collapsed(gid, False)
    f = font(13, True, window.font())
    titles = [item.frame_title(f, item.rect.width() - 20) for item in window.scene.groups.values()]
    assert len(set(titles)) == len(titles) and "▾ convolution 3" in titles
