"""Helpers for tests that drive a real window from outside: an Xvfb server, xdotool, screenshots and
(where tesseract is installed) the text on the screen.

Finds (or, as root with apt-get, installs) Xvfb and xdotool; a test skips only where it cannot.
Not a test module: the window tests import it (``from xvfb import ...``; tests/ui is on sys.path as
pytest puts it there for test modules in a folder without ``__init__.py``).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PACKAGES = ["xvfb", "xdotool", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0"]
_apt_updated: list[bool] = []


def _can_install() -> bool:
    return sys.platform == "linux" and hasattr(os, "geteuid") and os.geteuid() == 0 and bool(shutil.which("apt-get"))


def _apt_install(packages: list[str]) -> None:
    if not _apt_updated:
        subprocess.run(["apt-get", "update"], capture_output=True, timeout=300)
        _apt_updated.append(True)
    subprocess.run(["apt-get", "install", "-y", *packages], capture_output=True, timeout=600)


def tools() -> bool:
    """True when Xvfb and xdotool are there (installed here first where that is possible)."""
    if shutil.which("Xvfb") and shutil.which("xdotool"):
        return True
    if not _can_install():
        return False
    _apt_install(PACKAGES)
    return bool(shutil.which("Xvfb") and shutil.which("xdotool"))


def tesseract() -> str | None:
    """The tesseract OCR program (installed first where that is possible), or None."""
    found = shutil.which("tesseract")
    if found or not _can_install():
        return found
    _apt_install(["tesseract-ocr"])
    return shutil.which("tesseract")


@contextmanager
def xvfb_display(screen: str = "1600x1000x24") -> Iterator[str]:
    """A private X server with one screen of ``screen`` (WIDTHxHEIGHTxDEPTH); yields its DISPLAY."""
    if not tools():
        pytest.skip("Xvfb and xdotool are not available and cannot be installed here")
    # -displayfd: Xvfb picks a free display and writes its number once it accepts connections (a socket
    # file can appear before that: a client started at once then failed with "could not connect")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,))
    os.close(write_end)
    number = b""
    try:
        deadline = time.monotonic() + 10
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                server.kill()
                pytest.skip("Xvfb did not start")
            number += chunk
    finally:
        os.close(read_end)
    number = int(number)
    try:
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


class Screen:
    """xdotool, window names, screenshots and OCR on one X display."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.env = dict(os.environ, DISPLAY=display)
        self.ocr_program = None

    def xdo(self, *args: object, check: bool = True, timeout: float = 10) -> str:
        out = subprocess.run(["xdotool", *map(str, args)], env=self.env, capture_output=True, text=True,
                             timeout=timeout)
        if check and out.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(map(str, args))}: {out.stderr.strip()}")
        return out.stdout

    def windows(self) -> dict[int, str]:
        """Every visible window that has a name: {window id: name}."""
        found: dict[int, str] = {}
        for line in self.xdo("search", "--onlyvisible", "--name", "", check=False).split():
            try:
                wid = int(line)
            except ValueError:
                continue
            name = self.xdo("getwindowname", wid, check=False).strip()
            if name:
                found[wid] = name
        return found

    def geometry(self, wid: int) -> tuple[int, int, int, int]:
        """x, y, width, height of a window."""
        values = {}
        for line in self.xdo("getwindowgeometry", "--shell", wid).splitlines():
            key, _, value = line.partition("=")
            values[key] = int(value) if value.lstrip("-").isdigit() else value
        return values["X"], values["Y"], values["WIDTH"], values["HEIGHT"]

    def focus(self, wid: int) -> None:
        """Give a window the keyboard focus (there is no window manager to do it)."""
        self.xdo("windowfocus", "--sync", wid, check=False, timeout=5)

    def key(self, *keys: str) -> None:
        self.xdo("key", "--delay", 60, *keys)

    def type(self, text: str) -> None:
        self.xdo("type", "--delay", 25, text, timeout=60)

    def screenshot(self, path: Path) -> Path | None:
        """The whole screen as a PNG (Pillow's X11 grab, else xwd | convert); None where neither works."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            from PIL import ImageGrab

            ImageGrab.grab(xdisplay=self.display).save(path)
            return path
        except Exception:  # noqa: BLE001  (Pillow without XCB: try the command-line tools)
            pass
        if shutil.which("xwd") and shutil.which("convert"):
            xwd = subprocess.run(["xwd", "-root", "-silent", "-display", self.display], capture_output=True,
                                 timeout=30)
            if xwd.returncode == 0:
                subprocess.run(["convert", "xwd:-", str(path)], input=xwd.stdout, capture_output=True, timeout=30)
                if path.exists():
                    return path
        return None

    def read_text(self, image: Path | None) -> str | None:
        """The text tesseract reads in an image, or None without tesseract (or without an image)."""
        if image is None or self.ocr_program is None:
            return None
        # At twice the size (smoothly scaled): tesseract misreads small UI text at 1:1, and how it splits a
        # whole screen into blocks then depends on what else is on it (a yellow banner read as noise).
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage

        picture = QImage(str(image))
        with tempfile.TemporaryDirectory() as folder:
            big = Path(folder) / "x2.png"
            if picture.isNull() or not picture.scaled(
                    picture.width() * 2, picture.height() * 2, Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation).save(str(big)):
                big = image
            out = subprocess.run([self.ocr_program, str(big), "-"], capture_output=True, text=True, timeout=120)
        return out.stdout if out.returncode == 0 else None


def app_env(display: str, home: Path, data: Path, root: Path) -> dict[str, str]:
    """The environment of a netbuilder started as a fresh student's would be: on ``display``, with its own
    home (fresh settings) and data folder (its error log), this checkout first on the path."""
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(home), XDG_CONFIG_HOME=str(home),
               NETBUILDER_DATA_DIR=str(data), PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])]))
    for name in ("NETBUILDER_DEBUG", "QT_QPA_PLATFORMTHEME", "QT_SCALE_FACTOR"):
        env.pop(name, None)
    return env
