"""The inspector's group form: shown when the selection is exactly one group (its collapsed box, or all
of its members); the name is renamed as one undo step, a bad name is refused in red."""

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def resnet(window):
    from netbuilder.presets import build_preset

    window.set_design(build_preset("resnet18"))
    window.document.flush()
    return window


def _select_box(window, group_id):
    scene = window.view.scene()
    scene.clearSelection()
    scene.groups[group_id].setSelected(True)


def test_a_selected_collapsed_box_shows_the_group_form(resnet):
    ins = resnet.inspector
    _select_box(resnet, "layer2_0")
    assert resnet.document.selection and ins.group_id == "layer2_0"
    assert ins.group_box.isVisible() and not ins.settings.isVisible()
    assert "layers selected" not in ins.heading.text() and "residual block" in ins.heading.text()
    assert ins.group_name.text() == "residual block"
    values = {k: v.text() for k, v in ins.group_values.items()}
    analysis = resnet.document.analysis
    members = resnet.document.graph.groups["layer2_0"].nodes
    assert values == {
        "id": "layer2_0",
        "layers": "9",
        "shapes": "64×56×56 → 128×28×28",
        "params": f"{sum(analysis.nodes[n].params for n in members):,}",
        "macs": f"{sum(analysis.nodes[n].macs for n in members):,}",
    }
    assert values["params"] == "230,144"
    assert ins.group_toggle.text() == "Expand"


def test_exactly_the_members_show_the_group_form_and_others_do_not(window):
    doc, ins = window.document, window.inspector
    gid = doc.group_nodes(["conv2d_1", "relu_1"], "stem")
    doc.select(["conv2d_1", "relu_1"])
    assert ins.group_id == gid and ins.group_box.isVisible()
    assert ins.group_values["shapes"].text() == "1×8×8 → 8×8×8"
    assert ins.group_values["params"].text() == "80" and ins.group_values["macs"].text() == "4,608"
    assert ins.group_toggle.text() == "Collapse"
    doc.select(["conv2d_1", "relu_1", "maxpool2d_1"])  # more than the group
    assert ins.group_id is None and not ins.group_box.isVisible()
    assert "3 layers selected" in ins.heading.text()
    doc.select(["conv2d_1"])  # one member of an open group: that layer's settings
    assert ins.group_id is None and ins.node_id == "conv2d_1" and "filters" in ins.editors
    doc.select(["conv2d_1", "relu_1"])
    assert ins.group_id == gid
    doc.select([])
    assert ins.group_id is None and not ins.group_box.isVisible()


def test_grouping_the_selection_turns_the_form_into_the_group_form(window):
    doc, ins = window.document, window.inspector
    doc.select(["dense_1", "relu_2"])
    assert ins.group_id is None
    gid = doc.group_nodes(["dense_1", "relu_2"], "hidden")
    assert ins.group_id == gid and ins.group_name.text() == "hidden"
    doc.undo_stack.undo()  # the group is gone: back to "2 layers selected."
    assert ins.group_id is None and "2 layers selected" in ins.heading.text()


def test_renaming_is_one_undo_step_and_the_box_follows(resnet, qtbot):
    doc, ins = resnet.document, resnet.inspector
    _select_box(resnet, "layer1_0")
    count = doc.undo_stack.count()
    field = ins.group_name
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "first block")
    assert doc.graph.groups["layer1_0"].name == "residual block"  # not while typing
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.graph.groups["layer1_0"].name == "first block"
    assert doc.undo_stack.count() == count + 1
    field.editingFinished.emit()  # a focus-out after Enter: nothing more
    assert doc.undo_stack.count() == count + 1
    box = resnet.view.scene().groups["layer1_0"]
    assert box.toolTip().startswith("first block (layer1_0)")  # the box was refreshed with the new name
    doc.undo_stack.undo()
    assert doc.graph.groups["layer1_0"].name == "residual block"
    assert field.text() == "residual block"  # the form follows undo
    assert box.toolTip().startswith("residual block (layer1_0)")
    doc.undo_stack.redo()
    assert field.text() == "first block"


def test_document_rename_group(window):
    from netbuilder.graph import GraphError

    doc = window.document
    gid = doc.group_nodes(["conv2d_1", "relu_1"], "stem")
    count = doc.undo_stack.count()
    assert doc.rename_group(gid, "  features ") is True
    assert doc.graph.groups[gid].name == "features" and doc.undo_stack.count() == count + 1
    assert doc.undo_stack.undoText() == f"rename {gid}"
    assert doc.rename_group(gid, "features") is False and doc.undo_stack.count() == count + 1
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(GraphError):
            doc.rename_group(gid, bad)
    with pytest.raises(GraphError):
        doc.rename_group("nope", "x")
    assert doc.graph.groups[gid].name == "features" and doc.undo_stack.count() == count + 1


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201])
def test_a_bad_name_is_refused_in_red(resnet, bad):
    from netbuilder.io import limits

    doc, ins = resnet.document, resnet.inspector
    _select_box(resnet, "stem")
    count = doc.undo_stack.count()
    ins.group_name.setText(bad)
    ins.group_name.editingFinished.emit()
    assert doc.graph.groups["stem"].name == "stem" and doc.undo_stack.count() == count
    assert ins.group_name.property("unfit")
    tip = ins.group_name.toolTip()
    assert ("name" in tip) and (str(limits.MAX_NAME) in tip if bad.strip() else True)
    ins.group_name.setText("x" * limits.MAX_NAME)  # the longest allowed name
    ins.group_name.editingFinished.emit()
    assert doc.graph.groups["stem"].name == "x" * limits.MAX_NAME
    assert not ins.group_name.property("unfit") and doc.undo_stack.count() == count + 1


def test_the_button_expands_and_collapses_and_the_form_stays(resnet, qtbot):
    doc, ins = resnet.document, resnet.inspector
    _select_box(resnet, "layer3_0")
    count = doc.undo_stack.count()
    qtbot.mouseClick(ins.group_toggle, Qt.MouseButton.LeftButton)
    assert not doc.graph.groups["layer3_0"].collapsed and doc.undo_stack.count() == count + 1
    assert ins.group_id == "layer3_0" and ins.group_toggle.text() == "Collapse"
    qtbot.mouseClick(ins.group_toggle, Qt.MouseButton.LeftButton)
    assert doc.graph.groups["layer3_0"].collapsed and doc.undo_stack.count() == count + 2
    assert ins.group_id == "layer3_0" and ins.group_toggle.text() == "Expand"
    doc.undo_stack.undo()
    assert not doc.graph.groups["layer3_0"].collapsed and ins.group_toggle.text() == "Collapse"


def test_screenshot_of_the_group_form(resnet, tmp_path):
    """Grabs the window at 1280×720 with the group form, then with a refused name (set
    NETBUILDER_SHOT_DIR to keep the pictures)."""
    import os
    from pathlib import Path

    folder = Path(os.environ.get("NETBUILDER_SHOT_DIR") or tmp_path)
    resnet.resize(1280, 720)
    _select_box(resnet, "layer2_0")
    resnet.document.flush()
    assert resnet.grab().save(str(folder / "group_form.png"))
    resnet.inspector.group_name.setText("")
    resnet.inspector.group_name.editingFinished.emit()
    assert resnet.grab().save(str(folder / "group_form_refused.png"))


def test_the_heading_shows_the_name(resnet):
    _select_box(resnet, "layer4_1")
    resnet.document.rename_group("layer4_1", "last <block>")
    heading = resnet.inspector.heading.text()
    assert "last &lt;block&gt;" in heading and "layer4_1" in heading and "7 layers" in heading
