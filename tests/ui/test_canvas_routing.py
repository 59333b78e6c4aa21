"""Connections go round the boxes in their way: a residual block's skip runs in a lane beside its layers
(not along their edges, where it read as their border), a longer skip further out than a shorter one; a
layer dragged into a connection's way is gone round once it stops; and opening a group of a large design
routes each connection a few times, not once per layer moved (DenseNet's blocks took seconds to open)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF

from netbuilder.ui.canvas.routing import BoxIndex, route

pytestmark = pytest.mark.gui

CHAIN = [QRectF(-88, 60 + 96 * i, 176, 64) for i in range(4)]  # four layers between the skip's ends


def inside(path, boxes) -> list[QRectF]:
    points = [path.pointAtPercent(i / 200) for i in range(201)]
    return [r for r in boxes if any(r.adjusted(1, 1, -1, -1).contains(p) for p in points)]


def routed(qtbot, scene) -> None:
    """Wait for the connections to be routed again (once the boxes stopped moving: the scene's timer)."""
    assert scene._reroute.isActive()
    qtbot.waitUntil(lambda: not scene._reroute.isActive(), timeout=10_000)


def finder(boxes, horizontal=False):
    index = BoxIndex(((r, f"n{i}") for i, r in enumerate(boxes)), horizontal)
    return lambda rect: index.in_rect(rect, set())


def test_a_skip_goes_round_the_layers_it_passes_in_a_lane_beside_them():
    a, b = QPointF(0, 20), QPointF(0, 460)
    path = route(a, b, False, finder(CHAIN))
    assert inside(path, CHAIN) == [] and path.pointAtPercent(0) == a and path.pointAtPercent(1) == b
    lane = path.pointAtPercent(0.5).x()
    assert lane > 88 + 10 or lane < -88 - 10  # beside the boxes, with room: not along their edges
    plain = route(a, b, False, finder([]))  # nothing in the way: the plain curve
    assert plain.elementCount() == 4 and inside(plain, CHAIN) == CHAIN
    shorter = route(QPointF(0, 140), QPointF(0, 332), False, finder(CHAIN))  # past the middle two only
    assert abs(shorter.pointAtPercent(0.5).x()) < abs(lane)  # a long skip goes round a short one


def test_a_connection_along_the_boxes_edge_goes_round_them_too():
    """Drawn just beside the boxes it read as their border (a residual block laid out left to right)."""
    path = route(QPointF(92, 20), QPointF(92, 460), False, finder(CHAIN))
    assert path.elementCount() > 4 and path.pointAtPercent(0.5).x() >= 88 + 16
    clear = route(QPointF(130, 20), QPointF(130, 460), False, finder(CHAIN))  # well clear of them: as it was
    assert clear.elementCount() == 4


def test_the_lane_is_on_the_nearer_side_and_left_to_right_too():
    right = route(QPointF(60, 20), QPointF(60, 460), False, finder(CHAIN))
    assert right.pointAtPercent(0.5).x() > 88
    left = route(QPointF(-60, 20), QPointF(-60, 460), False, finder(CHAIN))
    assert left.pointAtPercent(0.5).x() < -88
    across = [QRectF(r.y(), r.x(), r.height(), r.width()) for r in CHAIN]  # the same chain laid out LR
    path = route(QPointF(20, 0), QPointF(460, 0), True, finder(across, horizontal=True))
    assert inside(path, across) == [] and abs(path.pointAtPercent(0.5).y()) > 88


def test_an_open_residual_block_draws_its_skip_round_its_layers(window, qtbot):
    from netbuilder.presets import build_preset

    window.set_design(build_preset("resnet18"))
    scene, doc = window.scene, window.document
    assert doc.set_collapsed("layer1_0", False)
    routed(qtbot, scene)
    boxes = {n: item.sceneBoundingRect() for n, item in scene.nodes.items() if item.isVisible()}
    skip = next(e for e in scene.edges if e.dst == "layer1_0_add" and e.src not in doc.graph.groups["layer1_0"].nodes)
    others = [r for n, r in boxes.items() if n not in (skip.src, skip.dst)]
    assert inside(scene.edges[skip].path(), others) == []
    edge = next(e for e in scene.edges if e.src == "layer1_0_conv1")  # conv1 -> bn1, side by side in a chain
    assert scene.edges[edge].path().elementCount() == 4  # (the plain curve)
    # a layer moved into that connection's way (its ends stay where they are): it goes round it after
    cx, cy = doc.graph.node("layer1_0_conv1").pos
    assert doc.move({"layer1_0_bn1": (cx + 400, cy + 500)})
    routed(qtbot, scene)
    assert doc.move({"layer1_0_relu1": (cx + 200, cy + 250)})
    routed(qtbot, scene)
    stands = [item.sceneBoundingRect() for n, item in scene.nodes.items()
              if item.isVisible() and n not in ("layer1_0_conv1", "layer1_0_bn1")]
    assert inside(scene.edges[edge].path(), stands) == []
    assert scene.edges[edge].path().elementCount() > 4  # (a detour: the plain curve went through it)


def test_opening_a_group_of_a_large_design_routes_each_connection_a_few_times(window, qtbot, monkeypatch):
    from netbuilder.presets import build_preset
    from netbuilder.ui.canvas.items import EdgeItem

    window.set_design(build_preset("densenet121"))
    calls = []
    original = EdgeItem.update_path
    monkeypatch.setattr(EdgeItem, "update_path", lambda self: calls.append(1) or original(self))
    group = max(window.document.graph.groups.values(), key=lambda g: len(g.nodes))  # dense block 3: 120+ layers
    assert window.document.set_collapsed(group.id, False)
    routed(qtbot, window.scene)
    assert 0 < len(calls) < 5 * len(window.scene.edges)  # (it was once per layer moved: over 100,000)


@pytest.mark.parametrize(("preset", "direction"), [("resnet_cifar", "TB"), ("googlenet", "LR")])
def test_no_connection_of_a_preset_drawn_open_passes_through_a_layer(window, qtbot, preset, direction):
    from netbuilder.presets import build_preset

    window.set_design(build_preset(preset))
    doc, scene = window.document, window.scene
    doc.set_direction(direction)
    for group in list(doc.graph.groups):
        doc.set_collapsed(group, False)
    scene.reroute()
    visible = [(edge, item) for edge, item in scene.edges.items() if item.isVisible()]
    assert sum(item.path().elementCount() > 4 for _e, item in visible) >= 5  # (skips, branches: detours)
    for edge, item in visible:
        boxes = [item.sceneBoundingRect() for n, item in scene.nodes.items()
                 if item.isVisible() and n not in (edge.src, edge.dst)]
        assert inside(scene.edges[edge].path(), boxes) == [], edge
