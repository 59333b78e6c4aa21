"""Atomic file writes: a crash or a full disk mid-save leaves the old file whole.

The data goes to a temporary file in the same folder (same file system, so the rename is atomic),
is flushed and fsynced, then ``os.replace`` puts it in place, and the folder is fsynced where the
platform allows, so the rename itself survives a power cut. On any failure the temporary file is
removed and the old file is untouched. A new file gets the usual permissions (0666 & ~umask); an
existing file keeps its own.

Special paths: a write onto a symbolic link goes through it, replacing the file the link points to
(atomically; the link stays a link). A write onto anything that exists and is not a regular file (a
folder, a FIFO, a device, a socket) is refused with ``NotARegularFileError``, and a write onto a
read-only file (no write permission, even for root) with ``ReadOnlyFileError``, before anything is
written. ``atomic_target`` gives the same guarantees to writers that need a path of their own
(``torch.export.save``, safetensors).

Imports: stdlib and ``netbuilder.errors`` only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from netbuilder.errors import NetbuilderError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


class NotARegularFileError(NetbuilderError):
    """The path names something a file write must not replace (a folder, a FIFO, a device...)."""


class ReadOnlyFileError(NetbuilderError):
    """The path names a file that its permissions say must not be written."""


def resolve_target(path: str | os.PathLike) -> str:
    """The absolute path a write to ``path`` really replaces: the end of a chain of symbolic links (a
    dangling link's target is created), else ``path`` itself. Raises NotARegularFileError, in one line,
    when that exists and is not a regular file."""
    target = os.path.abspath(os.fspath(path))
    if os.path.islink(target):
        target = os.path.realpath(target)
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return target  # a new file (or one the write itself will report on)
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        via = f" (the link points to {target})" if target != os.path.abspath(os.fspath(path)) else ""
        raise NotARegularFileError(f"{os.fspath(path)}: is {what}{via}, not a regular file; refusing to replace "
                                   "it; choose a file name")
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        # The rename would replace it even so (it needs only the folder's permission): a read-only file (a
        # teacher's handout) is kept as the file's permissions say.
        raise ReadOnlyFileError(f"{os.fspath(path)}: the file is read-only; it is left as it is: save under "
                                "another name")
    return target


def _fsync_dir(folder: str) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync; NTFS journals the rename
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network, FUSE) refuse fsync on folders
    finally:
        os.close(fd)


def _mode_for(path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def write_problem(exc: OSError) -> str:
    """A failed write in words, for a one-line error after the file's name: "no space left on device" for a
    full disk (or a full quota), else the system's own words."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "no space left on device; free some space or choose another folder"
    return exc.strerror or str(exc) or type(exc).__name__


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` by ``data`` all at once: readers see the old file or the new one, never half."""
    target = resolve_target(path)
    folder = os.path.dirname(target)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike) -> Iterator[Path]:
    """A fresh temporary path beside the real target of ``path`` (see ``resolve_target``), keeping its
    suffix; when the block succeeds the file written there replaces the target atomically, else it is
    removed and the target is untouched. For writers that insist on a path of their own."""
    target = resolve_target(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise NetbuilderError(f"{os.fspath(path)}: the folder {folder} does not exist; create it or pick another")
    mode = _mode_for(target)
    base, suffix = os.path.splitext(os.path.basename(target))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{base}.", suffix=f".tmp{suffix}")
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """``atomic_write_bytes`` for text (written with ``\\n`` line ends on every platform)."""
    atomic_write_bytes(path, text.encode(encoding))
