"""The preset gallery: every architecture as a card (a picture drawn by the canvas, blocks collapsed;
name, year, idea, parameters, MACs). ``PresetGrid`` is the card grid, shared with the start page;
``PresetGallery`` (New from preset…) adds fitting to a dataset's input shape and number of classes (the
data open now, another dataset, or a shape typed in) and holds the result in ``design`` on accept, bound to
that dataset."""

from __future__ import annotations

import copy
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design
from netbuilder.ui import theme
from netbuilder.ui.canvas.items import human
from netbuilder.ui.param_editors import parse_shape
from netbuilder.ui.thumbnails import PICTURE_H, PictureKey, picture_key, preset_pictures

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
MIN_CARD_W, MAX_CARD_W = 236, 340  # cards widen to fill the row, in steps of 8 px
TEXT_H = 82
SPACING = 10


def stats_text(name: str) -> str:
    from netbuilder.presets import preset_stats

    try:
        params, macs = preset_stats(name)
    except NetbuilderError:
        return "parameters ? · MACs ?"
    return f"{human(params)} parameters · {human(macs)} MACs"


def two_lines(metrics: QFontMetricsF, text: str, width: float) -> list[str]:
    """``text`` broken at spaces into at most two lines of ``width``, the second elided."""
    words, first = text.split(), ""
    while words and metrics.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    rest = metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
    return [first, rest] if rest else [first]


class CardDelegate(QStyledItemDelegate):
    """Paints a preset card; asks the cache for the picture only when the card is painted (until it
    is made, a picture of another width is stretched, or the canvas background shown)."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        self.card = QSize(MIN_CARD_W, PICTURE_H + TEXT_H)
        self.cache = preset_pictures()
        self._waiting: dict[PictureKey, QPersistentModelIndex] = {}
        self.cache.ready.connect(self._picture_ready)

    def key(self, name: str) -> PictureKey:
        return picture_key(name, self.card.width() - 12, self.view.devicePixelRatioF())

    def set_card_width(self, width: int) -> None:
        if width != self.card.width():
            self.cache.discard(list(self._waiting))  # pictures of the old width are no longer wanted
            self._waiting.clear()
            self.card = QSize(width, PICTURE_H + TEXT_H)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        return self.card

    def picture(self, index: QModelIndex) -> QImage | None:
        """The card's picture, queued if it is not made; a stand-in of another width meanwhile."""
        name = index.data(NAME_ROLE)
        key = self.key(name)
        image = self.cache.get(key)
        if image is None:
            self._waiting[key] = QPersistentModelIndex(index)
            image = next((im for k, im in self.cache.images.items() if k[:3] == key[:3]), None)
        return image

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        from netbuilder.presets import gallery_entry

        name = index.data(NAME_ROLE)
        entry = gallery_entry(name)
        palette, rect = option.palette, QRectF(option.rect).adjusted(2, 2, -2, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        border = QColor(theme.SELECT_COLOUR) if selected else palette.mid().color()
        painter.setPen(QPen(border, 2.2 if selected else 1.4 if hover else 1.0))
        painter.setBrush(palette.base())
        painter.drawRoundedRect(rect, 8, 8)
        picture = QRectF(rect.left() + 4, rect.top() + 4, rect.width() - 8, PICTURE_H)
        image = self.picture(index)
        if image is not None and not image.isNull():
            painter.drawImage(picture, image)
        else:
            painter.fillRect(picture, theme.canvas_colours()["background"])
        text = rect.adjusted(8, PICTURE_H + 8, -8, -4)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.text().color())
        bold = QFontMetricsF(font)
        year = str(entry.year)
        painter.drawText(text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, year)
        title_w = text.width() - bold.horizontalAdvance(year) - 8
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         bold.elidedText(entry.title, Qt.TextElideMode.ElideRight, title_w))
        font.setBold(False)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        painter.setFont(font)
        small = QFontMetricsF(font)
        y = text.top() + bold.height() + 2
        painter.setPen(palette.placeholderText().color())
        for line in two_lines(small, entry.idea, text.width()):
            line_rect = QRectF(text.left(), y, text.width(), small.height())
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignLeft, line)
            y += small.height()
        painter.setPen(palette.text().color())
        numbers = stats_text(name) if image is not None else "…"
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, numbers)
        painter.restore()

    def _picture_ready(self, key: object) -> None:
        index = self._waiting.pop(key, None)  # type: ignore[arg-type]
        if index is not None and index.isValid():
            self.view.update(QModelIndex(index))


