"""The main window: menus and shortcuts, clipboard, palette search and double-click, status bar,
summary and code views."""

import pytest
from PySide6.QtGui import QKeySequence

from netbuilder import presets

pytestmark = pytest.mark.gui


def test_menus_and_toolbar(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Design", "Train", "Help"]
    a = window.actions_
    assert a["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert a["copy"].shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)
    assert {d for d in window.docks} >= {"Palette", "Inspector", "Problems", "Summary", "Code"}
    assert window.tabifiedDockWidgets(window.docks["Problems"])


def test_edit_menu_says_what_will_be_undone(window):
    assert not window.actions_["undo"].isEnabled()
    window.document.set_param("dense_1", "units", 20)
    assert window.actions_["undo"].text() == "&Undo set dense_1.units = 20"
    window.actions_["undo"].trigger()
    assert window.document.graph.node("dense_1").params["units"] == 32
    assert window.actions_["redo"].text().startswith("&Redo set dense_1.units")


def test_status_bar_totals(window, qtbot):
    text = window.totals_label.text()
    assert text == "4,538 parameters · 9,024 MACs · design valid", text  # (it said "0.01 M MACs")
    window.document.set_design(presets.build_preset("neuron"))
    assert window.totals_label.text() == "3 parameters · 2 MACs · design valid"  # (was "0.00 M MACs")
    assert window.device_label.text() == "device: CPU"


def test_copy_paste_cut_duplicate(window, qtbot):
    doc = window.document
    doc.select(["dense_1", "relu_2"])
    window.actions_["copy"].trigger()
    window.actions_["paste"].trigger()
    assert {"dense_3", "relu_3"} <= set(doc.graph.nodes)
    assert any(e.src == "dense_3" and e.dst == "relu_3" for e in doc.graph.edges)
    assert doc.selection == ["dense_3", "relu_3"]
    window.actions_["duplicate"].trigger()
    assert {"dense_4", "relu_4"} <= set(doc.graph.nodes)
    window.actions_["cut"].trigger()
    assert "dense_4" not in doc.graph
    window.actions_["paste"].trigger()
    assert "dense_4" in doc.graph
    n = doc.undo_stack.count()
    for _ in range(n):
        doc.undo_stack.undo()
    assert not {"dense_3", "dense_4"} & set(doc.graph.nodes)


@pytest.mark.parametrize(("clipboard", "message"), [
    ("[1, 28, 28]", "Nothing to paste: the clipboard holds no netbuilder layers"),
    ("hello", "Nothing to paste: the clipboard holds no netbuilder layers"),
    ('{"format": "netbuilder-subgraph/1", "nodes": [{"id": "d", "kind": "dense", "params": {"units": 1e400}}]}',
     "Cannot paste these layers: nodes[0].params.units: 1e400 is too large a number"),
    ('{"format": "netbuilder-subgraph/1", "nodes": [{"id": "d", "kind": "dense"}], "edges": [{"src": "d", "dst": "x"}]}',
     "Cannot paste these layers: edges[0].dst: no node named 'x'"),
    ('{"format": "netbuilder-subgraph/1", "nodes": [{"id": "d", "kind": "densse"}]}',
     "Cannot paste these layers: nodes[0].kind: "),
])
def test_pasting_what_is_not_layers_says_so_and_changes_nothing(window, clipboard, message):
    from PySide6.QtWidgets import QApplication

    doc = window.document
    before = set(doc.graph.nodes)
    QApplication.clipboard().setText(clipboard)
    window.actions_["paste"].trigger()  # no exception reaches the error box
    assert set(doc.graph.nodes) == before and doc.undo_stack.count() == 0
    assert window.statusBar().currentMessage().startswith(message)


def test_pasted_settings_the_editor_cannot_show_still_paste_as_a_file_would_open(window):
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText('{"format": "netbuilder-subgraph/1", "nodes": [{"id": "d", "kind": "dense", '
                                     '"params": {"units": "many"}, "pos": [0, 0]}]}')
    window.actions_["paste"].trigger()
    (new,) = window.document.selection
    assert window.document.graph.node(new).params["units"] == "many"  # Problems names it; Inspector marks it
    assert window.inspector.editors["units"].property("unfit")


def test_delete_key_removes_selected_nodes_and_edges(window, qtbot):
    from PySide6.QtCore import Qt

    from netbuilder.graph import Edge

    doc = window.document
    window.scene.edges[Edge("relu_2", "dense_2", 0)].setSelected(True)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert Edge("relu_2", "dense_2", 0) not in doc.graph.edges and "relu_2" in doc.graph
    doc.select(["flatten_1"])
    window.actions_["delete"].trigger()
    assert "flatten_1" not in doc.graph


def test_palette_search_and_double_click_inserts_after_selection(window, qtbot):
    palette = window.palette_view
    palette.search.setText("drop")
    visible = [k for k, item in palette.items.items() if not item.isHidden()]
    assert visible == ["dropout", "dropout2d"]
    assert "Dropout" in palette.items["dropout"].toolTip(0)
    palette.search.clear()
    assert not palette.items["dense"].isHidden()
    doc = window.document
    doc.select(["dense_1"])
    palette._on_double_click(palette.items["dropout"])
    assert doc.graph.edge_into("dropout_1", 0).src == "dense_1"
    assert doc.graph.edge_into("relu_2", 0).src == "dropout_1"
    assert doc.undo_stack.count() == 1 and doc.selection == ["dropout_1"]


def test_summary_view_lists_every_layer_with_totals(window, qtbot):
    doc = window.document
    model = window.summary.table
    window.docks["Summary"].raise_()
    qtbot.waitUntil(lambda: window.summary.shown)
    assert model.rowCount() == len(doc.graph) + 1
    assert model.item(1, 0).text() == "conv2d_1" and model.item(1, 3).text() == "80"
    assert model.item(model.rowCount() - 1, 3).text() == "4,538"
    doc.set_param("dense_2", "units", 5)
    qtbot.waitUntil(lambda: model.item(model.rowCount() - 1, 3).text() != "4,538")


def test_direction_toggle_relays_out_left_to_right(window, qtbot):
    doc = window.document
    window.actions_["direction"].trigger()
    assert doc.direction == "LR" and window.actions_["direction"].isChecked()
    assert doc.graph.node("output_1").pos[0] > doc.graph.node("input_1").pos[0]
    item = window.scene.nodes["dense_1"]
    assert item.out_port.pos().x() > 0 and item.out_port.pos().y() == 0
    doc.undo_stack.undo()
    assert doc.direction == "TB" and not window.actions_["direction"].isChecked()


@pytest.mark.slow
def test_code_view_shows_pytorch_code_only_when_visible(window, qtbot):
    code = window.code
    window.document.set_param("dense_1", "units", 30)
    qtbot.wait(400)
    assert code.toPlainText() == "" and not code.shown  # nothing generated while its tab is hidden
    window.docks["Code"].raise_()
    qtbot.waitUntil(lambda: "class" in code.toPlainText() or "def forward" in code.toPlainText(), timeout=60_000)
    assert "conv2d_1" in code.toPlainText() and "30" in code.toPlainText()
    window.document.delete(["flatten_1"])
    qtbot.waitUntil(lambda: "cannot be compiled" in code.toPlainText(), timeout=10_000)


def test_copy_then_quit_exits_cleanly(tmp_path):
    """PySide6 crashed at interpreter exit (SIGSEGV) when our mime data was left on the clipboard."""
    import os
    import subprocess
    import sys

    code = ("from netbuilder.ui.app import make_application, default_example\n"
            "from netbuilder.ui.main_window import MainWindow\n"
            "app = make_application()\n"
            "w = MainWindow(probe_device=False); w.set_design(default_example()); w.show()\n"
            "w.document.select(['dense_1']); w.copy(); w.paste(); app.processEvents()\n"
            "w.files.ask_unsaved = lambda: 'discard'; w.close(); app.processEvents(); print('closed')\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NETBUILDER_DATA_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0 and "closed" in out.stdout, out.stderr[-2000:]


def test_a_message_in_the_status_bar_leaves_the_totals_shown(window):
    window.statusBar().showMessage("The design does not fit digits", 5000)
    assert window.totals_label.isVisible() and "parameters" in window.totals_label.text()


def test_summary_rows_are_one_line_of_text_high(window):
    view = window.summary
    assert view.verticalHeader().defaultSectionSize() <= view.fontMetrics().height() + 8


def test_with_nothing_selected_a_double_clicked_layer_goes_at_the_end_of_the_network(window, qtbot):
    """File ▸ New, then Dense, ReLU, Dense double-clicked in the palette: the network the student meant,
    Input → Dense → ReLU → Dense → Output (the first Dense used to float unconnected, the rest after it,
    and the Output stayed fed by the Input: three "not on the path" warnings)."""
    doc, palette = window.document, window.palette_view
    window.new_design()
    doc.select([])
    for kind in ("flatten", "dense", "relu", "dense"):
        palette._on_double_click(palette.items[kind])
    graph = doc.graph
    chain, node = [], "input_1"
    while graph.outgoing(node):
        node = graph.outgoing(node)[0].dst
        chain.append(node)
    assert chain == ["flatten_1", "dense_1", "relu_1", "dense_2", "output_1"]
    doc.flush()
    assert doc.analysis.diagnostics == [] and set(chain) <= doc.analysis.on_path

    doc.select([])  # an Input has no end to go to: added where the view is, unconnected
    palette._on_double_click(palette.items["input"])
    assert not graph.outgoing("input_2") and not graph.incoming("input_2")
