"""Designs as small pictures drawn by the canvas itself, with their blocks collapsed.

``design_thumbnail(design, size)`` collapses every group of a copy into one box, closes up the space,
folds a long chain into columns to suit the picture's shape, and has the canvas draw it
(``diagram.render_design_thumbnail``: a throwaway Document and scene, never the window's).
``ThumbnailCache`` renders on request, one picture per event-loop turn, and keeps them: views ask
only for the items they paint, so only visible pictures are drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QImage

from netbuilder.graph import Design
from netbuilder.ui import layout, theme
from netbuilder.ui.layout import LAYER_GAP, NODE_GAP, NODE_H, NODE_W, layered_layout

PICTURE_H = 124  # the height of a preset's picture in the gallery; its width follows the card
PictureKey = tuple[str, bool, float, int]  # preset, dark theme, device pixel ratio, picture width
GROUP_W = float(getattr(layout, "GROUP_W", NODE_W))  # a collapsed group's box width (top to bottom)


def fold(positions: dict[str, tuple[float, float]], aspect: float, horizontal: bool = False,
         ) -> dict[str, tuple[float, float]]:
    """Wrap a long layered layout into side-by-side columns (rows for LR) so that its width / height
    comes close to ``aspect``; layers keep their order, column after column."""
    if not positions:
        return positions
    flip = (lambda p: (p[1], p[0])) if horizontal else (lambda p: p)
    pos = {n: flip(p) for n, p in positions.items()}
    layers = sorted({y for _, y in pos.values()})
    xs = [x for x, _ in pos.values()]
    box_w, box_h = (NODE_H, NODE_W) if horizontal else (max(NODE_W, GROUP_W), NODE_H)
    col_w = max(xs) - min(xs) + box_w + 2 * NODE_GAP
    step = box_h + LAYER_GAP
    target = aspect if not horizontal else 1 / aspect

    def misfit(k: int) -> float:
        rows = -(-len(layers) // k)
        return abs(math.log((k * col_w - 2 * NODE_GAP) / (rows * step - LAYER_GAP) / target))

    cols = min(range(1, len(layers) + 1), key=misfit)
    rows = -(-len(layers) // cols)
    index = {y: i for i, y in enumerate(layers)}
    folded = {}
    for n, (x, y) in pos.items():
        col, row = divmod(index[y], rows)
        folded[n] = flip((x + col * col_w, layers[0] + row * step))
    return folded


def collapsed_copy(design: Design, aspect: float | None = None) -> Design:
    """A copy of ``design`` with every group collapsed and laid out as if each group were one node,
    folded into columns to come close to ``aspect`` (width / height) when it is given."""
    design = design.copy()
    graph = design.graph
    owner: dict[str, str] = {}
    for group in graph.groups.values():
        group.collapsed = True
        for node_id in group.nodes:
            owner.setdefault(node_id, f"\0{group.id}")
    key = {n: owner.get(n, n) for n in graph.nodes}
    boxes = list(dict.fromkeys(key[n] for n in graph.nodes))
    links = list(dict.fromkeys((key[e.src], key[e.dst]) for e in graph.edges if key[e.src] != key[e.dst]))
    direction = str(design.layout.get("direction", "TB")).upper()
    wide = {} if direction == "LR" else {b: GROUP_W for b in boxes if b.startswith("\0")}
    positions = layered_layout(boxes, links, direction, breadth=wide)
    if aspect:
        positions = fold(positions, aspect, direction == "LR")
    for node_id in graph.nodes:
        graph.node(node_id).pos = positions[key[node_id]]
    return design


def design_thumbnail(design: Design, size: QSize) -> QImage:
    """``design`` with its blocks collapsed and folded to the picture's shape, drawn by the canvas
    (``diagram.render_design_thumbnail``: a throwaway Document and scene) into an image of ``size``."""
    from netbuilder.ui.diagram import render_design_thumbnail

    return render_design_thumbnail(collapsed_copy(design, size.width() / max(1, size.height())), size)


def preset_thumbnail(name: str, size: QSize) -> QImage:
    """Preset ``name`` (as it is built by default) as a picture."""
    from netbuilder.presets import build_preset

    return design_thumbnail(build_preset(name), size)


def drawn_fraction(image: QImage, background: object | None = None) -> float:
    """The share of pixels that differ from the background: 0 for an empty picture."""
    bg = (background or theme.canvas_colours()["background"]).rgb()
    w, h = image.width(), image.height()
    step = max(1, min(w, h) // 80)
    total = drawn = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            total += 1
            drawn += image.pixel(x, y) != bg
    return drawn / total if total else 0.0


class ThumbnailCache(QObject):
    """Pictures by key, made on request by ``make(key) -> QImage``; ``ready(key)`` when one is done."""

    ready = Signal(object)

    def __init__(self, make: Callable[[Hashable], QImage], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.make = make
        self.images: dict[Hashable, QImage] = {}
        self._pending: list[Hashable] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._render_next)

    def get(self, key: Hashable) -> QImage | None:
        """The picture if it is made; otherwise None, and it is queued."""
        image = self.images.get(key)
        if image is None and key not in self._pending:
            self._pending.append(key)
            self._timer.start()
        return image

    def image(self, key: Hashable) -> QImage:
        """The picture, made now if needed."""
        if key not in self.images:
            self.images[key] = self.make(key)
            if key in self._pending:
                self._pending.remove(key)
        return self.images[key]

    def discard(self, keys: list[Hashable]) -> None:
        """Take ``keys`` off the queue (pictures no longer wanted)."""
        self._pending = [k for k in self._pending if k not in set(keys)]

    @property
    def pending(self) -> list[Hashable]:
        return list(self._pending)

    def _render_next(self) -> None:
        if not self._pending:
            return
        key = self._pending.pop(0)
        try:
            self.images[key] = self.make(key)
        except Exception:  # a design the canvas cannot draw: an empty picture, never a crash
            self.images[key] = QImage()
        self.ready.emit(key)
        if self._pending:
            self._timer.start()


_PICTURES: ThumbnailCache | None = None


def preset_pictures() -> ThumbnailCache:
    """The application's cache of preset pictures (start page and gallery), keyed by ``PictureKey``."""
    global _PICTURES
    if _PICTURES is None:
        _PICTURES = ThumbnailCache(_make_picture)
    return _PICTURES


def picture_key(name: str, width: int = 224, ratio: float = 1.0) -> PictureKey:
    return name, theme.is_dark(), float(ratio), int(width)


def _make_picture(key: PictureKey) -> QImage:
    from netbuilder.presets import preset_stats

    name, _dark, ratio, width = key
    image = preset_thumbnail(name, QSize(round(width * ratio), round(PICTURE_H * ratio)))
    image.setDevicePixelRatio(ratio)
    preset_stats(name)  # cached now, so painting the card's numbers costs nothing
    return image
