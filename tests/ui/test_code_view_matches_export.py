"""The Code view shows the code File ▸ Export writes: the same normalisation, class names and input contract,
picked by the same workbench path (the trained weights' record, else the bound dataset's when it fits); only
the weights lines differ, the view naming the trained weights an export would carry. It showed the bare
network ("normalise it as it was in training", "Weights: untrained") whatever was bound or trained."""

from __future__ import annotations

import pytest

from netbuilder.workbench import events as ev

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def session(settled_workbench):
    from netbuilder.ui.app import default_example

    s = settled_workbench()
    s.wb.warm_up()
    s.pump(lambda e: isinstance(e, ev.Ready))
    s.open(default_example())
    s.wb.set_dataset({"name": "digits"})
    s.pump(lambda e: isinstance(e, ev.DatasetLoaded))
    yield s
    assert s.wb.shutdown(20)


def without_weights(source: str) -> str:
    """The source less its weights lines: the docstring's "Weights:" paragraph and WEIGHTS_FILE."""
    out, skipping = [], False
    for line in source.splitlines():
        skipping = line.startswith("Weights: ") or (skipping and bool(line.strip()))
        if not skipping and not line.startswith("WEIGHTS_FILE = "):
            out.append(line)
    return "\n".join(out)


def code_and_export(s, path) -> tuple[str, str]:
    code = s.done(s.wb.python_code(s.wb.state.design)).value
    s.done(s.wb.export(path, "python"))
    return code, path.read_text()


def test_the_code_view_shows_the_export_before_and_after_training(session, tmp_path):
    code, exported = code_and_export(session, tmp_path / "fresh.py")
    assert code == exported  # untrained: the very same file
    for text in ("self.input_normalize = Normalize(mean=[", "x = self.input_normalize(input_1)",
                 'CLASS_NAMES = ["0", "1",', "raw values × 0.0625 (0–16", "Weights: untrained"):
        assert text in code
    assert "normalise it as it was in training" not in code

    started, message, _ = session.wb.train({"epochs": 1, "batch_size": 64})
    assert started, message
    ended = session.pump(lambda e: isinstance(e, ev.RunEnded))
    assert ended.outcome.kind == "finished" and session.wb.has_weights
    code, exported = code_and_export(session, tmp_path / "trained.py")
    assert without_weights(code) == without_weights(exported)
    assert "Weights: trained, in trained.weights.safetensors" in exported
    assert "Weights: trained weights; an export" in code and "WEIGHTS_FILE = None" in code


def test_after_an_edit_the_view_names_the_weights_an_export_would_carry(session, tmp_path):
    import copy

    from netbuilder.graph import Design, Edge, Graph, Node

    started, message, _ = session.wb.train({"epochs": 1, "batch_size": 64})
    assert started, message
    session.pump(lambda e: isinstance(e, ev.RunEnded))
    edited = copy.deepcopy(session.wb.state.design)
    edited.graph.set_param("dense_1", "units", 20)  # dense_1 and dense_2 start fresh, the convolution keeps its
    session.open(edited, replaced=False)
    code, exported = code_and_export(session, tmp_path / "edited.py")
    assert without_weights(code) == without_weights(exported) and "Normalize(mean=[" in code
    assert "Weights: trained weights, but" in code and "dense_1" in code.split("Weights: ")[1].split("\n\n")[0]

    g = Graph()  # another structure on the same dataset: no layer of it fits the trained tensors
    for nid, kind, params in (("input_1", "input", {"shape": [1, 8, 8]}), ("flat", "flatten", {}),
                              ("head", "dense", {"units": 10}), ("output_1", "output", {})):
        g.insert_node(Node(nid, kind, params))
    for a, b in (("input_1", "flat"), ("flat", "head"), ("head", "output_1")):
        g.insert_edge(Edge(a, b))
    session.open(Design(g, name="digits_cnn", dataset={"name": "digits"}), replaced=False)
    assert session.wb.has_weights  # (trained weights, for another structure: an export has none to carry)
    code, exported = code_and_export(session, tmp_path / "other.py")
    assert code == exported and "Weights: untrained" in code and "Normalize(mean=[" in code


def test_the_view_asks_again_when_the_dataset_loads_or_weights_arrive(qtbot):
    from PySide6.QtCore import QObject, Signal

    from netbuilder.ui.app import default_example
    from netbuilder.ui.code_view import CodeView
    from netbuilder.ui.document import Document

    class Bridge(QObject):
        received = Signal(object)

        def __init__(self) -> None:
            super().__init__()
            self.workbench = self
            self.asked: list = []

        def python_code(self, design) -> int:
            self.asked.append(design)
            return len(self.asked)

    doc = Document(default_example())
    view = CodeView(doc)
    qtbot.addWidget(view)
    bridge = Bridge()
    view.attach(bridge)
    view.set_shown(True)
    qtbot.waitUntil(lambda: len(bridge.asked) == 1, timeout=5000)
    bridge.received.emit(ev.TaskDone("code", 1, "# the code"))
    assert view.toPlainText() == "# the code"
    bridge.received.emit(ev.DatasetLoaded({"name": "digits"}, {}))
    qtbot.waitUntil(lambda: len(bridge.asked) == 2, timeout=5000)
    bridge.received.emit(ev.TaskDone("load_weights", 99, {"kept": ["conv2d_1"]}))
    qtbot.waitUntil(lambda: len(bridge.asked) == 3, timeout=5000)
