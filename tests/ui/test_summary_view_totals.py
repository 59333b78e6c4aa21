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
