"""One layer in view: a layer chosen in a view's list of layers is selected on the canvas too.

Selecting a layer on the canvas already picks it in the views' lists (Feature maps, Filters, Explain's
Grad-CAM layer, Inside the network); the other way round, a choice in a list left the canvas and the
inspector on another layer, and a lesson step that asked to "select conv2d_1" was not met by choosing it
where the step pointed (the Filters view). ``select_on_choice`` closes that loop: the user's choice
(``activated``: never a change the program makes, so the two directions cannot chase each other) selects
the layer in the document, whose selection the canvas, the inspector and the views follow. Qt only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox


def select_on_choice(box: QComboBox, document, by_data: bool = False) -> None:
    """When the user picks an entry of ``box`` naming a layer of ``document`` (its text, or with ``by_data``
    its item data: a list whose first entry is a default such as "first layer with maps"), select that
    layer. Entries that name no layer (the default) change nothing."""

    def chosen(_index: int) -> None:
        node = box.currentData() if by_data else box.currentText()
        if isinstance(node, str) and node in document.graph and document.selection != [node]:
            document.select([node])

    box.activated.connect(chosen)