class PresetGrid(QListView):
    """Every preset as a card in a grid that wraps to the width and scrolls; ``chosen(name)`` on a
    click (``choose_on_click``) or on Enter / double-click."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None, choose_on_click: bool = False) -> None:
        super().__init__(parent)
        from netbuilder.presets import list_presets

        self.model_ = QStandardItemModel(self)
        for info in list_presets():
            g = info.gallery
            item = QStandardItem(g.title)
            item.setData(info.name, NAME_ROLE)
            item.setEditable(False)
            item.setToolTip(f"<b>{escape(g.title)}</b> ({g.year})<br>{escape(g.idea)}<br>"
                            f"input {'×'.join(map(str, g.input_shape))} → {g.num_classes} classes")
            self.model_.appendRow(item)
        self.setModel(self.model_)
        self.delegate = CardDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        # always on: the width never changes with it, so the cards are not laid out back and forth
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setMinimumWidth(MIN_CARD_W + 2 * SPACING + self.verticalScrollBar().sizeHint().width())
        self._fit_cards()
        self.choose_on_click = choose_on_click  # then a click or Enter chooses; else a double-click or Enter
        (self.clicked if choose_on_click else self.activated).connect(self._emit)

    def _fit_cards(self) -> None:
        """As many columns as fit, the cards widened to share the row."""
        room = max(MIN_CARD_W, self.viewport().width() - SPACING)
        columns = max(1, room // (MIN_CARD_W + SPACING))
        width = min(MAX_CARD_W, (room // columns - SPACING) // 8 * 8)
        self.delegate.set_card_width(max(MIN_CARD_W, width))
        self.setGridSize(QSize(self.delegate.card.width() + SPACING, self.delegate.card.height() + SPACING))

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if self.choose_on_click and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._emit(self.currentIndex())
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._fit_cards()
        super().resizeEvent(event)

    def names(self) -> list[str]:
        return [self.model_.item(row).data(NAME_ROLE) for row in range(self.model_.rowCount())]

    def selected_name(self) -> str | None:
        index = self.currentIndex()
        return index.data(NAME_ROLE) if index.isValid() else None

    def select(self, name: str) -> None:
        if name in (names := self.names()):
            self.setCurrentIndex(self.model_.index(names.index(name), 0))

    def visible_names(self) -> list[str]:
        """The presets whose cards are (partly) in view."""
        area = self.viewport().rect()
        rects = (self.visualRect(self.model_.index(row, 0)) for row in range(self.model_.rowCount()))
        return [n for n, rect in zip(self.names(), rects, strict=True) if rect.intersects(area)]

    def _emit(self, index: QModelIndex) -> None:
        if index.isValid():
            self.chosen.emit(index.data(NAME_ROLE))


OTHER_SHAPE = "Another shape (type it below)"


def dataset_entries(datasets: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The datasets to fit to, as the workbench lists them (name, input_shape, classes, available); before
    PyTorch is ready, from the data package's own list (no torch needed)."""
    if datasets is not None:
        return list(datasets)
    from netbuilder.data import list_datasets

    return [i.row() for i in list_datasets()]


