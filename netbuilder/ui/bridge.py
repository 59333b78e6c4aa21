"""The one adapter between the workbench and Qt: the workbench posts typed events from its executor's
thread; ``Bridge.post`` hands them to the GUI thread (a queued signal), where the workbench settles them
(``accept``: mirrors, stale marks) and ``received`` gives them to the controllers, which dispatch on type.

Also the GUI thread's own boundary: ``guard`` wraps a slot so an unexpected exception is logged and shown
as one line naming the log file, never a traceback.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from netbuilder import log
from netbuilder.workbench import Workbench
from netbuilder.workbench.events import Event, Ready, RunPrepared


def freeze_long_lived() -> None:
    """Move the objects alive now out of the cyclic collector's way (``gc.freeze``): once torch is loaded
    and the window is up (torch's modules, the widgets: some 230,000, which live as long as the app), and
    when a run has been prepared (its model, data and optimiser, 50,000-150,000 new objects that live at
    least as long as the run). Each collection on the GUI thread then walks only what was made since:
    without this, the first collections of a run took 30-60 ms each, holding the GIL the training needs."""
    gc.freeze()


class Bridge(QObject):
    received = Signal(object)  # a settled workbench event, on the GUI thread
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.workbench = Workbench(self.post)
        self._closed = False

    def post(self, event: Event) -> None:  # any thread
        if not self._closed:
            self._posted.emit(event)

    @Slot(object)
    def _deliver(self, event: Event) -> None:
        if self._closed:
            return
        try:
            settled = self.workbench.accept(event)
            if settled is not None:
                self.received.emit(settled)
            if isinstance(settled, Ready | RunPrepared):
                freeze_long_lived()
        except Exception as e:  # noqa: BLE001  (the GUI thread's boundary for workbench events)
            log.report_unexpected(e, f"handling {type(event).__name__}")

    def shutdown(self, timeout: float = 20.0) -> bool:
        ended = self.workbench.shutdown(timeout)
        self._closed = True
        return ended


def guard(where: str, on_error: Callable[[str], Any] | None = None):
    """Decorate a slot: an unexpected exception is logged (``netbuilder.log``) and, when ``on_error`` is
    given, shown as one line; under --debug it is raised."""
    def wrap(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                line = log.report_unexpected(e, where)
                if on_error is not None:
                    on_error(line)
                return None
        return call
    return wrap


class DesignSync(QObject):
    """Keeps the workbench's design in step with the Document: after each analysis (coalesced, one per
    edit batch), when a design is opened, and at once when a section beside the graph changes (its
    training settings: locked layers, seed …; its dataset), so an export or a run reads the design as it
    is. The revision goes up when the network's structure changes (a move, a lock or a setting does not
    change what a model computes: results and trained weights stay current)."""

    def __init__(self, document, workbench: Workbench, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document, self.workbench = document, workbench
        self.revision = 0
        self._signature: tuple | None = None
        self._replacing = False  # a design is being opened: its analysis is followed by design_replaced
        document.graph.subscribe(self._graph_event)
        document.analysis_updated.connect(lambda _a: None if self._replacing else self.sync())
        document.design_replaced.connect(lambda: self.sync(replaced=True))
        document.design_field_changed.connect(self._field_changed)
        self.sync(replaced=True)

    def _field_changed(self, name: str) -> None:
        """The design's training settings or dataset changed (an edit, its Undo or Redo): the workbench has
        them at once, for the same revision; while an edit's analysis is pending, its sync brings them."""
        from netbuilder.workbench.fit import structure_signature

        if name in ("training", "dataset") and not self._replacing:
            if structure_signature(self.document.graph) == self._signature:
                self.sync()

    def _graph_event(self, event) -> None:
        if event.kind == "reset":  # Document.set_design: one sync, on design_replaced (not a snapshot per signal)
            self._replacing = True

    def sync(self, replaced: bool = False) -> None:
        from netbuilder.workbench.fit import input_shape_of, structure_signature

        if replaced:
            self._replacing = False
        doc = self.document
        signature = structure_signature(doc.graph)
        if replaced or signature != self._signature:
            self.revision += 1
            self._signature = signature
        analysis = doc.analysis
        outputs = [n for n in doc.graph.iter_nodes() if n.kind == "output"]
        info = analysis.nodes.get(outputs[0].id) if len(outputs) == 1 else None
        classes = int(info.shape[0]) if info is not None and info.shape is not None and len(info.shape) == 1 else None
        self.workbench.set_design(doc.snapshot(), self.revision, problems=[str(d) for d in analysis.errors],
                                  input_shape=input_shape_of(doc.graph), classes=classes,
                                  parameters=int(analysis.total_params), replaced=replaced, signature=signature)
