"""The run list beside the curves: a checkbox shows or hides a run, the name is edited in place, Delete
(button, key or context menu) removes it. Qt."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QPushButton, QVBoxLayout, QWidget

from netbuilder.ui.training.run_history import RunCurves, legend_text


class RunList(QWidget):
    """The runs, newest first: a checkbox per run (shown on the curves), its name (edit in place), and a
    Delete button, key and context menu. Emits what the user asked; the curves view does it."""

    visibility_changed = Signal(int, bool)  # run number, shown
    renamed = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setToolTip("Runs of this design: tick to show on the curves; double-click a name to rename it")
        self.delete_button = QPushButton("Delete run", self)
        self.delete_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.delete_button)
        self.setMinimumWidth(110)
        self._filling = False
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentItemChanged.connect(lambda item, _old: self.delete_button.setEnabled(self._deletable(item)))
        self.list.customContextMenuRequested.connect(self._menu)
        self.delete_button.clicked.connect(lambda: self._delete(self.list.currentItem()))
        self.list.installEventFilter(self)  # Delete / Backspace on the list deletes the current run

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if (obj is self.list and event.type() == QEvent.Type.KeyPress and self.list.state()
                != QListWidget.State.EditingState and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)):
            self._delete(self.list.currentItem())
            return True
        return super().eventFilter(obj, event)

    def set_runs(self, runs: list[RunCurves], live: int | None = None, colours: dict[int, str] | None = None) -> None:
        """Show ``runs`` (newest first, each name in its curves' colour); run ``live`` is training and
        cannot be deleted."""
        ordered = sorted(runs, key=lambda r: -r.number)
        names = {r.number: r.name for r in runs}
        self._filling = True
        if [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())] != [
                r.number for r in ordered]:  # other runs: new items (the same runs are updated in place)
            self.list.clear()
            for run in ordered:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, run.number)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
        for i, run in enumerate(ordered):
            item = self.list.item(i)
            item.setText(run.name)
            item.setData(Qt.ItemDataRole.UserRole + 1, run.number != live)
            item.setCheckState(Qt.CheckState.Checked if run.visible else Qt.CheckState.Unchecked)
            item.setToolTip(legend_text(run, names) + (f"\n{run.summary()}" if run.summary() else ""))
            if colours and run.number in colours:
                item.setForeground(QColor(colours[run.number]))
        self._filling = False
        self.delete_button.setEnabled(self._deletable(self.list.currentItem()))

    def item_for(self, number: int) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == number:
                return self.list.item(i)
        return None

    @staticmethod
    def _deletable(item: QListWidgetItem | None) -> bool:
        return item is not None and bool(item.data(Qt.ItemDataRole.UserRole + 1))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        number, shown, name = int(item.data(Qt.ItemDataRole.UserRole)), item.checkState(), item.text()
        self.visibility_changed.emit(number, shown == Qt.CheckState.Checked)
        self.renamed.emit(number, name)

    def _delete(self, item: QListWidgetItem | None) -> None:
        if self._deletable(item):
            self.delete_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        shown = item.checkState() == Qt.CheckState.Checked
        menu.addAction("Hide" if shown else "Show", lambda: item.setCheckState(
            Qt.CheckState.Unchecked if shown else Qt.CheckState.Checked))
        menu.addAction("Rename", lambda: self.list.editItem(item))
        delete = menu.addAction("Delete", lambda: self._delete(item))
        delete.setEnabled(self._deletable(item))
        menu.exec(self.list.viewport().mapToGlobal(pos))
