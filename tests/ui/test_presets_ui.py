"""Every preset opens in the window (one item per node, laid out); the gallery shows each preset as a
picture and fits the chosen one to a dataset."""

import pytest

from netbuilder.presets import build_preset, list_presets

pytestmark = pytest.mark.gui


@pytest.mark.slow
@pytest.mark.parametrize("name", [info.name for info in list_presets()])
def test_every_preset_opens(window, name):
    window.set_design(build_preset(name))
    doc = window.document
    assert set(window.scene.nodes) == set(doc.graph.nodes)
    assert len(window.scene.edges) == len(doc.graph.edges)
    scene = window.scene
    boxes = [i for i in scene.nodes.values() if i.isVisible()]
    boxes += [i for i in scene.groups.values() if i.group.collapsed]
    centres = {(round(c.x()), round(c.y())) for c in (b.sceneBoundingRect().center() for b in boxes)}
    assert len(centres) == len(boxes)  # no two visible boxes on one spot (collapsed members hide)
    assert doc.analysis.valid, [str(d) for d in doc.analysis.errors]
    assert not doc.is_modified


def test_a_preset_opens_laid_out(window):
    window.set_design(build_preset("lenet5"))
    scene, graph = window.scene, window.document.graph
    assert set(scene.nodes) == set(graph.nodes)
    for e in graph.edges:
        assert graph.node(e.src).pos[1] < graph.node(e.dst).pos[1]


def test_gallery_lists_presets_and_fits_to_a_dataset(window, qtbot):
    from netbuilder.ui.presets_dialog import PresetGallery, stats_text

    dialog = PresetGallery(window)
    qtbot.addWidget(dialog)
    assert dialog.grid.names() == [info.name for info in list_presets()]
    dialog.select("lenet5")
    assert dialog.selected_name() == "lenet5"
    assert "LeNet" in dialog.detail.text() and "1998" in dialog.detail.text()
    assert "parameters" in stats_text("lenet5") and "?" not in stats_text("lenet5")
    dialog.fit_box.setChecked(True)
    dialog.shape_edit.setText("3, 32, 32")
    dialog.classes.setValue(7)
    dialog.accept()
    design = dialog.design
    assert design is not None
    inputs = [n for n in design.graph.iter_nodes() if n.kind == "input"]
    assert inputs[0].params["shape"] == [3, 32, 32]


def test_gallery_shows_each_architecture_as_a_picture(window, qtbot):
    from PySide6.QtCore import QRect

    from netbuilder.ui.presets_dialog import PresetGallery
    from netbuilder.ui.thumbnails import PICTURE_H, drawn_fraction, preset_pictures

    dialog = PresetGallery(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    grid = dialog.grid
    shown = grid.visible_names()
    assert len(shown) >= 3
    cache = preset_pictures()
    qtbot.waitUntil(lambda: all(grid.delegate.key(n) in cache.images for n in shown), timeout=10_000)
    qtbot.wait(20)
    image = grid.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    for row in range(3):
        card = grid.visualRect(grid.model().index(row, 0))
        picture = QRect(card.left() + 8, card.top() + 8, card.width() - 16, PICTURE_H - 6)
        crop = image.copy(QRect(*(round(v * ratio) for v in picture.getRect())))
        colours = {crop.pixel(x, y) for x in range(0, crop.width(), 2) for y in range(0, crop.height(), 2)}
        assert drawn_fraction(crop) > 0.05 and len(colours) > 12, grid.names()[row]  # a diagram, not a blank
    dialog.grid.chosen.emit("mlp")  # a double-click or Enter on a card accepts it
    assert dialog.result() and dialog.design is not None and dialog.design.meta["preset"] == "mlp"


def test_gallery_shows_why_a_fit_fails(window, qtbot):
    from netbuilder.ui.presets_dialog import PresetGallery

    dialog = PresetGallery(window)
    qtbot.addWidget(dialog)
    dialog.select("lenet5")
    dialog.fit_box.setChecked(True)
    dialog.shape_edit.setText("3, a, 4")
    dialog.accept()
    assert dialog.design is None and "input shape" in dialog.error.text()
    dialog.shape_edit.setText("1, 2, 2")
    dialog.accept()
    assert dialog.design is None and dialog.error.text()
