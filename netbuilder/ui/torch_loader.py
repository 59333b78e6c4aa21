"""Load torch (and the compiler's exporter) on a background thread, once, so that views needing it
(the code view) never freeze the window. ``is_loaded()`` is True once the import has finished
(successfully or not); the import lock makes a second importer simply wait for the first."""

from __future__ import annotations

import importlib
import threading

_done = threading.Event()
_lock = threading.Lock()
_started: list[threading.Thread] = []


def _load() -> None:
    try:
        importlib.import_module("torch")
        importlib.import_module("netbuilder.compiler.export")
    except Exception:  # noqa: BLE001  (the view that needs it reports the failure when it imports)
        pass
    finally:
        _done.set()


def ensure_loading() -> None:
    with _lock:
        if not _started:
            thread = threading.Thread(target=_load, name="netbuilder-torch-loader", daemon=True)
            _started.append(thread)
            thread.start()


def is_loaded() -> bool:
    return _done.is_set()
