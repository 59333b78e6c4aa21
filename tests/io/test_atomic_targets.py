"""Writes onto special paths: through a symbolic link (the link stays), never onto a folder, FIFO or
device; and where a design's weights file goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netbuilder.errors import NetbuilderError
from netbuilder.io import NotARegularFileError, atomic_target, atomic_write_text, weights_path_for

posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links and FIFOs as POSIX has them")


def test_weights_are_named_after_the_design_file_not_its_title(tmp_path):
    assert weights_path_for(tmp_path / "mynet.nbd") == tmp_path / "mynet.safetensors"
    assert weights_path_for("a/b/my.net.nbd") == Path("a/b/my.net.safetensors")
    assert weights_path_for("plain") == Path("plain.safetensors")
    # two designs in one folder, whatever their titles, get two weights files
    assert weights_path_for(tmp_path / "one.nbd") != weights_path_for(tmp_path / "two.nbd")


@posix_only
def test_a_write_goes_through_a_symlink_and_the_link_stays(tmp_path):
    real = tmp_path / "real" / "model.txt"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.txt"
    os.symlink(real, link)
    atomic_write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert sorted(os.listdir(real.parent)) == ["model.txt"]  # no temporary file left behind
    with atomic_target(link) as tmp:  # the same for writers that need a path
        assert tmp.parent == real.parent and tmp.suffix == ".txt"
        tmp.write_text("newer")
    assert link.is_symlink() and real.read_text() == "newer"


@posix_only
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    os.symlink(tmp_path / "target.txt", link)
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "target.txt").read_text() == "x"


@posix_only
def test_a_fifo_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFileError, match=r"pipe: is a FIFO \(named pipe\), not a regular file") as info:
        atomic_write_text(fifo, "x")
    assert "\n" not in str(info.value) and isinstance(info.value, NetbuilderError)
    assert fifo.is_fifo() and os.listdir(tmp_path) == ["pipe"]
    link = tmp_path / "to_pipe"
    os.symlink(fifo, link)  # a link to a FIFO is refused as well
    with pytest.raises(NotARegularFileError, match="the link points to"):
        with atomic_target(link):
            pytest.fail("the block must not run")  # pragma: no cover


@posix_only
def test_a_device_and_a_folder_are_refused(tmp_path):
    with pytest.raises(NotARegularFileError, match="is a device"):
        atomic_write_text("/dev/null", "x")
    assert Path("/dev/null").is_char_device()
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(NotARegularFileError, match="is a folder"):
        atomic_write_text(folder, "x")
    assert folder.is_dir()


def test_atomic_target_keeps_the_old_file_when_the_block_fails(tmp_path):
    path = tmp_path / "out.pt2"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_target(path) as tmp:
            assert tmp.suffix == ".pt2"
            tmp.write_text("half")
            raise RuntimeError("torch failed")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["out.pt2"]


def test_atomic_target_names_a_missing_folder(tmp_path):
    with pytest.raises(NetbuilderError, match="does not exist"):
        with atomic_target(tmp_path / "nope" / "x.onnx"):
            pass  # pragma: no cover
