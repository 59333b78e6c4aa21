"""File downloads for the standard datasets: checksums, progress callback, resume (HTTP Range).

A download goes to ``<file>.part`` and is renamed only after its checksum matches, so an interrupted
download resumes where it stopped and a bad file never looks finished. Stdlib only.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from netbuilder.data.bundle import DatasetError

MIRROR_ENV = "NETBUILDER_DATA_MIRROR"
CHUNK = 1 << 16

# progress(file_name, bytes_done, bytes_total or None)
Progress = Callable[[str, int, "int | None"], None]


class ChecksumError(DatasetError):
    """A downloaded or found file whose checksum is not the publisher's."""


def file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checksum_ok(path: Path, checksum: str) -> bool:
    """``checksum`` is ``"md5:<hex>"`` or ``"sha256:<hex>"``."""
    algorithm, _, expected = checksum.partition(":")
    return file_digest(path, algorithm) == expected.lower()


def _open(url: str, start: int, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": "netbuilder"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310  (http/https only, checked)


def download(url: str, dest: Path, checksum: str, *, progress: Progress | None = None,
             timeout: float = 30.0) -> Path:
    """Fetch ``url`` to ``dest``, resuming ``dest.part`` if it exists; verify ``checksum``.

    Raises ``ChecksumError`` on a mismatch (the partial file is removed) and ``OSError``/``URLError``
    when the server cannot be reached (the partial file is kept for the next try).
    """
    if not url.startswith(("http://", "https://")):
        raise DatasetError(f"{url}: only http and https addresses can be downloaded")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    try:
        response = _open(url, start, timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:  # the part file is already complete (or larger than the file)
            response = None
        else:
            raise
    if response is not None:
        with response:
            if start and response.status != 206:  # the server ignored Range: start over
                start = 0
            length = response.headers.get("Content-Length")
            total = int(length) + start if length is not None else None
            done = start
            with open(part, "ab" if start else "wb") as f:
                try:
                    while chunk := response.read(CHUNK):
                        f.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(dest.name, done, total)
                except http.client.HTTPException as e:
                    raise urllib.error.URLError(f"connection broken after {done} bytes ({e!r})") from e
            if total is not None and done < total:
                raise urllib.error.URLError(f"connection closed after {done} of {total} bytes")
    if not checksum_ok(part, checksum):
        part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{dest.name} downloaded from {url} has the wrong checksum (expected {checksum}); the file was "
            "removed: try again, or download it by hand and check it")
    os.replace(part, dest)
    return dest


def mirror_base(mirror: str | None) -> str | None:
    """The download base that replaces the publishers' addresses: the argument, else $NETBUILDER_DATA_MIRROR."""
    base = mirror or os.environ.get(MIRROR_ENV) or None
    return base.rstrip("/") if base else None


def is_network_error(error: BaseException) -> bool:
    return isinstance(error, urllib.error.URLError | socket.timeout | ConnectionError | TimeoutError)
