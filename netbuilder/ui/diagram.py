"""The canvas diagram as a picture: PNG (QImage, 2× for sharpness), SVG (QtSvg's QSvgGenerator), each
written atomically (no half-written picture), or a
thumbnail of any design drawn by the canvas itself (``render_design_thumbnail``, for the preset gallery
and the start page)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design
from netbuilder.io import atomic_write_bytes

MARGIN = 24.0


def _source_rect(scene: QGraphicsScene) -> QRectF:
    rect = scene.items_rect() if hasattr(scene, "items_rect") else scene.itemsBoundingRect()
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _render(scene: QGraphicsScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    selected = scene.selectedItems()
    for item in selected:  # pictures show no selection highlight
        item.setSelected(False)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        for item in selected:
            item.setSelected(True)


def image_bytes(image: QImage, fmt: str = "PNG") -> bytes:
    """``image`` encoded (PNG by default), for an atomic write."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, fmt):
        raise NetbuilderError(f"could not encode the picture as {fmt}")
    buffer.close()
    return bytes(data.data())


def write_file(path: str | os.PathLike, data: bytes, what: str) -> Path:
    """Write ``data`` all at once (the old file stays whole on any failure); a failure names the file."""
    try:
        atomic_write_bytes(path, data)
    except OSError as e:
        raise NetbuilderError(f"{path}: could not write the {what} ({e.strerror or e}); check the folder exists "
                              "and is writable") from None
    return Path(path)


def export_png(scene: QGraphicsScene, path: str | os.PathLike, scale: float = 2.0) -> Path:
    source = _source_rect(scene)
    size = QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    return write_file(path, image_bytes(image), "PNG file")


def export_svg(scene: QGraphicsScene, path: str | os.PathLike) -> Path:
    from PySide6.QtSvg import QSvgGenerator

    source = _source_rect(scene)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle("netbuilder design")
    painter = QPainter()
    if not painter.begin(generator):
        raise NetbuilderError(f"{path}: could not draw the SVG picture")
    _render(scene, painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    buffer.close()
    return write_file(path, bytes(data.data()), "SVG file")


def render_design_thumbnail(design: Design, size: QSize | tuple[int, int], *, direction: str | None = None,
                            background: QColor | str | None = None) -> QImage:
    """A picture of ``design`` as the canvas draws it (collapsed groups as one box; at small scales the
    boxes show their names large), fitted into ``size`` and centred. The design is not changed; one
    without positions, or drawn in another ``direction`` ("LR" suits a wide picture), is laid out
    first. Call on the GUI thread (it builds a scene and renders it)."""
    from netbuilder.ui import theme
    from netbuilder.ui.canvas.scene import GraphScene
    from netbuilder.ui.document import Document
    from netbuilder.ui.layout import graph_layout

    size = QSize(*size) if isinstance(size, tuple) else QSize(size)
    copy = design.copy()
    graph = copy.graph
    if direction is not None and direction.upper() != str(copy.layout.get("direction", "TB")).upper():
        copy.layout = {**copy.layout, "direction": direction.upper()}
        for node_id, pos in graph_layout(graph, direction.upper()).items():
            graph.node(node_id).pos = pos
    elif len({tuple(n.pos) for n in graph.iter_nodes()}) < min(2, len(graph)):
        for node_id, pos in graph_layout(graph, str(copy.layout.get("direction", "TB"))).items():
            graph.node(node_id).pos = pos
    document = Document(copy)
    scene = GraphScene(document)
    scene.show_grid = False
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(background) if background is not None else QColor(theme.canvas_colours()["background"]))
    painter = QPainter(image)
    try:
        source = _source_rect(scene)
        scale = min((size.width() - 8) / source.width(), (size.height() - 8) / source.height())
        w, h = source.width() * scale, source.height() * scale
        _render(scene, painter, QRectF((size.width() - w) / 2, (size.height() - h) / 2, w, h), source)
    finally:
        painter.end()
        scene.detach()
        scene.deleteLater()
        document.deleteLater()
    return image
