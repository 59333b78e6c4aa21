"""The window's autosave files: where they live (``autosave_<pid>.nbd`` with a ``.json`` of what the window
knew of it, and the trained weights and the runs beside it as beside a saved design, in the user's data
folder), whether the window that wrote one still runs (else it is left by a
crash), reading one back and describing it for the recovery question. Stdlib, io (and the runs file's
name from ui/training/run_history)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from netbuilder.errors import NetbuilderError
from netbuilder.graph import Design
from netbuilder.paths import user_data_dir

AUTOSAVE_MS = 60_000


def autosave_dir() -> Path:
    return user_data_dir() / "autosave"


def own_autosave() -> Path:
    """This window's autosave (its design; the weights and runs beside it: ``autosave_files``)."""
    return autosave_dir() / f"autosave_{os.getpid()}.nbd"


def owner_alive(path: Path) -> bool:
    """Whether the process that wrote ``autosave_<pid>.nbd`` still runs (then it is not a crash)."""
    try:
        pid = int(path.stem.rsplit("_", 1)[1])
    except (IndexError, ValueError):
        return False
    if os.name != "posix":  # no safe signal 0 on Windows: trust recent files to a live window
        return time.time() - path.stat().st_mtime < 3 * AUTOSAVE_MS / 1000
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_autosave(path: Path) -> tuple[Design | None, dict, str | None]:
    """The autosaved design, what its window said about it (``{"path": its file or None}``) and, when it
    cannot be read, why."""
    from netbuilder.io import load_design

    try:
        meta = json.loads(path.with_suffix(".json").read_text()) if path.with_suffix(".json").exists() else {}
    except (OSError, ValueError):
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    try:
        return load_design(path), meta, None
    except (NetbuilderError, OSError) as e:
        return None, meta, str(e)


def autosave_text(path: Path, design: Design | None, meta: dict, problem: str | None, of: str = "") -> str:
    """Which design an autosave holds, for the recovery question: its file (or an unsaved design, by name)
    with the time it was autosaved, ``of`` ("1 of 2 unsaved designs") and why it cannot be read."""
    try:
        when = time.strftime("%d %b %Y, %H:%M", time.localtime(path.stat().st_mtime))
    except OSError:
        when = "at an unknown time"
    kept = [what for what, there in (("its trained weights", autosaved_weights(path) is not None),
                                     ("its training curves", autosave_files(path)[3].is_file())) if there]
    notes = [f"autosaved {when}", f"with {' and '.join(kept)}" if kept else "", of,
             f"the autosave cannot be read: {problem}" if problem else ""]
    if meta.get("path"):
        saved_as = Path(str(meta["path"]))
        return f"{saved_as.name} (in {saved_as.parent}; {'; '.join(n for n in notes if n)})"
    name = design.name if design is not None and design.name else "untitled"
    return f'an unsaved design, "{name}" ({"; ".join(n for n in notes if n)})'


def autosave_files(path: Path) -> tuple[Path, ...]:
    """An autosave's files: the design, what its window knew of it, its trained weights and its runs."""
    from netbuilder.io import weights_path_for
    from netbuilder.ui.training.run_history import runs_path_for

    return path, path.with_suffix(".json"), weights_path_for(path), runs_path_for(path)


def autosaved_weights(path: Path) -> Path | None:
    """The trained weights beside the autosave ``path``, when they are there (named after the autosave: the
    file of a recovered one is renamed with it). Only weights no saved file holds are written there: after a
    run, or by a run now and then as it trains (the window's last autosave may be older than they are)."""
    weights = autosave_files(path)[2]
    return weights if weights.is_file() else None


def move_autosave(path: Path, to: Path) -> None:
    """Make a recovered autosave this window's own (kept until the design is saved: a second crash loses
    nothing); its files that are missing are none to move."""
    for old, new in zip(autosave_files(path), autosave_files(to), strict=True):
        if old.exists():
            old.replace(new)


def remove_autosave(path: Path) -> None:
    """Delete an autosave's files; one that cannot be deleted (its folder gone bad) is left, never an error:
    this runs as the window closes and as a design is let go."""
    for p in autosave_files(path):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass
