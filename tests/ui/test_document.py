"""The Document: the single writer; every change one undo step; analysis coalesced."""

import pytest

from netbuilder.graph import CycleError, Edge, PortTakenError

pytestmark = pytest.mark.gui


@pytest.fixture
def bare_doc(qapp, example):
    from netbuilder.ui.document import Document
    from netbuilder.ui.main_window import with_layout

    return Document(with_layout(example))


def test_undo_and_redo_every_kind_of_edit(bare_doc, qtbot):
    doc = bare_doc
    g = doc.graph
    states = [g.to_dict()]

    def did(ok=True):
        assert ok is not False
        states.append(g.to_dict())
        assert states[-1] != states[-2]

    did(doc.add_node("dense", (300, 40)))                          # add
    did(doc.connect_nodes("flatten_1", "dense_3"))                 # connect
    did(doc.disconnect_edge(Edge("flatten_1", "dense_3", 0)))      # disconnect
    did(doc.move({"dense_3": (500.0, 60.0)}))                      # move
    did(doc.set_param("conv2d_1", "filters", 16))                  # setting
    did(doc.delete(["dense_3"]))                                   # delete
    did(doc.move({"relu_1": (900.0, 900.0), "flatten_1": (-300.0, 10.0)}))  # a drag of two nodes
    did(doc.auto_layout())                                         # layout
    did(doc.paste({"format": "netbuilder-subgraph/1",
                   "nodes": [g.node("relu_1").to_dict()], "edges": [], "groups": []}))  # paste
    did(doc.group_nodes(["conv2d_1", "relu_1"], "block") is not None)  # group
    did(doc.set_collapsed("block_1", True))                        # collapse
    did(doc.append("batchnorm2d", "conv2d_1"))                     # insert between
    stack = doc.undo_stack
    assert stack.count() == len(states) - 1
    for i in range(len(states) - 1, 0, -1):
        assert g.to_dict() == states[i]
        stack.undo()
    assert g.to_dict() == states[0]
    assert stack.isClean()
    for i in range(1, len(states)):
        stack.redo()
        assert g.to_dict() == states[i]


def test_repeated_settings_merge_into_one_step(bare_doc):
    doc = bare_doc
    doc.set_param("dense_1", "units", 40)
    doc.set_param("dense_1", "units", 50)
    doc.set_param("dense_1", "bias", False)
    assert doc.undo_stack.count() == 2
    assert doc.undo_stack.undoText() == "set dense_1.bias = False"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.graph.node("dense_1").params["units"] == 32
    assert doc.set_param("dense_1", "units", 32) is False  # unchanged: no step


def test_refused_edits_change_nothing(bare_doc):
    doc = bare_doc
    before = doc.graph.to_dict()
    with pytest.raises(CycleError):
        doc.connect_nodes("dense_2", "conv2d_1", 1)
    with pytest.raises(PortTakenError):
        doc.connect_nodes("input_1", "relu_1")
    assert doc.graph.to_dict() == before and doc.undo_stack.count() == 0


def test_one_edit_batch_is_one_analysis(bare_doc, qtbot):
    doc = bare_doc
    seen = []
    doc.analysis_updated.connect(seen.append)
    doc.append("dropout", "dense_1")  # a compound edit: several graph events
    assert seen == []
    qtbot.waitUntil(lambda: len(seen) == 1)
    qtbot.wait(20)
    assert len(seen) == 1 and "dropout_1" in seen[0].nodes


def test_selection_follows_removals_and_direction_is_undoable(bare_doc, qtbot):
    doc = bare_doc
    got = []
    doc.selection_changed.connect(got.append)
    doc.select(["dense_1", "relu_2"])
    doc.delete(["relu_2"])
    assert doc.selection == ["dense_1"] and got[-1] == ["dense_1"]
    y = doc.graph.node("output_1").pos
    doc.set_direction("LR")
    assert doc.design.layout["direction"] == "LR" and doc.graph.node("output_1").pos != y
    doc.undo_stack.undo()
    assert doc.direction == "TB" and doc.graph.node("output_1").pos == y


def test_unsaved_weights_count_as_unsaved_changes(bare_doc, example):
    doc = bare_doc
    told = []
    doc.file_changed.connect(lambda: told.append(doc.is_modified))
    assert not doc.is_modified
    doc.set_weights_unsaved(True)  # trained since the file was saved: no undo step, yet unsaved
    assert doc.is_modified and not doc.design_modified and doc.undo_stack.count() == 0 and told == [True]
    doc.set_weights_unsaved(True)
    assert told == [True]  # (said once)
    doc.set_weights_unsaved(False)
    assert not doc.is_modified and told == [True, False]
    doc.set_weights_unsaved(True)
    doc.set_design(example)  # another design: nothing of the old one's weights waits
    assert not doc.is_modified
