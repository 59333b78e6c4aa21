"""What ``train --out DIR`` writes, and the checks made before training starts.

``DIR/<name>.nbd`` (the trained design with its dataset and settings), ``DIR/<name>.safetensors`` (its
weights, with the preprocessing its inputs need), ``metrics.csv`` (one row per finished epoch),
``report.json`` and ``checkpoint.pt`` (weights and optimiser state of the last finished epoch, for
``--resume``). Every file is written atomically; every path is checked before the first epoch.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netbuilder.errors import NetbuilderError

METRICS = "metrics.csv"
REPORT = "report.json"
COLUMNS = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds"]


@dataclass
class RunFiles:
    folder: Path
    name: str
    created: tuple[Path, ...] = ()  # the folders this run made (deepest first): removed again if left empty

    @property
    def design(self) -> Path:
        return self.folder / f"{self.name}.nbd"

    @property
    def weights(self) -> Path:
        from netbuilder.commands._model import weights_path_for

        return weights_path_for(self.design)

    @property
    def metrics(self) -> Path:
        return self.folder / METRICS

    @property
    def report(self) -> Path:
        return self.folder / REPORT

    @property
    def checkpoint(self) -> Path:
        from netbuilder.training.checkpoint import checkpoint_path

        return checkpoint_path(self.folder)

    def all(self) -> list[Path]:
        return [self.design, self.weights, self.metrics, self.report, self.checkpoint]


def run_name(design_arg: str) -> str:
    """The design file's name without its suffix, or the preset's name: a safe file name."""
    stem = Path(str(design_arg)).stem if os.path.isfile(design_arg) else str(design_arg)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._")
    return safe or "design"


def holds_results(folder: str | os.PathLike, name: str) -> bool:
    """Whether ``folder`` already has a run's files (of this design's name, or metrics, report, checkpoint)."""
    return any(p.exists() or p.is_symlink() for p in RunFiles(Path(folder), name).all())


def free_folder(folder: str | os.PathLike, name: str) -> Path:
    """``folder`` when it holds no run yet, else the first of ``folder_2``, ``folder_3``, ... that holds none."""
    out, n = Path(folder), 2
    while holds_results(out, name):
        out, n = Path(f"{folder}_{n}"), n + 1
    return out


def prepare(folder: str | os.PathLike, name: str, *, keep: bool = False) -> RunFiles:
    """Check every output path and make the folder; raises NetbuilderError at once, before any training.
    A folder that holds a run's results is refused unless ``keep`` (--overwrite, --resume)."""
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise NetbuilderError(f"--out {out}: is a file, not a folder; give a folder for the run's files")
    missing = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NetbuilderError(f"--out {out}: cannot make the folder ({e.strerror or e})") from e
    files = RunFiles(out, name, tuple(missing))
    try:
        _check_paths(files, keep)
    except NetbuilderError:
        remove_if_empty(files)
        raise
    return files


def remove_if_empty(files: RunFiles) -> None:
    """Remove the folders this run made, deepest first, while they are empty."""
    for folder in files.created:
        try:
            folder.rmdir()
        except OSError:
            return


def _check_paths(files: RunFiles, keep: bool) -> None:
    out = files.folder
    for path in files.all():
        if path.is_symlink() and not path.exists():
            raise NetbuilderError(f"{path}: a broken link is in the way; remove it or choose another --out")
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):
            raise NetbuilderError(f"{path}: exists and is not a regular file; remove it or choose another --out")
    try:
        fd, probe = tempfile.mkstemp(prefix=".netbuilder-probe.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise NetbuilderError(f"--out {out}: cannot write there ({e.strerror or e})") from e
    if not keep and holds_results(out, files.name):
        raise NetbuilderError(f"--out {out}: already holds a run's results; add --overwrite to replace them, or "
                              "give another --out")


def write_text(path: Path, text: str) -> None:
    """Atomically (``netbuilder.io.atomic``); a failed write (a full disk) is one line naming the file."""
    from netbuilder.io import atomic_write_text, write_problem

    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise NetbuilderError(f"{path}: cannot write it: {write_problem(e)}") from e


def metrics_row(e) -> dict[str, str]:
    return {"epoch": str(e.epoch + 1), "train_loss": f"{e.train_loss:.6f}", "train_acc": f"{e.train_accuracy:.6f}",
            "val_loss": f"{e.val_loss:.6f}", "val_acc": f"{e.val_accuracy:.6f}", "lr": f"{e.lr:.6g}",
            "seconds": f"{e.seconds:.3f}"}


def write_metrics(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    write_text(path, buf.getvalue())


def read_metrics(path: Path, before_epoch: int) -> list[dict[str, str]]:
    """The rows of a run being resumed: those of epochs 1..before_epoch (later ones are redone)."""
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("epoch", "").isdigit()]
    return [r for r in rows if int(r["epoch"]) <= before_epoch]


def _plain(value: Any) -> Any:
    """JSON has no NaN: a missing number is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_report(path: Path, report: dict[str, Any]) -> None:
    write_text(path, json.dumps({k: _plain(v) for k, v in report.items()}, indent=2) + "\n")


def save_design(design, path: Path) -> None:
    from netbuilder.io import save_design as _save

    _save(design, path)
