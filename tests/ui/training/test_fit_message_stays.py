"""The message that the design does not fit its dataset, and the reason Fit failed, stay on the training
panel while they hold (every view result that offers Fit checks the fit again: it must not flip them off)
and go away once the design fits."""

from __future__ import annotations

import pytest

from netbuilder.workbench import events as ev

pytestmark = pytest.mark.gui


def _offer_fit(trainer) -> None:
    """A view's answer "the design does not fit", as the workbench delivers it (the controller checks the
    fit again for it)."""
    wb = trainer.wb
    trainer.on_event(ev.ViewResult("evaluation", 10_000, wb.revision, offer_fit=True,
                                   message=f"{wb.misfit()}. Press Fit to give the design the dataset's shape "
                                           "and classes."))


def _switch(trainer, qtbot, name: str) -> None:
    trainer._dataset_chosen(name)
    qtbot.waitUntil(lambda: trainer.wb.dataset is not None and trainer.wb.dataset["name"] == name, timeout=30_000)


def test_the_misfit_warning_stays_while_view_results_check_it(window, trainer, qtbot):
    window.workspaces.switch("Train")
    bar = trainer.panel.messages
    _switch(trainer, qtbot, "circle")
    qtbot.waitUntil(lambda: "does not fit circle" in bar.text(), timeout=15_000)
    text = bar.text()
    for _ in range(3):  # (each of these dismissed the warning shown by the one before)
        _offer_fit(trainer)
        assert bar.text() == text and not bar.isHidden() and bar.buttons[0].isVisibleTo(bar)
        trainer.link.check_fit()
        assert bar.text() == text
    _switch(trainer, qtbot, "digits")  # the design fits again: the warning goes
    qtbot.waitUntil(bar.isHidden, timeout=15_000)
    assert trainer.link.check_fit() is None and bar.text() == ""


def test_why_fit_failed_stays_until_the_design_fits(window, trainer, qtbot):
    window.workspaces.switch("Train")
    bar = trainer.panel.messages
    _switch(trainer, qtbot, "circle")
    qtbot.waitUntil(lambda: "does not fit circle" in bar.text(), timeout=15_000)
    assert not trainer.link.fit_design()  # the example CNN cannot take 2 features
    reason = bar.text()
    assert "Conv2d works on images" in reason and bar.level == "error"
    for _ in range(3):
        _offer_fit(trainer)
        trainer.link.check_fit()
        assert bar.text() == reason and not bar.isHidden()  # not replaced, not cleared
    _switch(trainer, qtbot, "digits")
    qtbot.waitUntil(bar.isHidden, timeout=15_000)


def test_a_changed_design_makes_the_reason_fit_failed_obsolete(window, trainer, qtbot):
    """After an edit of the network's structure, the misfit is said again with its Fit button (the edit
    may have made Fit possible); a message that is not about fitting is never dismissed by the check."""
    window.workspaces.switch("Train")
    bar = trainer.panel.messages
    _switch(trainer, qtbot, "circle")
    qtbot.waitUntil(lambda: "does not fit circle" in bar.text(), timeout=15_000)
    assert not trainer.link.fit_design()
    window.document.set_param("dense_1", "units", 16)
    window.document.flush()
    qtbot.waitUntil(lambda: "does not fit circle" in bar.text(), timeout=15_000)
    assert bar.buttons[0].isVisibleTo(bar) and bar.buttons[0].property("key") == "fit_design"
    _switch(trainer, qtbot, "digits")
    qtbot.waitUntil(bar.isHidden, timeout=15_000)
    trainer.show_message("Something else to say.", "info")
    trainer.link.check_fit()  # the design fits: nothing about fitting to take back, the other message stays
    assert bar.text() == "Something else to say."


def test_train_pressed_again_after_fit_failed_says_the_same_once(window, trainer, qtbot):
    """Each press of Train after Fit failed says the refusal with why Fit cannot help, once: the text does not
    grow by nesting the last refusal inside the next."""
    window.workspaces.switch("Train")
    bar = trainer.panel.messages
    _switch(trainer, qtbot, "circle")
    qtbot.waitUntil(lambda: "does not fit circle" in bar.text(), timeout=15_000)
    assert not trainer.link.fit_design()
    said = []
    for _ in range(3):
        assert not trainer.train()
        said.append(bar.text())
    assert said[0].startswith("Cannot train yet:") and "Fit cannot change this design to fit" in said[0]
    assert said[0] == said[1] == said[2] and said[0].count("Cannot train yet") == 1
