"""The path of a connection on the canvas: a curve from an output to an input, or, where that curve would
run through other boxes (the skip of a residual block over its layers, a dense block's concatenations), a
detour in a lane beside them. The lane is on the side nearer the straight way, further out the more boxes
it passes, so that a long skip goes round a short one instead of on top of it. Qt geometry only."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from netbuilder.ui.layout import NODE_H

LANE_GAP = 16.0  # from the boxes passed to a lane
LANE_STEP = 3.0  # further out for each box passed beyond the first
LANE_STEPS = 10
SAMPLES = 24  # points of the curve tested against the boxes
CLEARANCE = 8.0  # a connection this close to a box passes through it


class BoxIndex:
    """The boxes on the canvas sorted along the layout's direction, for ``in_rect`` to find the few in a
    connection's way without testing every box (a DenseNet drawn open has hundreds)."""

    def __init__(self, boxes: Iterable[tuple[QRectF, str]], horizontal: bool) -> None:
        self.horizontal = horizontal
        entries = sorted(((r.left() if horizontal else r.top(), r, key) for r, key in boxes), key=lambda e: e[0])
        self.starts = [e[0] for e in entries]
        self.entries = entries
        self.longest = max((r.width() if horizontal else r.height() for _s, r, _k in entries), default=0.0)

    def in_rect(self, rect: QRectF, leave_out: set[str]) -> list[QRectF]:
        lo, hi = (rect.left(), rect.right()) if self.horizontal else (rect.top(), rect.bottom())
        first, last = bisect_left(self.starts, lo - self.longest), bisect_right(self.starts, hi)
        return [r for _s, r, key in self.entries[first:last] if key not in leave_out and r.intersects(rect)]


def curve(a: QPointF, b: QPointF, horizontal: bool) -> QPainterPath:
    """The plain connection: leaves ``a`` and reaches ``b`` along the layout's direction."""
    path = QPainterPath(a)
    if horizontal:
        d = max(30.0, abs(b.x() - a.x()) / 2)
        path.cubicTo(QPointF(a.x() + d, a.y()), QPointF(b.x() - d, b.y()), b)
    else:
        d = max(30.0, abs(b.y() - a.y()) / 2)
        path.cubicTo(QPointF(a.x(), a.y() + d), QPointF(b.x(), b.y() - d), b)
    return path


def crossed(path: QPainterPath, boxes: Iterable[QRectF]) -> list[QRectF]:
    """The boxes the path runs through or along (closer than ``CLEARANCE`` to them: a line along a box's
    edge reads as its border), each with that clearance around it."""
    points = [path.pointAtPercent(i / SAMPLES) for i in range(1, SAMPLES)]
    near = [r.adjusted(-CLEARANCE, -CLEARANCE, CLEARANCE, CLEARANCE) for r in boxes]
    return [r for r in near if any(r.contains(p) for p in points)]


def route(a: QPointF, b: QPointF, horizontal: bool, boxes_between: Callable[[QRectF], list[QRectF]]) -> QPainterPath:
    """The connection from ``a`` to ``b``: the plain curve, or a detour when it would cross a box.
    ``boxes_between(rect)``: the boxes (other than the connection's own ends) that lie in ``rect``."""
    path = curve(a, b, horizontal)
    # (main, cross): along the layout's direction and across it
    am, ac, bm, bc = (a.x(), a.y(), b.x(), b.y()) if horizontal else (a.y(), a.x(), b.y(), b.x())
    if bm - am < NODE_H:  # (no box fits between its ends; or it goes back up: the plain curve)
        return path
    band = path.boundingRect().adjusted(-CLEARANCE, -CLEARANCE, CLEARANCE, CLEARANCE)
    hit = crossed(path, boxes_between(band))
    if not hit:
        return path
    spans = [(r.top(), r.bottom(), r.left(), r.right()) if not horizontal else (r.left(), r.right(), r.top(), r.bottom())
             for r in hit]
    out = LANE_GAP + LANE_STEP * min(len(hit) - 1, LANE_STEPS)
    after, before = max(s[3] for s in spans) + out, min(s[2] for s in spans) - out
    middle = (ac + bc) / 2
    lane = after if abs(after - middle) <= abs(middle - before) else before
    first, last = min(s[0] for s in spans), max(s[1] for s in spans)
    m1 = am + max(6.0, min(30.0, first - am - 2))  # turn into the lane before the first box passed
    m2 = bm - max(6.0, min(30.0, bm - last - 2))  # and out of it after the last
    if m2 <= m1:
        return path

    def point(main: float, cross: float) -> QPointF:
        return QPointF(main, cross) if horizontal else QPointF(cross, main)

    detour = QPainterPath(a)
    detour.cubicTo(point((am + m1) / 2, ac), point((am + m1) / 2, lane), point(m1, lane))
    detour.lineTo(point(m2, lane))
    detour.cubicTo(point((m2 + bm) / 2, lane), point((m2 + bm) / 2, bc), b)
    return detour
