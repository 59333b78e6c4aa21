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


DIGITS = ({"name": "digits"}, {"name": "digits", "input_shape": [1, 8, 8], "class_names": [str(i) for i in range(10)]})
LISTED = [{"name": "digits", "input_shape": [1, 8, 8], "classes": 10, "available": True, "description": "UCI digits"},
          {"name": "shapes", "input_shape": [1, 28, 28], "classes": 6, "available": True, "description": "shapes"},
          {"name": "cifar10", "input_shape": [3, 32, 32], "classes": 10, "available": False, "description": "CIFAR"}]


def test_fit_offers_the_open_data_first_and_binds_the_design_to_it(window, qtbot):
    """Lesson 8 asks for the teaching-size ResNet on the digits: ticking "Fit to a dataset" showed the
    preset's own 3, 32, 32 and 10 classes, to be replaced by hand with a shape the student had to know,
    and the design came without a dataset. Now the data open now is offered and chosen, its shape filled in,
    and the design trains on it at once; another dataset fills its own shape; a shape typed in binds none."""
    from netbuilder.ui.presets_dialog import OTHER_SHAPE, PresetGallery

    dialog = PresetGallery(window, LISTED, DIGITS)
    qtbot.addWidget(dialog)
    box = dialog.data_box
    assert [box.itemText(i) for i in range(box.count())] == [
        "digits — 1×8×8, 10 classes (open now)", "shapes — 1×28×28, 6 classes",
        "cifar10 — 3×32×32, 10 classes (download)", OTHER_SHAPE]
    dialog.select("resnet_cifar")
    assert dialog.shape_edit.text() == "1, 8, 8" and dialog.classes.value() == 10  # (not the preset's 3, 32, 32)
    dialog.fit_box.setChecked(True)
    dialog.accept()
    design = dialog.design
    assert design.dataset == {"name": "digits"} and design.meta["preset"] == "resnet_cifar"
    assert next(n for n in design.graph.iter_nodes() if n.kind == "input").params["shape"] == [1, 8, 8]
    box.setCurrentIndex(1)
    assert dialog.shape_edit.text() == "1, 28, 28" and dialog.classes.value() == 6
    dialog.classes.setValue(7)  # edited away from shapes': a shape of its own
    assert box.currentText() == OTHER_SHAPE
    dialog.accept()
    assert dialog.design.dataset == {} and dialog.design is not design
    dialog.select("lenet5")  # another card, a shape typed in: the card's own shape again
    assert dialog.shape_edit.text() == "1, 28, 28" and dialog.classes.value() == 10


def test_new_from_preset_offers_the_window_s_open_data(window, qtbot, monkeypatch):
    from netbuilder.ui.presets_dialog import PresetGallery

    wb = window.workbench
    monkeypatch.setattr(wb, "dataset", DIGITS[1])
    monkeypatch.setattr(wb, "dataset_spec", {"name": "digits"})
    seen = []

    def choose(dialog):
        seen.append((dialog.data_box.currentText(), dialog.selected_name()))
        dialog.select("resnet_cifar")
        dialog.fit_box.setChecked(True)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(PresetGallery, "exec", choose)
    window.files.ask_unsaved = lambda: "discard"
    window.new_from_preset()
    assert seen[0][0] == "digits — 1×8×8, 10 classes (open now)"
    assert window.document.design.dataset == {"name": "digits"} and not window.workbench.misfit()
    window.new_from_preset()
    assert seen[1][1] == "resnet_cifar"  # the open preset's card is the one chosen
