"""An image file given as the input in the window (Feature maps, Explain, Adversarial, Inside) has the pixels
``netbuilder predict`` and an image folder read from it: one decoder (``netbuilder.imagefile``). Qt's grey
conversion and scaling gave a red-and-green picture 0.18 brighter in the window."""

import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("shape", [[1, 8, 8], [3, 16, 16]])
def test_an_image_file_reads_as_predict_reads_it(qtbot, tmp_path, shape):
    from PIL import Image

    from netbuilder.data.images import decode_image
    from netbuilder.ui.training.input_picker import InputPicker

    a = np.zeros((64, 64, 3), np.uint8)
    a[:, :32, 0] = 230  # red on the left, green on the right, a blue square
    a[:, 32:, 1] = 200
    a[20:40, 20:40, 2] = 255
    path = tmp_path / "colours.png"
    Image.fromarray(a, "RGB").save(path)
    picker = InputPicker()
    qtbot.addWidget(picker)
    picker.set_dataset({"input_shape": shape, "samples": np.zeros((0,)), "sizes": {}})
    assert picker.open_image(str(path))
    got = picker.current_input()
    want = decode_image(path, (shape[1], shape[2]), shape[0]).astype(np.float32) / 255.0
    assert got.shape == tuple(shape) and np.abs(got - want).max() < 1e-6


def test_a_file_that_is_no_image_changes_nothing(qtbot, tmp_path):
    from netbuilder.ui.training.input_picker import InputPicker

    picker = InputPicker()
    qtbot.addWidget(picker)
    picker.set_dataset({"input_shape": [1, 8, 8], "samples": np.zeros((0,)), "sizes": {}})
    said = []
    picker.failed.connect(said.append)
    (tmp_path / "notes.png").write_text("not an image")
    assert not picker.open_image(str(tmp_path / "notes.png"))
    assert said == ["notes.png: not a readable image; the input stays as it was"] and picker.file_image is None


def test_a_file_is_decoded_once_for_each_input_shape(qtbot, tmp_path, monkeypatch):
    """The views ask for the input at every request (during a run, often): a photo is decoded once a shape,
    not on the GUI thread each time (a 12-megapixel JPEG took 0.36 s a request)."""
    from PIL import Image

    import netbuilder.ui.training.input_picker as picker_module
    from netbuilder.ui.training.input_picker import InputPicker

    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "photo.png")
    picker = InputPicker()
    qtbot.addWidget(picker)
    picker.set_dataset({"input_shape": [1, 8, 8], "samples": np.zeros((0,)), "sizes": {}})
    assert picker.open_image(str(tmp_path / "photo.png"))
    calls = []
    real = picker_module.read_pixels
    monkeypatch.setattr(picker_module, "read_pixels", lambda *a: calls.append(a[1:]) or real(*a))
    first = picker.current_input()
    assert all(np.array_equal(picker.current_input(), first) for _ in range(5)) and calls == [((8, 8), 1)]
    picker.set_dataset({"input_shape": [3, 16, 16], "samples": np.zeros((0,)), "sizes": {}})
    assert picker.current_input().shape == (3, 16, 16) and calls[-1] == ((16, 16), 3) and len(calls) == 2


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_a_drawing_on_a_transparent_ground_keeps_its_strokes(tmp_path, mode):
    """Black ink on a transparent background (a drawing app's PNG) reads as black on white, as a viewer
    shows it, in every path that decodes files (not all black: the hidden colour under the alpha is black)."""
    from PIL import Image

    from netbuilder.imagefile import read_pixels

    rgba = np.zeros((32, 32, 4), np.uint8)  # transparent black everywhere
    rgba[8:24, 14:18, 3] = 255  # an opaque black stroke
    image = Image.fromarray(rgba, "RGBA")
    if mode == "LA":
        image = image.convert("LA")
    elif mode == "P":
        image = image.convert("P")
        image.info["transparency"] = image.getpixel((0, 0))  # the ground's palette index is transparent
    path = tmp_path / f"drawing_{mode}.png"
    image.save(path)
    grey = read_pixels(path, (32, 32), 1)[0]
    assert grey[0, 0] == 255 and grey[16, 16] == 0  # white ground, black stroke
    rgb = read_pixels(path, (32, 32), 3)
    assert (rgb[:, 0, 0] == 255).all() and (rgb[:, 16, 16] == 0).all()


def test_light_strokes_on_a_transparent_ground_are_laid_on_black(tmp_path):
    """White ink on a transparent ground (an MNIST-like digit) keeps its strokes too: the ground is black under
    light strokes (on white it was a blank picture)."""
    from PIL import Image

    from netbuilder.imagefile import read_pixels

    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[8:24, 14:18] = 255  # an opaque white stroke on transparent black
    path = tmp_path / "white_ink.png"
    Image.fromarray(rgba, "RGBA").save(path)
    grey = read_pixels(path, (32, 32), 1)[0]
    assert grey[0, 0] == 0 and grey[16, 16] == 255
