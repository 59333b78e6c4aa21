"""The Training panel and the design's training settings (rule 10: they live in the design, edited through the
Document).

The panel always shows the design's settings: after every change of them (an edit, an Undo, the Overfitting
lab's weight decay, another design), during a run too (its locked fields just show the values; a paused
run's live ones are editable and resuming sends the design's values: ``TrainingController.resume``), and
again when a run ends. An edit of one field writes that field only into the design, never the whole form,
as one undo step named for it ("set the learning rate to 0.05"); repeated edits of that one field merge
(``ui.undo.DesignAttrCommand``).

No Qt import of its own; never torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netbuilder.ui.training.settings import edit_text, edited_training, schedule_preview

if TYPE_CHECKING:
    from netbuilder.ui.training.controller import TrainingController


class SettingsLink:
    def __init__(self, controller: TrainingController) -> None:
        self.c = controller
        controller.panel.settings_edited.connect(self.edited)

    def edited(self, key: str) -> None:
        """The student changed the panel's field ``key``: that one setting goes into the design."""
        c = self.c
        value = c.panel.value(key)
        training = edited_training(c.document.design.training, key, value)
        if not c.document.set_design_field("training", training, edit_text(key, value)):
            self.show()  # nothing changed (the design already says so): the form shows the design again

    def show(self) -> None:
        """The panel shows the design's settings, and the schedule they make."""
        self.c.panel.set_settings(self.c.settings())
        self.update_schedule_preview()

    def update_schedule_preview(self) -> None:
        c = self.c
        settings = c.settings()
        preview = schedule_preview(settings)
        if preview is not None:
            c.panel.show_schedule(*preview)
        if not c.running:
            c.curves.plan_epochs(settings.get("epochs"))
