"""The explore jobs on any input, not only the 16 preview samples: an image of the test split by its number
(stored raw, as uint8 values the previews are not), an image given as an array in [0, 1] (a drawing, an image
file read by the window) with no label, and one clear line for an input that cannot be shown."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from netbuilder.data import load_dataset  # noqa: E402
from netbuilder.workbench import events as ev  # noqa: E402
from netbuilder.workbench.explore_jobs import attack_job, explain_job, feature_map_job  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")


def _cnn() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 8 * 8, 10)).eval()


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def _seven_png(path) -> np.ndarray:
    """A white 7 on black, 40×40 pixels, written as a PNG; read back as the window's picker gives it to a
    job (the network's input shape 1×8×8, values in [0, 1]) through the project's own decoder."""
    from PIL import Image

    from netbuilder.data.images import decode_image

    pixels = np.zeros((40, 40), np.uint8)
    pixels[6:12, 8:34] = 255
    for row in range(12, 36):
        col = 34 - (row - 12) * 18 // 24
        pixels[row, col - 4:col + 2] = 255
    Image.fromarray(pixels).save(path)
    return decode_image(path, (8, 8), 1).astype(np.float32) / 255.0


@pytest.mark.parametrize("index", [0, 123, 269])
def test_a_test_image_by_number_is_explained_as_stored(digits, index):
    """Any of the 270 test images (not a preview), scaled from its raw uint8 values into [0, 1]."""
    raw, label = digits.x_test[index], int(digits.y_test[index])
    assert raw.dtype == torch.uint8 and int(raw.max()) > 1  # (raw: 0..16 here; the previews are in [0, 1])
    r = explain_job({"split": "test", "index": index}, None, None)(_cnn(), digits)
    assert np.allclose(r["image"], raw[0].numpy() * digits.scale) and r["image"].max() <= 1
    assert r["label"] == label and r["input"] == f"test image {index}"
    for key in ("saliency", "grad_cam", "occlusion"):
        assert r[key].shape == (8, 8)
    assert r["saliency"].max() > 0
    inside = feature_map_job({"split": "test", "index": index}, None)(_cnn(), digits)
    assert inside["map"].shape == (8, 8) and np.array_equal(inside["image"], r["image"])


def test_the_input_the_network_sees_is_the_normalised_test_image(digits):
    """The same input as the network's evaluation sees: the saliency of test image 5 is that of the raw
    image normalised by the dataset (a job that forgot the scale or the normalisation differs)."""
    from netbuilder.introspect import saliency

    model = _cnn()
    x = digits.normalize(digits.x_test[5:6])[0]
    r = explain_job({"split": "test", "index": 5}, 3, None)(model, digits)
    assert np.allclose(r["saliency"], saliency(model, x, 3), atol=1e-6)


def test_an_image_file_is_explained_and_attacked_without_a_label(digits, tmp_path):
    image = _seven_png(tmp_path / "seven.png")
    assert image.shape == (1, 8, 8) and image.max() > 0.5
    given = {"image": image, "name": "seven.png"}
    model = _cnn()
    r = explain_job(given, None, None)(model, digits)
    assert r["label"] is None and r["input"] == "seven.png" and r["class"] == int(np.argmax(r["probs"]))
    assert np.allclose(r["image"], image[0]) and r["saliency"].shape == (8, 8) and r["saliency"].max() > 0
    assert r["saliency_overlay"].shape == (96, 96, 3)
    a = attack_job(given, 0.05, "fgsm")(model, digits)
    assert not a["labelled"] and a["label"] == a["before"] == r["class"]  # no label: the prediction is attacked
    assert 0 < a["max_change"] <= 0.05 + 1e-5 and a["true_after"] <= a["true_before"] + 1e-6


def test_a_number_past_the_test_set_says_how_many_there_are(digits):
    with pytest.raises(ValueError, match=r"^there is no test image 270: digits has 270, numbered 0 to 269$"):
        explain_job({"split": "test", "index": 270}, None, None)(_cnn(), digits)


@pytest.fixture
def session(settled_workbench):
    from netbuilder.ui.app import default_example

    s = settled_workbench()
    s.wb.warm_up()
    s.wb.set_dataset({"name": "digits"})
    s.open(default_example())  # (the window's example CNN, on the digits it fits)
    s.pump(lambda e: isinstance(e, ev.DatasetLoaded))
    yield s
    assert s.wb.shutdown(20)


def _answer(session, job) -> ev.ViewResult:
    ticket = session.wb.compute("explain", job)
    return session.pump(lambda e: isinstance(e, ev.ViewResult) and e.ticket == ticket)


def test_the_workbench_answers_a_file_image_and_one_line_for_a_broken_one(session, tmp_path):
    """Through the workbench (off the caller's thread): a file's image is explained; an image that is not
    one of the network's input shape (a colour photo read for another dataset) or whose pixels are not
    numbers (a broken decode) is one plain line, never a traceback."""
    image = _seven_png(tmp_path / "seven.png")
    good = _answer(session, explain_job({"image": image, "name": "seven.png"}, None, None))
    assert good.message is None and good.value["saliency"].shape == (8, 8) and good.value["label"] is None
    wrong = _answer(session, explain_job({"image": np.zeros((3, 32, 32), np.float32), "name": "cat.png"},
                                         None, None))
    assert wrong.message == "cat.png is 3×32×32 but digits takes 1×8×8: open or draw it again"
    broken = np.full((1, 8, 8), np.nan, np.float32)
    nan = _answer(session, explain_job({"image": broken, "name": "bad.png"}, None, None))
    assert nan.message == "bad.png has pixels that are not numbers: it cannot be shown to the network"
    labelled = _answer(session, attack_job({"split": "test", "index": 3}, 0.05))
    assert labelled.message is None and labelled.value["labelled"] and labelled.value["input"] == "test image 3"
    gone = _answer(session, attack_job({"split": "test", "index": 999}, 0.05))
    assert gone.message == "there is no test image 999: digits has 270, numbered 0 to 269"


def test_only_an_image_enlarged_four_times_or_more_has_its_strokes_outlined_and_the_note_says_which(digits):
    """The 8×8 digits are drawn 12 times larger with their strokes outlined in white, and the Explain view
    says so; a 48×48 picture is only doubled, gets no outline, and the note does not promise one."""
    from netbuilder.ui.explore.model_views import _outline_note
    from netbuilder.workbench.explore_jobs import OUTLINE_MIN_SCALE, display_overlay, display_scale

    r = explain_job({"split": "test", "index": 0}, None, None)(_cnn(), digits)
    assert r["outlined"] and display_scale(r["image"].shape) == 12 and "white lines" in _outline_note(r)
    assert (r["saliency_overlay"] == 1.0).all(axis=2).any()  # the outline's white

    picture = np.zeros((3, 48, 48), np.float32)  # (channels first, as the network's input)
    picture[:, 10:30, 10:30] = 1.0  # a bright square: strokes a 4× enlargement would outline
    assert display_scale(picture.shape[1:]) == 2 < OUTLINE_MIN_SCALE
    overlay = display_overlay(picture, np.zeros((48, 48), np.float32))
    assert overlay.shape == (96, 96, 3) and overlay.max() <= 0.85 + 1e-6  # no white outline drawn
    assert _outline_note({**r, "outlined": False, "image": picture}) == ""
