"""Logging: one rotating log file in the user data folder, and the debug switch.

Every thread boundary (the window's event loop, the workbench's executor thread, any other thread, the CLI)
reports an unexpected exception with ``report_unexpected``: its traceback goes to the log file and the
caller shows one plain line that names the file. With ``--debug`` or ``NETBUILDER_DEBUG=1`` the
exception is re-raised instead, so a developer sees it where it happened.

Imports the standard library only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import threading
from pathlib import Path

LOGGER_NAME = "netbuilder"
LOG_FILE_NAME = "errors.log"
MAX_BYTES = 1_000_000
BACKUPS = 3

_lock = threading.Lock()
_state: dict[str, object] = {"debug": None, "path": None, "handler": None, "chosen": None}

logger = logging.getLogger(LOGGER_NAME)


def debug_enabled() -> bool:
    """True under ``--debug`` (``enable_debug``) or ``NETBUILDER_DEBUG=1``."""
    if _state["debug"] is not None:
        return bool(_state["debug"])
    return os.environ.get("NETBUILDER_DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off")


def enable_debug(on: bool = True) -> None:
    _state["debug"] = on
    if on:
        logger.setLevel(logging.DEBUG)


def log_path() -> Path:
    """Where the log file is (or will be): ``<user data folder>/errors.log`` (or the one ``use_log_file``
    chose)."""
    if _state["chosen"] is not None:
        return Path(str(_state["chosen"]))
    from netbuilder.paths import user_data_dir

    return user_data_dir() / LOG_FILE_NAME


def _ensure_handler() -> logging.Handler | None:
    """Attach the rotating file handler on first use (the file is created only when something is logged)."""
    with _lock:
        handler, path = _state["handler"], log_path()
        if handler is not None and _state["path"] == path:
            return handler  # type: ignore[return-value]
        if handler is not None:  # the data folder moved (tests): log to the new place
            logger.removeHandler(handler)  # type: ignore[arg-type]
            handler.close()  # type: ignore[union-attr]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                           encoding="utf-8", delay=True)
        except OSError:
            return None
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"))
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        logger.propagate = False
        _state["handler"], _state["path"] = handler, path
        return handler


def use_log_file(path: str | os.PathLike | None) -> None:
    """Log to ``path`` instead (tests); None goes back to the default place."""
    with _lock:
        handler = _state["handler"]
        if handler is not None:
            logger.removeHandler(handler)  # type: ignore[arg-type]
            handler.close()  # type: ignore[union-attr]
        _state["handler"], _state["path"] = None, None
        _state["chosen"] = Path(path) if path is not None else None


def report_unexpected(error: BaseException, where: str) -> str:
    """Log ``error`` with its traceback (``where``: which boundary caught it) and return one plain line for
    the user that names the log file. Re-raises instead when debugging is on."""
    if debug_enabled():
        raise error
    _ensure_handler()
    logger.error("unexpected error in %s", where, exc_info=(type(error), error, error.__traceback__))
    text = (str(error).splitlines() or [""])[0]
    line = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return f"{line} (details in {log_path()})"


def info(message: str, *args: object) -> None:
    """An ordinary event: kept only once the log file exists (an error opened it); never creates it."""
    logger.info(message, *args)
