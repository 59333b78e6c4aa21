"""The Transfer view: load weights from a file, lock (freeze) layers, replace the head for a new number of
classes. Every change goes through the Document (one undo step). It says which layers hold the loaded
weights now: an edit, a Fit or an Undo may leave a loaded layer with random weights again (the answer comes
from the workbench: ``set_fresh``), and a layer left random is never locked by "Freeze all but the head".

Qt only; no torch.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QWidget,
)

from netbuilder.ui.canvas.badges import blank_icon, lock_icon
from netbuilder.ui.explore.widgets import note

LOAD_NOTE = ("Load weights saved by netbuilder (.safetensors) or a torchvision checkpoint (.pth) of the matching "
             "preset; layers that fit are loaded, the rest is listed.")


class TransferView(QWidget):
    """Load weights from a file, lock (freeze) layers, replace the head for a new number of classes."""

    load_requested = Signal(str)

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.load_button = QPushButton("Load weights from a file…")
        self.load_button.setToolTip(
            "Copy weights trained elsewhere into this network: netbuilder's .safetensors, or a torchvision .pth "
            "of the same preset. Each layer whose weights have the same names and shapes is loaded; the others "
            "keep theirs and are listed.")
        self.report = note(LOAD_NOTE)
        self.layers = QListWidget()
        self.layers.setMinimumHeight(120)
        self.layers.setToolTip("The layers with weights. Tick a layer to lock (freeze) it: a run leaves its "
                               "weights as they are.")
        self.freeze_all_button = QPushButton("Freeze all but the head")
        self.freeze_all_button.setToolTip(
            "Lock every layer with weights except the last one (the head, which picks the class): the run then "
            "trains only the head on top of the loaded features. A layer that holds random weights is left "
            "unlocked, since locked it would never learn.")
        self.unfreeze_button = QPushButton("Unfreeze all")
        self.unfreeze_button.setToolTip("Unlock every layer: a run trains all the weights (fine-tuning).")
        self.classes = QSpinBox()
        self.classes.setRange(1, 10000)
        self.classes.setValue(10)
        self.classes.setToolTip("How many classes the new head predicts: the number of classes of your dataset "
                                "(it follows the dataset unless you set it).")
        self._classes_chosen = False  # the student set the number: a new dataset does not change it
        self.last_load: dict[str, Any] | None = None  # the last weights file loaded: which layers got weights
        self.fresh: dict[str, str] = {}  # layers holding fresh (random) weights beside trained ones (set_fresh)
        self._fresh_since_load = False  # ``fresh`` answers for the weights as they are since the last load
        self.trained: bool | None = None  # some layer holds trained or loaded weights (None: not known yet)
        document.design_replaced.connect(self.design_replaced)
        self.classes.valueChanged.connect(lambda _v: setattr(self, "_classes_chosen", True))
        self.head_button = QPushButton("Replace the head")
        self.head_button.setToolTip(
            "Give the last layer as many outputs as the classes set beside it. Its weights start fresh (random): "
            "it must learn your classes, while the loaded layers keep what they learnt. Undo reverts it.")
        self.message = note()
        grid = QGridLayout(self)
        grid.addWidget(self.load_button, 0, 0)
        grid.addWidget(self.report, 1, 0)
        head = QHBoxLayout()
        classes_label = QLabel("classes")
        classes_label.setToolTip(self.classes.toolTip())
        head.addWidget(classes_label)
        head.addWidget(self.classes)
        head.addWidget(self.head_button)
        grid.addLayout(head, 2, 0)
        grid.addWidget(self.message, 3, 0)
        grid.setRowStretch(4, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        grid.addWidget(self.summary, 0, 1)
        grid.addWidget(self.layers, 1, 1, 4, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.freeze_all_button)
        buttons.addWidget(self.unfreeze_button)
        grid.addLayout(buttons, 5, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self._syncing = False
        self.layers.itemChanged.connect(self._item_changed)
        self.head_button.clicked.connect(self.replace_head)
        self.freeze_all_button.clicked.connect(self.freeze_all_but_head)
        self.unfreeze_button.clicked.connect(lambda: self.document.set_frozen(self.document.frozen, False))
        self.load_button.clicked.connect(self._ask_file)
        self.refresh()

    def design_replaced(self) -> None:
        """Another design was opened: what was loaded into, or done to, the previous one is not said of it."""
        self.last_load, self.trained = None, None
        self.fresh = {}
        self.report.setText(LOAD_NOTE)
        self.message.clear()

    def suggest_classes(self, n: int) -> None:
        """The dataset's number of classes, for the new head (not over a number the student chose)."""
        if not self._classes_chosen:
            self.classes.blockSignals(True)
            self.classes.setValue(n)
            self.classes.blockSignals(False)

    def trainable_layers(self) -> list[str]:
        nodes = self.document.analysis.nodes
        return [n for n in self.document.graph.nodes if n in nodes and nodes[n].params > 0]

    def refresh(self) -> None:
        """The layers with weights, each with its kind and parameter count, ticked where locked; above
        them, how many of the design's parameters a run trains."""
        from netbuilder.layers import get_spec, has_kind

        self._syncing = True
        try:
            frozen = set(self.document.frozen)
            nodes, graph = self.document.analysis.nodes, self.document.graph
            self.layers.clear()
            layers = self.trainable_layers()
            no_icon = blank_icon()
            for node_id in layers:
                kind = graph.nodes[node_id].kind
                title = get_spec(kind).title if has_kind(kind) else kind
                random = "  ·  random weights" if node_id in self.fresh else ""
                item = QListWidgetItem(f"{node_id}  ·  {title}  ·  {nodes[node_id].params:,} parameters{random}")
                if node_id in frozen:  # the canvas's lock badge, drawn (a font may have no lock emoji)
                    item.setIcon(lock_icon())
                    item.setToolTip(f"{node_id} is locked: its weights are not trained"
                                    + (" (they are random: it will never learn)" if random else ""))
                else:  # as wide as the lock, so every row's text starts at one place
                    item.setIcon(no_icon)
                    if random:
                        item.setToolTip(f"{node_id} holds random weights ({self.fresh[node_id]}): a run trains it")
                item.setData(Qt.ItemDataRole.UserRole, node_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if node_id in frozen else Qt.CheckState.Unchecked)
                self.layers.addItem(item)
            total = sum(nodes[n].params for n in layers)
            locked = [n for n in layers if n in frozen]
            if locked:
                trained = total - sum(nodes[n].params for n in locked)
                self.summary.setText(f"Locked (frozen) layers keep their weights: a run trains {trained:,} of "
                                     f"the {total:,} parameters ({len(locked)} of {len(layers)} layers locked).")
            else:
                self.summary.setText(f"A run trains all {total:,} parameters. Lock a layer to keep its weights "
                                     "as they are (transfer learning: lock all but the head).")
        finally:
            self._syncing = False

    def _item_changed(self, item: QListWidgetItem) -> None:
        if not self._syncing:
            self.document.set_frozen([item.data(Qt.ItemDataRole.UserRole)],
                                     item.checkState() == Qt.CheckState.Checked)

    def freeze_all_but_head(self) -> None:
        """Lock every weighted layer but the head; after a load, only the layers that hold the file's weights
        (one left with random weights and locked would never learn: it stays noise)."""
        from netbuilder.presets.fit import classifier_node

        head = classifier_node(self.document.graph)
        layers = [n for n in self.trainable_layers() if head is None or n != head.id]
        loaded = self.last_load.get("loaded") if self.last_load else None
        # (until the workbench's answer about the loaded weights is in, the load's report says which are random;
        # after it, the answer does: a run may have trained a layer the file did not fill)
        unanswered = loaded is not None and not self._fresh_since_load
        left = [n for n in layers if (unanswered and n not in loaded) or n in self.fresh]
        self.document.set_frozen([n for n in layers if n not in left], True)
        if self.trained is False and layers:  # (an experiment worth making, but it should be said)
            self.message.setText("Locked every layer but the head, though none holds trained weights (none were "
                                 "loaded, or Start fresh dropped them): the head will learn on random features.")
        elif left:
            it = "it" if len(left) == 1 else "they"
            unfilled = loaded is not None and not any(n in loaded for n in left)
            how = "got no weights from the file" if unfilled else f"{'holds' if it == 'it' else 'hold'} random weights"
            self.message.setText(f"Left unlocked: {', '.join(left)} {how}, so {it} must learn (locked, {it} "
                                 "would stay random).")

    def replace_head(self) -> None:
        from netbuilder.errors import NetbuilderError

        try:
            changed = self.document.replace_head(int(self.classes.value()))
        except NetbuilderError as e:
            self.message.setText(str(e))
            return
        self.message.setText(f"The head now predicts {self.classes.value()} classes ({changed} setting(s) "
                             "changed; its weights start fresh). Undo reverts it." if changed else
                             "The head already predicts that many classes.")

    def _ask_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Load weights", "", "Weights (*.safetensors *.pth *.pt *.bin)")
        if path:
            self.load_requested.emit(path)

    def show_report(self, result: dict[str, Any]) -> None:
        if "error" in result:
            self.report.setText(f"Not loaded: {result['error']}")
            return
        self.last_load, self._fresh_since_load = result, False
        self.trained = self.trained or bool(result.get("loaded"))
        self._show_load()

    def set_fresh(self, answer: dict[str, Any] | None) -> None:
        """The workbench's answer for the design as it is: which layers hold fresh (random) weights beside
        trained ones (``{"trained", "fresh": {node: why}}``); ``trained`` False: no layer holds trained or
        loaded weights any more."""
        answer = answer or {}
        trained = self.trained = bool(answer.get("trained"))
        self._fresh_since_load = True
        self.fresh = {str(k): str(v) for k, v in (answer.get("fresh") or {}).items()} if trained else {}
        if self.last_load is not None:
            self.last_load["dropped"] = not trained
            self._show_load()
        self.refresh()

    def _show_load(self) -> None:
        """What the last load put in, and what of it the network holds now."""
        result = self.last_load or {}
        lines = [str(result.get("summary", "")) + "."]
        lines += [f"• {layer}: {why}" for layer, why in result.get("mismatched", [])[:6]]
        if result.get("normalised") and not result.get("dropped"):  # (weights trained with another mean and std)
            lines.append(f"{result['normalised'][0].upper()}{result['normalised'][1:]}.")
        loaded = list(result.get("loaded") or [])
        gone = [n for n in loaded if n in self.fresh]
        if result.get("dropped"):
            lines.append("Since then the weights were dropped: every layer holds random weights.")
        elif gone:
            held, one = len(loaded) - len(gone), len(gone) == 1
            names = gone[0] if one else f"{', '.join(gone[:-1])} and {gone[-1]}"
            why = self.fresh[gone[0]] if one else "; ".join(f"{n}: {self.fresh[n]}" for n in gone)
            lines.append(f"Since then {names} {'does' if one else 'do'} not hold the file's weights any more "
                         f"({why}): {'it starts' if one else 'they start'} from random weights. {held} of the "
                         f"{len(loaded)} loaded layers still {'holds' if held == 1 else 'hold'} them.")
        self.report.setText("\n".join(lines))
