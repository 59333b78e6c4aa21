"""The canvas diagram as a picture: PNG (QImage, 2× for sharpness) or SVG (QtSvg's QSvgGenerator)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from netbuilder.errors import NetbuilderError

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


def export_png(scene: QGraphicsScene, path: str | os.PathLike, scale: float = 2.0) -> Path:
    source = _source_rect(scene)
    size = QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    if not image.save(str(path), "PNG"):
        raise NetbuilderError(f"{path}: could not write the PNG file; check the folder exists and is writable")
    return Path(path)


def export_svg(scene: QGraphicsScene, path: str | os.PathLike) -> Path:
    from PySide6.QtSvg import QSvgGenerator

    source = _source_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle("netbuilder design")
    painter = QPainter()
    if not painter.begin(generator):
        raise NetbuilderError(f"{path}: could not write the SVG file; check the folder exists and is writable")
    _render(scene, painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    return Path(path)
