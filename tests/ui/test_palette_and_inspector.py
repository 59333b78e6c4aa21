"""The palette and the inspector read the catalogue: a double-click adds one layer, the search finds a
layer by its other names, and a setting whose minimum means something else says so (pooling stride 0)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_double_clicking_a_palette_item_adds_exactly_one_node(window, qtbot):
    palette, doc = window.palette_view, window.document
    window.palette_view.parentWidget().show()
    assert palette.tree.isVisible()
    doc.select(["dense_1"])
    before = len(doc.graph.nodes)
    emitted: list[str] = []
    palette.kind_activated.connect(emitted.append)
    item = palette.items["dropout"]
    palette.tree.scrollToItem(item)
    rect = palette.tree.visualItemRect(item)
    # as a real double-click: press, release, then the double-click event (the view needs the press)
    qtbot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert emitted == ["dropout"]
    assert len(doc.graph.nodes) == before + 1
    assert sum(n.kind == "dropout" for n in doc.graph.iter_nodes()) == 1


@pytest.mark.parametrize("query, kind", [("Linear", "dense"), ("fully connected", "dense"), ("FC", "dense"),
                                         ("Conv", "conv2d"), ("BatchNorm", "batchnorm2d"), ("bn", "batchnorm1d"),
                                         ("max pooling", "maxpool2d"), ("swish", "silu"),
                                         ("concatenate", "concat"), ("residual", "add")])
def test_the_palette_search_finds_other_names(window, query, kind):
    palette = window.palette_view
    palette.search.setText(query)
    assert kind in palette.visible_kinds()
    if query == "Linear":
        assert palette.visible_kinds()[0] == "dense"


@pytest.mark.parametrize("typo, kind", [("dropuot", "dropout"), ("flaten", "flatten"), ("maxpol", "maxpool2d"),
                                        ("sigmiod", "sigmoid")])
def test_a_typo_still_finds_the_layer_when_nothing_matches_exactly(window, typo, kind):
    palette = window.palette_view
    palette.search.setText(typo)
    assert kind in palette.visible_kinds()
    palette.search.setText("zzzz")  # nothing near it: nothing shown
    assert palette.visible_kinds() == []
    palette.search.setText("relu")  # an exact match shows no near ones beside it
    assert set(palette.visible_kinds()) <= {"relu", "relu6", "leaky_relu", "gelu", "silu"}


def test_enter_in_the_search_adds_the_first_match_once(window, qtbot):
    palette = window.palette_view
    emitted: list[str] = []
    palette.kind_activated.connect(emitted.append)
    palette.search.setText("linear")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert emitted == ["dense"]


def test_aliases_are_catalogue_data():
    from netbuilder.layers import ALIASES, aliases_of, has_kind

    assert all(has_kind(kind) for kind in ALIASES)
    assert {"linear", "fully connected", "fc"} <= set(aliases_of("dense"))
    assert "concatenate" in aliases_of("concat")  # an old (deprecated) name counts too


def test_pooling_stride_zero_says_same_as_kernel(window):
    from PySide6.QtWidgets import QSpinBox

    from netbuilder.layers import get_spec

    assert get_spec("maxpool2d").param_index["stride"].special == "same as kernel"
    doc = window.document
    node = next(n.id for n in doc.graph.iter_nodes() if n.kind == "maxpool2d")
    doc.select([node])
    spin = window.inspector.editors["stride"]
    assert isinstance(spin, QSpinBox) and spin.value() == 0
    assert spin.text() == "same as kernel" and "0 = same as kernel" in spin.toolTip()
    spin.setValue(1)
    assert spin.text() == "1" and doc.graph.node(node).params["stride"] == 1
    assert window.inspector.editors["kernel_size"].specialValueText() == ""  # only where the catalogue says
