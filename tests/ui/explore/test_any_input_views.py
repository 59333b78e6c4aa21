"""Explain, Adversarial and Inside look at any input (the real window, offscreen, the 8×8 digits and the
example CNN): an image file, a test image by its number (any of the test split, not a preview), a drawing;
an unreadable file is one line and changes nothing; a misclassified example of the Evaluation view opens in
Explain."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def _seven(path) -> str:
    """A white 7 on black, 64×64 pixels, saved as a PNG."""
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    painter.setPen(QPen(QColor("white"), 9))
    painter.drawLine(12, 12, 52, 12)
    painter.drawLine(52, 12, 24, 56)
    painter.end()
    assert image.save(str(path))
    return str(path)


def _ready(qtbot, picker) -> None:
    """The dataset described to the window (its shape and split sizes reach the input choice)."""
    qtbot.waitUntil(lambda: picker.input_shape == [1, 8, 8] and picker.sizes.get("test") == 270, timeout=30_000)


def _double_click(widget, pos: QPoint) -> None:
    """A double-click as the platform delivers it (press, release, double-click, release)."""
    p, left, none = QPointF(pos), Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, buttons in ((QEvent.Type.MouseButtonPress, left), (QEvent.Type.MouseButtonRelease, none),
                          (QEvent.Type.MouseButtonDblClick, left), (QEvent.Type.MouseButtonRelease, none)):
        QApplication.sendEvent(widget, QMouseEvent(kind, p, widget.mapToGlobal(p), left, buttons,
                                                   Qt.KeyboardModifier.NoModifier))


def _digits():
    from netbuilder.data import load_dataset

    return load_dataset("digits")


def test_explain_an_image_file_and_an_unreadable_one_changes_nothing(window, explore, show, wait_result, tmp_path,
                                                                      qtbot):
    show(explore, "explain")
    view, picker = explore.explain, explore.explain.bar.picker
    wait_result(explore, "explain")
    _ready(qtbot, picker)
    assert [picker.source.itemData(i) for i in range(picker.source.count())] == [
        "sample", "test", "val", "drawing", "file"]
    r = wait_result(explore, "explain", after=lambda: picker.open_image(_seven(tmp_path / "seven.png")))
    assert picker.kind == "file" and picker.open_button.isVisible()
    assert r["input"] == "seven.png" and r["label"] is None and r["image"].shape == (8, 8)
    assert r["image"].max() > 0.5 and r["image"][1:3].sum() > r["image"][5:7].sum()  # the 7's bar on top
    for key in ("saliency", "grad_cam", "occlusion"):
        assert r[key].shape == (8, 8) and r[f"{key}_overlay"].shape == (96, 96, 3)
    assert all(image.has_image for image in view.images.values())
    assert view.images["image"].caption == "seven.png (no label)"
    assert view.info.text().startswith("The network says")
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not an image at all" * 20)
    assert not picker.open_image(str(tmp_path / "bad.png"))
    assert view.info.text() == "bad.png: not a readable image; the input stays as it was"
    qtbot.wait(300)  # (no question was asked: the answer shown stays)
    assert explore.results["explain"] is r and view.result is r and not explore.wb.busy
    assert picker.kind == "file" and picker.file_name == "seven.png"
    assert all(image.has_image for image in view.images.values())
    again = wait_result(explore, "explain", after=lambda: explore.request("explain", now=True))
    assert again["input"] == "seven.png" and np.array_equal(again["image"], r["image"])


def test_a_test_image_by_number_and_a_drawing(window, explore, show, wait_result, qtbot):
    show(explore, "explain")
    view, picker = explore.explain, explore.explain.bar.picker
    wait_result(explore, "explain")
    _ready(qtbot, picker)
    data = _digits()
    picker.source.setCurrentIndex(picker.source.findData("test"))
    assert picker.number.isVisible() and not picker.sample.isVisible()
    assert picker.number.maximum() == 269  # the whole test split, not the 16 previews
    r = wait_result(explore, "explain", after=lambda: picker.number.setValue(269))
    label = int(data.y_test[269])
    assert r["input"] == "test image 269" and r["label"] == label
    assert np.allclose(r["image"], data.x_test[269][0].numpy() * data.scale)
    assert view.images["image"].caption == f"test image 269: {label}"
    picker.source.setCurrentIndex(picker.source.findData("drawing"))
    assert picker.pad.isVisible()
    r = wait_result(explore, "explain", after=lambda: (
        qtbot.mousePress(picker.pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 30)),
        qtbot.mouseMove(picker.pad, QPoint(80, 80)),
        qtbot.mouseRelease(picker.pad, Qt.MouseButton.LeftButton, pos=QPoint(80, 80))))
    assert r["input"] == "your drawing" and r["label"] is None and r["image"].max() > 0.3
    assert view.images["saliency"].has_image


def test_an_image_file_not_opened_yet_says_what_to_do(window, explore, show, wait_result, qtbot):
    show(explore, "inside")
    picker = explore.inside.bar.picker
    wait_result(explore, "inside")
    _ready(qtbot, picker)
    r = wait_result(explore, "inside", after=lambda: picker.source.setCurrentIndex(picker.source.findData("file")))
    assert r == {"error": "open an image file first (Open image…)"}
    assert explore.inside.rf_info.text() == "No feature maps: open an image file first (Open image…)"


def test_adversarial_attacks_the_prediction_of_an_image_file(window, explore, show, wait_result, tmp_path, qtbot):
    show(explore, "adversarial")
    view, picker = explore.adversarial, explore.adversarial.bar.picker
    wait_result(explore, "adversarial")
    _ready(qtbot, picker)
    r = wait_result(explore, "adversarial", after=lambda: picker.open_image(_seven(tmp_path / "seven.png")))
    assert not r["labelled"] and r["label"] == r["before"] and r["input"] == "seven.png"
    assert "no label: attacking the prediction" in view.info.text() and "true class" not in view.info.text()
    assert view.images["image"].caption == "original, seven.png (no label)"
    inside = explore.inside.bar.picker
    assert inside.kind == "sample"  # (each view keeps its own input)


def test_a_misclassified_example_opens_in_explain(window, explore, wait_result, qtbot):
    """The Evaluation view's gallery on the test set (the untrained example network: many mistakes): a
    double-click (or Enter) on a misclassified sample explains that very image of the test split in
    Explore ▸ Explain, where the network makes the same mistake."""
    _ready(qtbot, explore.explain.bar.picker)
    window.workspaces.show_dock("Evaluation")
    evaluation = window.training.evaluation
    evaluation.split_box.setCurrentIndex(evaluation.split_box.findData("test"))
    gallery = evaluation.gallery
    qtbot.waitUntil(lambda: (evaluation.data or {}).get("split") == "test" and gallery.count() > 0
                    and gallery.isVisible(), timeout=30_000)
    d = evaluation.data
    first = int(gallery.item(0).data(Qt.ItemDataRole.UserRole))
    assert d["labels"][first] != d["preds"][first] and f"test image {first}" in gallery.item(0).toolTip()
    gallery.setCurrentRow(0)
    with qtbot.waitSignal(evaluation.example_opened, timeout=2000) as opened:
        qtbot.keyClick(gallery, Qt.Key.Key_Return)
    assert opened.args == ["test", first]
    window.workspaces.show_dock("Evaluation")
    qtbot.waitUntil(lambda: gallery.isVisible() and gallery.count() > 1, timeout=5000)
    qtbot.wait(50)  # (the icon grid laid out)
    d, item = evaluation.data, gallery.item(1)  # (shown again: evaluated again, the same network)
    index = int(item.data(Qt.ItemDataRole.UserRole))
    explore.results.pop("explain", None)
    _double_click(gallery.viewport(), gallery.visualItemRect(item).center())
    assert window.workspaces.current == "Explore"
    qtbot.waitUntil(lambda: explore.views["explain"].isVisible(), timeout=5000)
    r = wait_result(explore, "explain")
    label = int(_digits().y_test[index])
    assert r["input"] == f"test image {index}" and r["label"] == label == int(d["labels"][index])
    assert int(np.argmax(r["probs"])) == int(d["preds"][index]) != label  # the mistake, seen again
    picker = explore.explain.bar.picker
    assert picker.kind == "test" and picker.number.value() == index
    assert explore.explain.images["image"].caption == f"test image {index}: {label}"


def test_a_long_caption_is_shortened_in_its_middle_with_the_whole_as_tooltip(qtbot):
    """A long file name as the input's caption: its start and its end show, the whole in the tooltip (it was
    drawn centred and cut at both ends)."""
    import numpy as np

    from netbuilder.ui.explore.widgets import ImageView

    view = ImageView("input", 120)
    qtbot.addWidget(view)
    view.resize(200, 160)
    caption = "drawn_on_the_tablet_in_class_on_tuesday_afternoon_with_a_thick_pen.png (no label)"
    view.set_array(np.zeros((8, 8), np.float32), caption)
    view.grab()  # (painted)
    assert view.toolTip() == caption
    view.set_array(np.zeros((8, 8), np.float32), "sample 3: 3")
    view.grab()
    assert view.toolTip() == ""


def test_the_empty_drawing_pad_says_how_to_draw_on_screen_only(qtbot):
    """An empty pad was a black square saying nothing; it now says "Draw here" (on screen: the network's
    input stays black), and says it again after a right click clears it."""
    from netbuilder.ui.training.input_picker import DrawPad

    pad = DrawPad()
    qtbot.addWidget(pad)
    pad.show()
    shown = pad.grab().toImage()
    grey = {shown.pixelColor(x, y).red() for x in range(0, 112, 2) for y in range(40, 72, 2)}
    assert pad.blank and max(grey) > 100  # the hint's grey letters
    assert pad.array([1, 28, 28]).max() == 0  # not in the input
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 30))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 30))
    assert not pad.blank and pad.array([1, 28, 28]).max() > 0.5
    qtbot.mousePress(pad, Qt.MouseButton.RightButton, pos=QPoint(30, 30))
    assert pad.blank and pad.array([1, 28, 28]).max() == 0
