"""The palette: every catalogue kind by category, a search box, a one-line explanation on hover.

The search also finds a kind by its other names (the catalogue's aliases: "Linear" or "FC" finds
Dense). Dragging an entry starts a QDrag carrying the kind (MIME ``LAYER_MIME``) for the canvas; a
double-click or Enter emits ``kind_activated`` once (the window appends it after the selected node, or with none before the Output);
Enter in the search box activates the best entry found (``best_match``: the layer named exactly what was
typed, else one whose name starts with it, else the first shown), which the list marks as current while
typing. Ctrl+F (Edit ▸ Find Layer) puts the keyboard in the search box.
"""

from __future__ import annotations

import difflib

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netbuilder.layers import aliases_of, all_specs
from netbuilder.layers.spec import CATEGORIES
from netbuilder.ui import theme
from netbuilder.ui.canvas.view import LAYER_MIME

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ALIASES_ROLE = Qt.ItemDataRole.UserRole + 2
CATEGORY_TITLES = {
    "input": "Input", "output": "Output", "dense": "Dense", "convolution": "Convolution",
    "pooling": "Pooling", "activation": "Activation", "normalisation": "Normalisation",
    "regularisation": "Regularisation", "merge": "Merge", "reshape": "Reshape",
}


def first_sentence(text: str) -> str:
    head = text.split(". ")[0].strip()
    return head if head.endswith(".") else head + "."


def _swatch(colour: QColor) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(colour)
    p.setPen(colour.darker(130))
    p.drawRoundedRect(1, 1, 10, 10, 3, 3)
    p.end()
    return QIcon(pix)


class _LayerTree(QTreeWidget):
    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [LAYER_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        kinds = [i.data(0, KIND_ROLE) for i in items if i.data(0, KIND_ROLE)]
        if kinds:
            mime.setData(LAYER_MIME, kinds[0].encode())
        return mime

    def startDrag(self, actions) -> None:  # noqa: N802
        item = self.currentItem()
        if item is None or not item.data(0, KIND_ROLE):
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.setPixmap(item.icon(0).pixmap(16, 16))
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    kind_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.tree = _LayerTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragDropMode.DragOnly)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.search.textChanged.connect(self.filter)
        # itemActivated comes with a double-click (and with Enter): connecting itemDoubleClicked as well
        # would add the layer twice
        self.tree.itemActivated.connect(self._on_double_click)
        self.search.returnPressed.connect(self._activate_first)

    def _populate(self) -> None:
        by_category: dict[str, list] = {}
        for spec in all_specs():
            by_category.setdefault(spec.category, []).append(spec)
        for category in CATEGORIES:
            specs = by_category.get(category)
            if not specs:
                continue
            head = QTreeWidgetItem(self.tree, [CATEGORY_TITLES.get(category, category.title())])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            icon = _swatch(theme.category_colour(category))
            for spec in specs:
                item = QTreeWidgetItem(head, [spec.title])
                item.setData(0, KIND_ROLE, spec.kind)
                item.setData(0, ALIASES_ROLE, " ".join(aliases_of(spec.kind)))
                item.setIcon(0, icon)
                also = ", ".join(a for a in aliases_of(spec.kind)[:4] if a != "activation")
                item.setToolTip(0, f"<b>{spec.title}</b> <i>({spec.kind})</i><br>{first_sentence(spec.doc)}"
                                + (f"<br><i>also called: {also}</i>" if also else ""))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
                self.items[spec.kind] = item
            head.setExpanded(True)

    def filter(self, text: str) -> None:
        """Show the kinds whose names, aliases or explanation hold every word typed; when none does, the
        kinds whose names come close to each word (a typo: "dropuot" finds Dropout, "flaten" Flatten)."""
        words = text.lower().split()
        if not self._show(lambda hay, names: all(w in hay for w in words)) and words:
            self._show(lambda hay, names: all(difflib.get_close_matches(w, names, n=1, cutoff=0.75) for w in words))
        best = self.best_match() if words else None
        if best is not None:  # (shows which layer Enter adds)
            self.tree.setCurrentItem(self.items[best])

    def _show(self, matches) -> int:
        total = 0
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            shown = 0
            for j in range(head.childCount()):
                item = head.child(j)
                names = f"{item.text(0)} {item.data(0, KIND_ROLE)} {item.data(0, ALIASES_ROLE)}".lower()
                hay = f"{names} {head.text(0)} {item.toolTip(0)}".lower()
                visible = bool(matches(hay, names.split()))
                item.setHidden(not visible)
                shown += visible
            head.setHidden(shown == 0)
            total += shown
        return total

    def visible_kinds(self) -> list[str]:
        """The kinds the search shows, in palette order."""
        return [kind for kind, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]

    def best_match(self) -> str | None:
        """The shown kind the search means: named exactly what was typed (its title or kind, then one of its
        other names), else the first whose title or kind starts with it, else the first shown."""
        shown = self.visible_kinds()
        typed = " ".join(self.search.text().lower().replace("_", " ").split())
        if not shown or not typed:
            return None

        def names(kind: str) -> list[str]:
            return [" ".join(n.lower().replace("_", " ").split()) for n in (kind, self.items[kind].text(0))]

        def aliases(kind: str) -> list[str]:
            return [a.lower() for a in aliases_of(kind)]

        for matches in (lambda k: typed in names(k), lambda k: typed in aliases(k),
                        lambda k: any(n.startswith(typed) for n in names(k))):
            if found := next((k for k in shown if matches(k)), None):
                return found
        return shown[0]

    def _activate_first(self) -> None:
        if (kind := self.best_match()) is not None:
            self.kind_activated.emit(kind)

    def _on_double_click(self, item: QTreeWidgetItem, column: int = 0) -> None:
        if kind := item.data(0, KIND_ROLE):
            self.kind_activated.emit(kind)
