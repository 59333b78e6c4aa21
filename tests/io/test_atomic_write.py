"""Atomic saves: a crash mid-write leaves the old file whole and no temporary file behind."""

from __future__ import annotations

import os
import stat

import pytest

from netbuilder.io import (
    DesignFileError,
    atomic,
    atomic_write_bytes,
    atomic_write_text,
    load_design,
    save_design,
)


def test_write_new_and_replace(tmp_path):
    path = tmp_path / "a.txt"
    atomic_write_text(path, "first\n")
    assert path.read_text() == "first\n"
    atomic_write_bytes(path, b"second")
    assert path.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_text_is_utf8_with_unix_line_ends(tmp_path):
    path = tmp_path / "u.txt"
    atomic_write_text(path, "é\nß\n")
    assert path.read_bytes() == "é\nß\n".encode()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic_write_text(path, "new")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    fresh = tmp_path / "fresh.txt"
    atomic_write_text(fresh, "x")
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o666 & ~atomic._umask()


def _crash(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("where", ["replace", "fsync"])
def test_crash_mid_save_keeps_the_old_file(tmp_path, monkeypatch, where):
    path = tmp_path / "design.txt"
    atomic_write_text(path, "old contents\n")
    monkeypatch.setattr(atomic.os, where, _crash)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(path, "new contents that never land\n")
    monkeypatch.undo()
    assert path.read_text() == "old contents\n"
    assert os.listdir(tmp_path) == ["design.txt"]


def test_interrupt_during_write_removes_the_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "design.txt"
    path.write_text("old")
    real_fdopen = os.fdopen

    class Interrupting:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:3])  # half written ...
            raise KeyboardInterrupt  # ... then the user presses Ctrl+C

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: Interrupting(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "new contents")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["design.txt"]


def test_save_design_crash_is_a_design_file_error_and_keeps_the_old_design(tmp_path, monkeypatch, lenet):
    path = tmp_path / "lenet.nbd"
    save_design(lenet, path)
    before = path.read_bytes()
    changed = lenet.copy()
    changed.name = "changed"
    monkeypatch.setattr(atomic.os, "replace", _crash)
    with pytest.raises(DesignFileError) as info:
        save_design(changed, path)
    monkeypatch.undo()
    assert str(info.value) == f"{path}: whole file: cannot save: No space left on device"
    assert path.read_bytes() == before and load_design(path).name == "lenet5"
    assert os.listdir(tmp_path) == ["lenet.nbd"]