class PresetGallery(QDialog):
    """``datasets``: what Fit offers (the workbench's list); ``open_data``: the dataset open now, as
    (its spec in the design, its loaded description), offered first and chosen when Fit is ticked."""

    def __init__(self, parent: QWidget | None = None, datasets: list[dict[str, Any]] | None = None,
                 open_data: tuple[dict[str, Any], dict[str, Any]] | None = None) -> None:
        super().__init__(parent)
        from netbuilder.presets import list_presets

        self.setWindowTitle("New from preset")
        self.resize(3 * (MIN_CARD_W + SPACING) + 70, 600)
        self.design: Design | None = None
        self.infos = {info.name: info for info in list_presets()}
        self.grid = PresetGrid(self)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setOpenExternalLinks(True)
        self.detail.setMinimumHeight(54)
        fit = QGroupBox("Fit to a dataset", self)
        fit.setCheckable(True)
        fit.setChecked(False)
        self.fit_box = fit
        self.data_box = QComboBox(fit)
        self.shape_edit = QLineEdit("1, 28, 28", fit)
        self.classes = QSpinBox(fit)
        self.classes.setRange(1, 100_000)
        self.classes.setValue(10)
        form = QFormLayout(fit)
        form.addRow("Data", self.data_box)
        form.addRow("Input shape (C, H, W)", self.shape_edit)
        form.addRow("Classes", self.classes)
        self._filling = False
        self._fill_data_box(datasets, open_data)
        self.data_box.currentIndexChanged.connect(self._data_chosen)
        self.shape_edit.textChanged.connect(self._sync_choice)
        self.classes.valueChanged.connect(self._sync_choice)
        self.keep_layout = QCheckBox("Lay the design out automatically", self)
        self.keep_layout.setChecked(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.error_text()}")
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid, 1)
        for w in (self.detail, fit, self.keep_layout, self.error, buttons):
            layout.addWidget(w)
        self.grid.selectionModel().currentChanged.connect(self._show_detail)
        self.grid.chosen.connect(self._choose)
        if self.infos:
            self.grid.select(next(iter(self.infos)))
        self._data_chosen()

    def _fill_data_box(self, datasets: list[dict[str, Any]] | None,
                       open_data: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
        """Each entry's data: (the design's dataset spec, input shape, classes); the last, typed in, None."""
        box, taken = self.data_box, set()
        if open_data is not None:
            spec, info = open_data
            name = str(spec.get("name") or info.get("name") or "the open data")
            shape, classes = list(info["input_shape"]), len(info["class_names"])
            box.addItem(f"{name} — {'×'.join(map(str, shape))}, {classes} classes (open now)",
                        (copy.deepcopy(spec), shape, classes))
            taken.add(name)
        try:
            entries = dataset_entries(datasets)
        except (OSError, ValueError):  # (a broken data folder: fit to a shape typed in)
            entries = []
        for d in entries:
            if d["name"] in taken:
                continue
            shape, note = list(d["input_shape"]), "" if d.get("available", True) else " (download)"
            box.addItem(f"{d['name']} — {'×'.join(map(str, shape))}, {d['classes']} classes{note}",
                        ({"name": d["name"]}, shape, int(d["classes"])))
            box.setItemData(box.count() - 1, d.get("description", ""), Qt.ItemDataRole.ToolTipRole)
        box.addItem(OTHER_SHAPE, None)
        box.setCurrentIndex(0 if open_data is not None else box.count() - 1)

    def chosen_data(self) -> dict[str, Any] | None:
        """The dataset a fitted design is bound to (None: a shape typed in)."""
        entry = self.data_box.currentData()
        return copy.deepcopy(entry[0]) if entry else None

    def _data_chosen(self, *_args: object) -> None:
        """A dataset chosen: its shape and classes in the fields; "another shape": the preset's own."""
        entry = self.data_box.currentData()
        name = self.selected_name()
        if entry is None and not name:
            return
        gallery = self.infos[name].gallery if name else None
        shape, classes = entry[1:] if entry else (gallery.input_shape, gallery.num_classes)
        self._filling = True
        try:
            self.shape_edit.setText(", ".join(map(str, shape)))
            self.classes.setValue(classes)
        finally:
            self._filling = False

    def _sync_choice(self, *_args: object) -> None:
        """Fields edited away from the chosen dataset's: the box says "another shape"."""
        entry = self.data_box.currentData()
        if self._filling or entry is None:
            return
        if parse_shape(self.shape_edit.text()) != list(entry[1]) or self.classes.value() != entry[2]:
            self.data_box.setCurrentIndex(self.data_box.count() - 1)

    def selected_name(self) -> str | None:
        return self.grid.selected_name()

    def select(self, name: str) -> None:
        self.grid.select(name)

    def _choose(self, name: str) -> None:
        self.select(name)
        self.accept()

    def _show_detail(self, *_args: object) -> None:
        name = self.selected_name()
        if not name:
            return
        g = self.infos[name].gallery
        paper = (f"<br><a href='{escape(g.paper.url)}'>{escape(g.paper.authors)}, {escape(g.paper.title)}"
                 f"</a> ({escape(g.paper.venue)})") if g.paper else ""
        self.detail.setText(f"<b>{escape(g.title)}</b> ({g.year}) — {escape(g.idea)}{paper}")
        if self.data_box.currentData() is None:  # (a dataset chosen keeps its shape)
            self._data_chosen()
        self.error.clear()

    def build(self) -> Design | None:
        """The chosen preset, fitted if asked; shows the problem and returns None when it fails."""
        from netbuilder.presets import build_preset

        name = self.selected_name()
        if not name:
            return None
        try:
            if self.fit_box.isChecked():
                shape = parse_shape(self.shape_edit.text())
                if shape is None:
                    raise NetbuilderError("the input shape must be 3 numbers (channels, height, width) "
                                          "or 1 number")
                design = build_preset(name, input_shape=shape, num_classes=self.classes.value())
                data = self.chosen_data()
                if data is not None:
                    design.dataset = data  # (trains on it at once: no Fit, no "does not fit")
                return design
            return build_preset(name)
        except NetbuilderError as e:
            self.error.setText(str(e))
            return None

    def accept(self) -> None:
        design = self.build()
        if design is not None:
            self.design = design
            super().accept()
