"""New from preset…: the preset gallery (year, idea, parameters, MACs) with an option to fit the
design to a dataset's input shape and number of classes. ``design`` holds the result on accept."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design
from netbuilder.ui.canvas.items import human
from netbuilder.ui.param_editors import parse_shape

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class PresetGallery(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from netbuilder.presets import list_presets

        self.setWindowTitle("New from preset")
        self.resize(760, 560)
        self.design: Design | None = None
        self.infos = {info.name: info for info in list_presets()}
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels(["Architecture", "Year", "Parameters", "MACs", "Input"])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setColumnWidth(0, 230)
        for info in self.infos.values():
            g = info.gallery
            try:
                params, macs = human(info.params), human(info.macs)
            except NetbuilderError:
                params = macs = "?"
            item = QTreeWidgetItem(self.list, [g.title, str(g.year), params, macs,
                                               "×".join(map(str, g.input_shape)) + f" → {g.num_classes}"])
            item.setData(0, NAME_ROLE, info.name)
            for col in (1, 2, 3):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setOpenExternalLinks(True)
        self.detail.setMinimumHeight(70)
        fit = QGroupBox("Fit to a dataset", self)
        fit.setCheckable(True)
        fit.setChecked(False)
        self.fit_box = fit
        self.shape_edit = QLineEdit("1, 28, 28", fit)
        self.classes = QSpinBox(fit)
        self.classes.setRange(1, 100_000)
        self.classes.setValue(10)
        form = QFormLayout(fit)
        form.addRow("Input shape (C, H, W)", self.shape_edit)
        form.addRow("Classes", self.classes)
        self.keep_layout = QCheckBox("Lay the design out automatically", self)
        self.keep_layout.setChecked(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d33c3c")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.list, self.detail, fit, self.keep_layout, self.error, buttons):
            layout.addWidget(w)
        self.list.currentItemChanged.connect(self._show_detail)
        self.list.itemDoubleClicked.connect(lambda *_: self.accept())
        if self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(0))

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, NAME_ROLE) if item else None

    def select(self, name: str) -> None:
        for i in range(self.list.topLevelItemCount()):
            if self.list.topLevelItem(i).data(0, NAME_ROLE) == name:
                self.list.setCurrentItem(self.list.topLevelItem(i))

    def _show_detail(self, *_args: object) -> None:
        name = self.selected_name()
        if not name:
            return
        g = self.infos[name].gallery
        paper = (f"<br><a href='{escape(g.paper.url)}'>{escape(g.paper.authors)}, {escape(g.paper.title)}"
                 f"</a> ({escape(g.paper.venue)})") if g.paper else ""
        self.detail.setText(f"<b>{escape(g.title)}</b> ({g.year}) — {escape(g.idea)}{paper}")
        self.shape_edit.setText(", ".join(map(str, g.input_shape)))
        self.classes.setValue(g.num_classes)
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
                    raise NetbuilderError("the input shape must be 3 numbers (channels, height, width) or 1 number")
                return build_preset(name, input_shape=shape, num_classes=self.classes.value())
            return build_preset(name)
        except NetbuilderError as e:
            self.error.setText(str(e))
            return None

    def accept(self) -> None:
        design = self.build()
        if design is not None:
            self.design = design
            super().accept()
