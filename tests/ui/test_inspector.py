"""The inspector: a form from the ParamSpecs; one committed value = one SetParam."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

pytestmark = pytest.mark.gui


def test_form_follows_the_catalogue_with_bounds(window):
    window.document.select(["conv2d_1"])
    editors = window.inspector.editors
    assert list(editors) == ["filters", "kernel_size", "stride", "padding", "dilation", "groups", "depthwise", "bias"]
    assert isinstance(editors["filters"], QSpinBox) and editors["filters"].value() == 8
    assert editors["filters"].minimum() == 1
    assert isinstance(editors["padding"], QComboBox) and editors["padding"].isEditable()
    assert editors["padding"].currentText() == "same"
    assert isinstance(editors["bias"], QCheckBox)
    text = window.inspector.results.text()
    assert "8·(1·3·3) + 8 = 80" in text and "4,608" in text


def test_typing_a_number_is_one_undo_step(window, qtbot):
    doc = window.document
    doc.select(["dense_1"])
    spin = window.inspector.editors["units"]
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "64")
    assert doc.graph.node("dense_1").params["units"] == 32  # not committed while typing
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert doc.graph.node("dense_1").params["units"] == 64
    assert doc.undo_stack.count() == 1
    qtbot.waitUntil(lambda: doc.analysis.nodes["dense_1"].params == 64 * 128 + 64)
    assert "8,256" in window.inspector.results.text()
    doc.undo_stack.undo()
    assert spin.value() == 32  # the form follows undo


def test_padding_accepts_a_number_or_same_and_input_shape_edits(window, qtbot):
    doc = window.document
    doc.select(["conv2d_1"])
    combo = window.inspector.editors["padding"]
    combo.setEditText("1")
    combo.lineEdit().editingFinished.emit()
    assert doc.graph.node("conv2d_1").params["padding"] == 1
    combo.setEditText("bogus")
    combo.lineEdit().editingFinished.emit()
    assert doc.graph.node("conv2d_1").params["padding"] == 1 and doc.undo_stack.count() == 1
    doc.select(["input_1"])
    shape = window.inspector.editors["shape"]
    assert isinstance(shape, QLineEdit) and shape.text() == "1, 8, 8"
    shape.setText("3, 32, 32")
    shape.editingFinished.emit()
    assert doc.graph.node("input_1").params["shape"] == [3, 32, 32]


def test_activation_shows_a_plot_of_its_function(window):
    import numpy as np

    from netbuilder.ui.activation_plot import activation_curve

    window.document.select(["relu_1"])
    plot = window.inspector._plot
    assert plot is not None and plot.isVisible()
    x, y = plot.curve.getData()
    assert np.allclose(y, np.maximum(x, 0))
    assert activation_curve("leaky_relu", {"negative_slope": 0.1}, np.array([-2.0]))[0] == pytest.approx(-0.2)
    assert activation_curve("gelu", {}, np.array([0.0, 10.0])) == pytest.approx([0.0, 10.0])
    window.document.select(["dense_1"])
    assert not plot.isVisible()


def test_nothing_selected_explains_what_to_do(window):
    window.document.select([])
    assert "Select a layer" in window.inspector.heading.text()
    window.document.select(["dense_1", "relu_2"])
    assert "2 layers selected" in window.inspector.heading.text()


@pytest.mark.parametrize(("node", "name", "bad"), [
    ("dense_1", "units", "many"), ("conv2d_1", "kernel_size", 3.5), ("dense_1", "units", True)])
def test_a_setting_the_editor_cannot_show_is_marked_and_can_be_set_right(window, qtbot, node, name, bad):
    """A design file may hold any setting (the Problems panel names it): selecting the layer must not fail,
    the field says what the design holds, and typing the value the field shows (and Enter) commits it."""
    from netbuilder.io import design_from_dict, design_to_dict

    data = design_to_dict(window.document.design)
    next(n for n in data["nodes"] if n["id"] == node)["params"][name] = bad
    window.set_design(design_from_dict(data))
    doc = window.document
    doc.select([node])
    spin = window.inspector.editors[name]
    assert spin.property("unfit") and f"The design has {name} = " in spin.toolTip()
    shown = spin.value()
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(shown))
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert doc.graph.node(node).params[name] == shown and isinstance(shown, int)
    assert not spin.property("unfit") and "The design has" not in spin.toolTip()
    doc.undo_stack.undo()
    assert doc.graph.node(node).params[name] == bad and spin.property("unfit")


def test_a_shape_held_as_text_shows_as_the_text(window):
    from netbuilder.io import design_from_dict, design_to_dict

    data = design_to_dict(window.document.design)
    next(n for n in data["nodes"] if n["id"] == "input_1")["params"]["shape"] = "1,8,8"
    window.set_design(design_from_dict(data))
    window.document.select(["input_1"])
    field = window.inspector.editors["shape"]
    assert field.text() == "1,8,8" and "The design has shape = '1,8,8'" in field.toolTip()


def test_a_value_a_field_cannot_take_says_why(window, qtbot):
    """Red text alone said nothing of what to type: the field's tooltip (shown at once) says why, and a good
    value takes it back."""
    doc = window.document
    doc.select(["input_1"])
    shape = window.inspector.editors["shape"]
    shape.setText("0, 28, 28")
    shape.editingFinished.emit()
    assert doc.graph.node("input_1").params["shape"] == [1, 8, 8]
    assert "'0, 28, 28' is not a shape" in shape.toolTip() and "1, 28, 28" in shape.toolTip()
    assert "color" in shape.styleSheet()
    shape.setText("1, 28, 28")
    shape.editingFinished.emit()
    assert doc.graph.node("input_1").params["shape"] == [1, 28, 28]
    assert "not a shape" not in shape.toolTip() and shape.styleSheet() == ""
    doc.select(["conv2d_1"])
    combo = window.inspector.editors["padding"]
    combo.setEditText("wide")
    combo.lineEdit().editingFinished.emit()
    assert "'wide' is not a whole number nor one of: same" in combo.toolTip()
