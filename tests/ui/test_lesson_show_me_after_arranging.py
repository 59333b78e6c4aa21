"""Arranging a design a Show me opened (opening a block to see inside it, moving a layer) is not an edit of
the network: the next Show me replaces it without asking to save it. Before, lesson 8's "open ResNet-18,
each Add joins a block's input to its output" led the student to open a residual block, and the next step's
Show me asked "Save the changes to resnet18?". An edit of a layer still makes the design the student's."""

from __future__ import annotations

from netbuilder.graph.edits import AddNode, Compound, MoveNodes, UpdateGroup
from netbuilder.graph.model import Node


def test_arranging_leaves_a_design_the_lessons(window, qtbot):
    lc = window.lessons
    doc, files = window.document, window.files
    asked = []
    files.ask_unsaved = lambda: "discard"  # (the window's own example)
    assert lc.open_lesson("architectures")
    lc.go(2)
    lc.show_me()  # ResNet-18, its blocks collapsed
    files.ask_unsaved = lambda: asked.append(doc.design.name) or "cancel"
    block = next(g.id for g in doc.graph.groups.values() if g.collapsed)
    assert doc.set_collapsed(block, False)  # the student looks inside a residual block
    first = next(iter(doc.graph.nodes))
    x, y = doc.graph.node(first).pos
    doc.move({first: (x + 40, y)})
    lc.go(3)
    lc.show_me()  # GoogLeNet, without a question
    assert asked == [] and any(n.kind == "concat" for n in doc.graph.nodes.values())
    conv = next(n.id for n in doc.graph.nodes.values() if n.kind == "conv2d")
    doc.set_param(conv, "out_channels", 32)  # the student's own edit: the design is theirs now
    lc.go(4)
    lc.show_me()
    assert len(asked) == 1 and doc.graph.node(conv).params["out_channels"] == 32  # asked; Cancel kept it


def test_which_edits_only_arrange():
    move = MoveNodes({"a": (0.0, 0.0)})
    expand = UpdateGroup("g", {"collapsed": False})
    assert move.arranges_only and expand.arranges_only and Compound([expand, move]).arranges_only
    assert not UpdateGroup("g", {"name": "block"}).arranges_only
    assert not Compound([move, AddNode(Node("x", "relu"))]).arranges_only
