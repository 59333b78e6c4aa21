"""What ties training to the open design: the design's ``dataset`` and ``training`` dicts, its trained
weights file (saved beside the design when the design is saved, reloaded when it opens), the question
asked when the network is edited while trained weights exist, and fitting the design to the dataset.

Writes the design only through the Document (set_param edits; ``set_design_field`` when the Document
has it). Qt only (no torch: weights are read and written by background tasks).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from netbuilder.ui.training import jobs
from netbuilder.ui.training.settings import (
    input_shape_of,
    merged_settings,
    mismatch,
    structure_signature,
    weights_file_name,
)

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController


class DesignLink:
    def __init__(self, controller: TrainingController) -> None:
        self.c = controller
        self.document = controller.document
        self.training: dict[str, Any] = merged_settings(self.document.design.training)
        self.dataset: dict[str, Any] = dict(self.document.design.dataset or {"name": "digits"})
        self.has_weights = False  # host holds trained or loaded weights
        self.weights_dirty = False  # trained since the weights file was last written
        self.trained_signature: tuple | None = None
        self.policy = "keep"
        self.asked = False
        path = self.document.path
        self._seen_file: tuple[str, int] | None = (
            (str(path), Path(path).stat().st_mtime_ns) if path is not None and Path(path).exists() else None)
        self._just_opened = False
        self.pending_save: Path | None = None
        self.dataset_info: dict[str, Any] | None = None

    # ----- writing the design (through the Document) -------------------------------------------------
    def _set_field(self, name: str, value: Any, text: str) -> None:
        setter = getattr(self.document, "set_design_field", None)
        if setter is not None:
            setter(name, value, text)
        elif name == "weights":  # a file reference, not an edit of the network (see the report)
            self.document.design.weights = value

    def store_training(self, settings: dict[str, Any]) -> None:
        if settings != self.training:
            self.training = dict(settings)
            self._set_field("training", dict(settings), "change training settings")

    def store_dataset(self, name: str) -> None:
        spec = dict(self.dataset) if self.dataset.get("name") == name else {"name": name}
        if spec != self.dataset:
            self.dataset = spec
            self._set_field("dataset", dict(spec), f"train on {name}")

    # ----- the design replaced (new, open) --------------------------------------------------------------
    def design_replaced(self) -> None:
        design = self.document.design
        self.training = merged_settings(design.training)
        self.dataset = dict(design.dataset or {"name": "digits"})
        self.has_weights = self.weights_dirty = self.asked = False
        self.trained_signature, self.policy, self.pending_save = None, "keep", None
        self._just_opened, self._seen_file = True, None
        self.c.host_reset()
        if design.weights and self.document.path is not None:
            self.load_weights(Path(self.document.path).parent / design.weights)

    def load_weights(self, path: Path) -> None:
        snapshot = self.document.snapshot()
        self.c.tasks.submit("load_weights", lambda: jobs.load_design_weights(self.c.host, snapshot, path))

    def weights_loaded(self, result: dict[str, Any]) -> None:
        if "error" in result:
            self.c.show_message(f"The trained weights could not be loaded: {result['error']}. The design opened "
                                "with fresh weights.", "warning")
            return
        self.has_weights, self.weights_dirty = bool(result["kept"]), False
        self.trained_signature = structure_signature(self.document.graph)
        dropped = f"; {len(result['dropped'])} layers did not fit and start fresh" if result["dropped"] else ""
        self.c.show_message(f"Loaded the trained weights of {len(result['kept'])} layers from "
                            f"{Path(result['path']).name}{dropped}.", "info")
        self.c.refresh_idle_views()

    # ----- trained ----------------------------------------------------------------------------------
    def trained(self, signature: tuple) -> None:
        self.has_weights, self.weights_dirty = True, True
        self.trained_signature, self.policy, self.asked = signature, "keep", False
        path = self.document.path
        name = self.document.design.weights or weights_file_name(self.document.design.name,
                                                                 Path(path).stem if path else None)
        if self.document.design.weights != name:
            self._set_field("weights", name, "trained weights")

    # ----- saving -------------------------------------------------------------------------------------
    def file_changed(self) -> None:
        """After a save the design file is newer: write the weights beside it."""
        path = self.document.path
        if path is None:
            self._just_opened = False
            return
        if self.document.is_modified or not Path(path).exists():
            return
        seen = (str(path), Path(path).stat().st_mtime_ns)
        if self._just_opened or seen == self._seen_file:
            self._just_opened, self._seen_file = False, seen
            return
        moved = self._seen_file is None or self._seen_file[0] != seen[0]
        self._seen_file = seen
        if self.has_weights and self.document.design.weights and (self.weights_dirty or moved):
            self.save_weights(Path(path).parent / self.document.design.weights)

    def save_weights(self, target: Path) -> None:
        if self.c.running:
            self.pending_save = target
            return
        self.pending_save = None
        self.c.tasks.submit("save_weights", lambda: {"path": jobs.save_model_weights(self.c.host, target)})

    def weights_saved(self, result: dict[str, Any]) -> None:
        if "error" in result:
            self.c.show_message(f"The trained weights could not be saved: {result['error']}", "error")
            return
        self.weights_dirty = False
        self.c.status(f"Saved the trained weights to {result['path']}")

    # ----- the network edited while trained weights exist -----------------------------------------------
    def network_changed(self) -> None:
        if not self.has_weights or self.trained_signature is None or self.asked:
            return
        if structure_signature(self.document.graph) == self.trained_signature:
            return
        self.asked = True
        self.c.show_message("The network changed since it was trained. Keep the trained weights of the layers "
                            "that did not change, or start fresh?", "info",
                            (("keep_weights", "Keep unchanged layers"), ("fresh_weights", "Start fresh")))

    def answer(self, key: str) -> None:
        if key == "fresh_weights":
            self.policy = "fresh"
            self.c.status("The next run starts from fresh weights")
        elif key == "keep_weights":
            self.policy = "keep"
            self.c.status("The next run keeps the weights of the layers that did not change")
        elif key == "fit_design":
            self.fit_design()

    # ----- the design against the dataset -------------------------------------------------------------
    def check_fit(self, info: dict[str, Any]) -> str | None:
        self.dataset_info = info
        graph = self.document.graph
        classes = None
        outputs = [n for n in graph.iter_nodes() if n.kind == "output"]
        node = self.document.analysis.nodes.get(outputs[0].id) if len(outputs) == 1 else None
        if node is not None and node.shape is not None and len(node.shape) == 1:
            classes = int(node.shape[0])
        problem = mismatch(input_shape_of(graph), classes, info["input_shape"], len(info["class_names"]))
        if problem:
            self.c.show_message(f"The design does not fit {info['name']}: {problem}.", "warning",
                                (("fit_design", "Fit the design to the dataset"),))
        elif self.c.panel.messages.buttons[0].property("key") == "fit_design":
            self.c.panel.messages.dismiss()
        return problem

    def fit_design(self) -> bool:
        """Give the design the dataset's input shape and class count, as one undo step of set_param edits."""
        from netbuilder.errors import NetbuilderError
        from netbuilder.presets import fit_design

        info = self.dataset_info
        if info is None:
            return False
        current = self.document.snapshot()
        try:
            fitted = fit_design(current, list(info["input_shape"]), len(info["class_names"]))
        except NetbuilderError as e:
            self.c.show_message(str(e), "error")
            return False
        changes = [(n.id, k, v) for n in fitted.graph.iter_nodes() for k, v in n.params.items()
                   if current.graph.node(n.id).params.get(k) != v]
        stack = self.document.undo_stack
        stack.beginMacro(f"fit the design to {info['name']}")
        try:
            for node_id, name, value in changes:
                self.document.set_param(node_id, name, value)
        finally:
            stack.endMacro()
        self.document.flush()
        self.c.status(f"Fitted the design to {info['name']}: {len(changes)} setting(s) changed (undo reverts it)")
        return True
