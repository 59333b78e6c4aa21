"""Every preset opens in the window (one item per node, laid out); the gallery fits to a dataset."""

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
    assert len({tuple(n.pos) for n in doc.graph.iter_nodes()}) == len(doc.graph)  # no two on one spot
    assert doc.analysis.valid, [str(d) for d in doc.analysis.errors]
    assert not doc.is_modified


def test_a_preset_opens_laid_out(window):
    window.set_design(build_preset("lenet5"))
    scene, graph = window.scene, window.document.graph
    assert set(scene.nodes) == set(graph.nodes)
    for e in graph.edges:
        assert graph.node(e.src).pos[1] < graph.node(e.dst).pos[1]


def test_gallery_lists_presets_and_fits_to_a_dataset(window, qtbot):
    from netbuilder.ui.presets_dialog import PresetGallery

    dialog = PresetGallery(window)
    qtbot.addWidget(dialog)
    assert dialog.list.topLevelItemCount() == len(list_presets())
    dialog.select("lenet5")
    first = dialog.list.currentItem()
    assert first.text(1).isdigit() and first.text(2) not in ("", "?")
    assert "LeNet" in dialog.detail.text()
    dialog.fit_box.setChecked(True)
    dialog.shape_edit.setText("3, 32, 32")
    dialog.classes.setValue(7)
    dialog.accept()
    design = dialog.design
    assert design is not None
    inputs = [n for n in design.graph.iter_nodes() if n.kind == "input"]
    assert inputs[0].params["shape"] == [3, 32, 32]


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
