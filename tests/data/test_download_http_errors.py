"""Downloads that go wrong the way real servers do, against a local server: a mirror that lacks the file
(404) or fails (500) is not taken for being offline; a transfer cancelled through the progress callback
leaves only a ``.part`` file (never a finished-looking one) and the next load finishes it."""

import pytest

from netbuilder.data.bundle import DatasetError
from netbuilder.data.standard import MNIST_FILES, find_local, load_standard
from tests.data.test_download import Server, tiny_mnist


def test_a_mirror_without_the_file_is_not_called_offline(tmp_path):
    spec, _, _ = tiny_mnist()
    with Server({}) as srv, pytest.raises(DatasetError) as info:
        load_standard(spec, data_dir=tmp_path, mirror=srv.url, timeout=5)
    text = str(info.value)
    assert "offline" not in text and "Not Found" in text and srv.url in text
    assert str(tmp_path / "tinymnist") in text
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


class Stop(Exception):
    pass


def test_a_cancelled_download_leaves_no_finished_looking_file(tmp_path):
    spec, blobs, _ = tiny_mnist()

    def progress(name, done, total):
        if name == MNIST_FILES[1] and done:
            raise Stop

    with Server({f"/tinymnist/{n}": b for n, b in blobs.items()}) as srv:
        with pytest.raises(Stop):
            load_standard(spec, data_dir=tmp_path, mirror=srv.url, progress=progress)
        folder = tmp_path / "tinymnist"
        assert not (folder / MNIST_FILES[1]).exists() and (folder / (MNIST_FILES[1] + ".part")).exists()
        assert find_local(spec, tmp_path) is None
        b = load_standard(spec, data_dir=tmp_path, mirror=srv.url)
    assert b.sizes()["test"] == 10 and not list(folder.glob("*.part"))
