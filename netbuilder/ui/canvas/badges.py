"""What the canvas draws over a box that is not its design: a locked (frozen) layer's hatching and lock,
and the training health check's coloured ring and badge ("12% dead", "∇0.07"). Layer boxes and
collapsed groups draw them alike (a group: the worst health of its layers, locked when all are).

Sizes are in scene units; the badges grow as the canvas zooms out, so their text stays at least
``LEGIBLE_PX`` tall on screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QIcon, QPainter, QPen, QPixmap

from netbuilder.ui.canvas.zoom import BLOCK_ZOOM, LEGIBLE_PX, SUB_PX, elided, font

HEALTH_COLOURS = {"ok": "#1e7b34",  # white text on each at least 4.5:1 (black on "warn")
                  "warn": "#e0a400", "bad": "#d13438"}
LEVELS = ("ok", "warn", "bad")  # from good to bad
LOCK_W, LOCK_H = 19, 17

Health = tuple[str, str]  # (level ok|warn|bad, badge text)


class Badge(NamedTuple):
    font: QFont
    rect: QRectF
    text: str


def paint_lock(painter: QPainter, badge: QRectF) -> None:
    """The lock badge of a frozen layer (drawn, not a font's emoji: a lab's Linux fonts may have none)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#5b6470"))
    painter.drawRoundedRect(badge, 4, 4)
    painter.setPen(QPen(QColor("white"), 1.6))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    shackle = QRectF(badge.center().x() - 3.5, badge.top() + 2.5, 7, 8)
    painter.drawArc(shackle, 0, 180 * 16)
    painter.fillRect(QRectF(badge.center().x() - 5.5, badge.top() + 7, 11, 7.5), QColor("white"))
    painter.restore()


def lock_icon() -> QIcon:
    """The lock badge as an icon (the Transfer view's list of locked layers)."""
    pixmap = QPixmap(LOCK_W, LOCK_H)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_lock(painter, QRectF(0, 0, LOCK_W, LOCK_H))
    painter.end()
    return QIcon(pixmap)


def blank_icon() -> QIcon:
    """A clear icon the size of the lock badge (a list's unlocked rows, aligned with the locked ones)."""
    pixmap = QPixmap(LOCK_W, LOCK_H)
    pixmap.fill(Qt.GlobalColor.transparent)
    return QIcon(pixmap)


def badge_scale(lod: float) -> float:
    """How much larger than at 100 % the badges are drawn at the zoom ``lod``: their 10 px text is at least
    ``LEGIBLE_PX`` tall on screen, up to the overview's shape text (``SUB_PX``). Drawn at one size, the
    badges were 4 px on screen in the Explore canvas ("71.4e-22" for "∇7.0e-02")."""
    return min(max(1.0, LEGIBLE_PX / lod / 10), SUB_PX / 10)


def lock_room(frozen: bool, lod: float) -> float:
    """The width the lock takes at the top right of a locked box at the zoom ``lod`` (its title stops
    short of it); 0 when the box is not locked."""
    return LOCK_W * badge_scale(lod) + 6 if frozen else 0.0


def health_badge(health: Health | None, frozen: bool, lod: float, rect: QRectF) -> Badge | None:
    """The health badge of a box ``rect`` at the zoom ``lod``: font, place (bottom right, left of where a
    lock would be) and text; None when there is nothing to say or nothing would read."""
    if health is None or not health[1] or lod < BLOCK_ZOOM:
        return None
    scale = badge_scale(lod)
    px = 10 * scale
    badge_font = font(round(px), True)
    lock = 26 * scale if frozen else 4
    width = min(QFontMetricsF(badge_font).horizontalAdvance(health[1]) + px * 0.8, rect.width() - lock - 20)
    height = px * 1.4
    return Badge(badge_font, QRectF(rect.right() - width - lock, rect.bottom() - height - 3, width, height),
                 health[1])


def paint_marks(painter: QPainter, rect: QRectF, lod: float, frozen: bool, health: Health | None,
                badge: Badge | None, radius: float = 7) -> None:
    """Over the box ``rect``: grey hatching and a lock when ``frozen``; the health's coloured ring and
    ``badge`` (from ``health_badge``)."""
    if frozen:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(128, 128, 128, 110), Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(rect, radius, radius)
        scale = badge_scale(lod)
        painter.save()
        painter.translate(rect.right() - 3 - LOCK_W * scale, rect.top() + 3)
        painter.scale(scale, scale)
        paint_lock(painter, QRectF(0, 0, LOCK_W, LOCK_H))
        painter.restore()
    if health is None:
        return
    colour = QColor(HEALTH_COLOURS.get(health[0], HEALTH_COLOURS["ok"]))
    painter.setPen(QPen(colour, 3.2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), radius + 1, radius + 1)
    if badge is not None:
        painter.setFont(badge.font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge.rect, 4, 4)
        painter.setPen(QColor("white") if health[0] != "warn" else QColor("black"))
        painter.drawText(badge.rect, Qt.AlignmentFlag.AlignCenter, elided(badge.text, badge.font, badge.rect.width() - 4))


def beside_badge(text: str, f: QFont, width: float, badge: bool) -> str:
    """``text`` for a box's bottom line of ``width``: beside a health badge, whole or not at all (a cut
    shape misleads; the badge is what the health check is for, and the shape is in the box close up),
    elided otherwise."""
    if badge and QFontMetricsF(f).horizontalAdvance(text) > width:
        return ""
    return elided(text, f, width)


def worst_health(healths: Iterable[Health | None]) -> Health | None:
    """The worst of several layers' health (a collapsed group shows it): the first at the worst level."""
    worst: Health | None = None
    for health in healths:
        if health is not None and (worst is None or LEVELS.index(health[0]) > LEVELS.index(worst[0])):
            worst = health
    return worst
