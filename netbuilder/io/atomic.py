"""Atomic file writes: a crash or a full disk mid-save leaves the old file whole.

The data goes to a temporary file in the same folder (same file system, so the rename is atomic),
is flushed and fsynced, then ``os.replace`` puts it in place, and the folder is fsynced where the
platform allows, so the rename itself survives a power cut. On any failure the temporary file is
removed and the old file is untouched. A new file gets the usual permissions (0666 & ~umask); an
existing file keeps its own.

Imports: stdlib only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


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


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` by ``data`` all at once: readers see the old file or the new one, never half."""
    target = os.path.abspath(os.fspath(path))
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


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """``atomic_write_bytes`` for text (written with ``\\n`` line ends on every platform)."""
    atomic_write_bytes(path, text.encode(encoding))
