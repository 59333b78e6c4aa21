"""The summary view's total row counts layers, not the Input and Output nodes ("429 layers" for
DenseNet-121, which has 427)."""

from __future__ import annotations


def test_the_total_row_counts_layers_only(qapp):
    from netbuilder.presets import build_preset
    from netbuilder.ui.document import Document
    from netbuilder.ui.summary_view import SummaryView

    design = build_preset("lenet5")
    doc = Document(design)
    view = SummaryView(doc)
    try:
        view.show_analysis(doc.analysis)
        kinds = [n.kind for n in doc.graph.iter_nodes()]
        layers = len([k for k in kinds if k not in ("input", "output")])
        last = view.table.rowCount() - 1
        assert view.table.item(last, 0).text() == "Total"
        assert view.table.item(last, 1).text() == f"{layers} layers"
        assert view.table.rowCount() - 1 == layers + 2  # the Input and Output rows stay in the table
    finally:
        view.deleteLater()
        doc.deleteLater()


def test_locked_layers_are_marked_and_the_totals_split_into_trained_and_locked(qapp):
    """Transfer learning: the Summary counted every parameter alike; a locked layer's now say so, and the
    totals split as Keras's summary does (trainable, non-trainable); an Unlock (Undo) takes it back."""
    from netbuilder.ui.app import build_digits_cnn
    from netbuilder.ui.document import Document
    from netbuilder.ui.summary_view import SummaryView

    doc = Document(build_digits_cnn())
    view = SummaryView(doc)
    view.set_shown(True)
    try:
        rows = lambda: {view.table.item(r, 0).text(): view.table.item(r, 3).text()  # noqa: E731
                        for r in range(view.table.rowCount())}
        assert "" not in rows()  # nothing locked: no split row
        assert doc.set_frozen(["conv2d_1"], True)
        conv = doc.analysis.nodes["conv2d_1"].params
        total = doc.analysis.total_params
        shown = rows()
        assert shown["conv2d_1"] == f"{conv:,} (locked)" and shown["dense_1"] == f"{doc.analysis.nodes['dense_1'].params:,}"
        assert shown[""] == f"{total - conv:,} / {conv:,}" and shown["Total"] == f"{total:,}"
        doc.undo_stack.undo()
        assert "" not in rows() and rows()["conv2d_1"] == f"{conv:,}"
    finally:
        view.deleteLater()
        doc.deleteLater()
