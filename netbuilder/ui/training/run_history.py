"""A run's curves as plain numbers (``RunCurves``): the step curves raw and smoothed (an exponential moving
average debiased at the start, whose weight follows how far apart the steps are: with one step an epoch,
as in full-batch training, there is nothing to smooth and the values are drawn as they are), the epoch
rows (training loss and accuracy over the epoch, validation loss and accuracy at its end); and the runs
of a design kept beside its file (``mynet.nbd`` → ``mynet.runs.json``): each run's name, whether it is
shown, its settings and outcome, its epoch rows (loss, accuracy, validation loss and accuracy, learning
rate) and its step curves thinned to at most ``MAX_STEP_POINTS`` points. Written atomically
(netbuilder.io) when the design is saved; read untrusted (size, encoding, nesting checked first). The run
list beside the curves is ``run_list.RunList``.

numpy; no Qt, no torch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.errors import NetbuilderError
from netbuilder.io import atomic_write_text, safejson

FORMAT, VERSION = "netbuilder-runs", 1
RUNS_SUFFIX = ".runs.json"
MAX_RUNS = 20  # the oldest runs beyond this are dropped
MAX_STEP_POINTS = 400  # step curves are thinned to this many points per run
STEP_KEYS = ("x", "loss", "smooth", "accuracy_smooth", "lr")
EPOCH_KEYS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr")
ALPHA = 0.08  # the step curves' smoothing weight when steps are dense (about the last 1 / ALPHA points)
SMOOTH_SPAN = 0.25  # epochs: the smoothing reaches back about this far at most (fewer steps: less)


def smoothing_weight(dx: float) -> float:
    """The weight of a step point ``dx`` epochs after the one before: ``dx / SMOOTH_SPAN`` between ALPHA
    (dense steps) and 1 (steps a quarter of an epoch or more apart, as in full-batch training: no
    smoothing). Steps since the last point (``log_every``), thinned or resumed steps are weighed by the
    epochs they cover, so a curve lags by at most about ``SMOOTH_SPAN`` whatever the steps per epoch."""
    if not dx > 0:  # (no point before, or the same x)
        return ALPHA
    return min(1.0, max(ALPHA, dx / SMOOTH_SPAN))


class Smoother:
    """An exponential moving average debiased at the start, as TensorBoard's smoothing and Adam's bias
    correction: the sum of the weights so far divides it, so the first value is itself and a few values are
    their weighted mean (not pulled back to the first one). Non-finite values are skipped. O(1) a value."""

    __slots__ = ("_sum", "_weight")

    def __init__(self) -> None:
        self._sum = self._weight = 0.0

    def add(self, value: float, weight: float) -> float:
        """Take ``value`` with ``weight`` (0 < weight <= 1; 1 forgets the past) and return the average."""
        if math.isfinite(value):
            self._sum = (1 - weight) * self._sum + weight * value
            self._weight = (1 - weight) * self._weight + weight
        return self._sum / self._weight if self._weight else math.nan


class Series:
    """A growing pair of float arrays (amortised appends, views without copies)."""

    def __init__(self) -> None:
        self._x = np.empty(256)
        self._y = np.empty(256)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self._x):
            self._x = np.resize(self._x, 2 * self.n)
            self._y = np.resize(self._y, 2 * self.n)
        self._x[self.n], self._y[self.n] = x, y
        self.n += 1

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.n]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.n]


class RunCurves:
    """The metrics of one run, as plain numbers, with its number, name, settings, outcome and whether
    it is shown."""

    def __init__(self, name: str, number: int = 1, settings: dict[str, Any] | None = None) -> None:
        self.name, self.number = name, number
        self.settings: dict[str, Any] = dict(settings or {})
        self.visible = True
        self.outcome: dict[str, Any] = {}
        self.loss, self.smooth, self.acc, self.acc_smooth, self.lr = (Series() for _ in range(5))
        # per epoch (x = epochs done): training loss and accuracy over the epoch, validation at its end
        self.val_loss, self.val_acc, self.train_loss, self.train_acc = (Series() for _ in range(4))
        self.rows: list[dict[str, Any]] = []
        self._smooth_loss, self._smooth_acc = Smoother(), Smoother()
        self.weight = math.nan  # the smoothing weight of the last step (1: the step curves are not smoothed)
        # the network it trained: node id -> "kind:<checksum of its settings>" (``tag_structure``), and how it
        # differs from the run before ("+dropout_1"), for the legend
        self.layers: dict[str, str] | None = None
        self.changes = ""
        self.marks: list[tuple[float, str]] = []  # settings changed during the run: (epochs, "lr 0.01→0.001")
        # a run that goes on from the weights another run left (Train again without Reset): that run's number,
        # and where it ended on the curves' epochs; this run is drawn from there on (x = start + its epochs)
        self.continues: int | None = None
        self.start = 0.0

    def continue_from(self, before: RunCurves) -> None:
        """This run trains on from the weights ``before`` left: its curves go on where that run's ended."""
        self.continues, self.start = before.number, before.end()

    def end(self) -> float:
        """Where the run's curves end, in the curves' epochs (its start when it has none)."""
        return max([float(series.x[-1]) for series in (self.loss, self.val_loss) if series.n], default=self.start)

    @property
    def label(self) -> str:
        return self.name

    def summary(self) -> str:
        """One line on how the run ended (empty while it trains)."""
        o = self.outcome
        if not o:
            return ""
        whole = sum(1 for row in self.rows if row.get("kind") == "epoch")  # the epochs it has rows of
        if o.get("kind") == "fault":  # it did not end by itself: say what stopped it, and when
            when = f" in epoch {o['epoch'] + 1}" if isinstance(o.get("epoch"), int) else ""
            what = str(o.get("message") or "a problem").split("\n", 1)[0]
            return f"stopped by a problem{when} (after {_epochs(whole)}): {what}"
        acc = o.get("val_accuracy")
        val = f", validation accuracy {acc:.1%}" if isinstance(acc, float) and math.isfinite(acc) else ""
        epochs = o.get("epochs")
        if not isinstance(epochs, int):
            return f"{o.get('reason', 'ended')} after {_epochs(whole)}{val}"
        whole = o.get("whole_epochs", min(whole, epochs))
        if o.get("reason") == "stopped" and isinstance(whole, int) and whole < epochs:
            return f"stopped during epoch {epochs} (after {_epochs(whole)}){val}"
        return f"{o.get('reason', 'ended')} after {_epochs(epochs)}{val}"

    def add_step(self, x: float, step: dict[str, Any]) -> None:
        """A step point ``x`` epochs into the run (loss and accuracy over the steps since the last point); the smoothed
        curves move on by one point (O(1))."""
        loss, acc, x = float(step["loss"]), float(step["accuracy"]), self.start + x
        self.weight = weight = smoothing_weight(x - float(self.loss.x[-1])) if self.loss.n else 1.0
        self.loss.append(x, loss)
        self.smooth.append(x, self._smooth_loss.add(loss, weight))
        self.acc_smooth.append(x, self._smooth_acc.add(acc, weight))
        self.lr.append(x, float(step["lr"]))
        self.rows.append({"run": self.name, "kind": "step", "epoch": step["epoch"] + 1, "step": step["step"],
                          "loss": loss, "accuracy": acc, "lr": step["lr"]})

    @property
    def smoothed(self) -> bool:
        """Whether the last step point was smoothed (not with steps a quarter epoch or more apart)."""
        return not self.weight >= 1

    def add_epoch(self, epoch: dict[str, Any]) -> None:
        self.restore_epoch({"epoch": epoch["epoch"] + 1, "loss": epoch["train_loss"],
                            "accuracy": epoch["train_accuracy"], "lr": epoch["lr"], "val_loss": epoch["val_loss"],
                            "val_accuracy": epoch["val_accuracy"]})

    def restore_step(self, x: float, loss: float, smooth: float, acc_smooth: float, lr: float) -> None:
        """A (thinned) step point of a saved run."""
        self.loss.append(x, loss)
        self.smooth.append(x, smooth)
        self.acc_smooth.append(x, acc_smooth)
        self.lr.append(x, lr)

    def restore_epoch(self, row: dict[str, Any]) -> None:
        """An epoch row (the run's epochs counted from 1): loss, accuracy, val_loss, val_accuracy, lr."""
        x = self.start + float(row["epoch"])
        self.val_loss.append(x, float(row["val_loss"]))
        self.val_acc.append(x, float(row["val_accuracy"]))
        self.train_loss.append(x, float(row["loss"]))
        self.train_acc.append(x, float(row["accuracy"]))
        self.rows.append({"run": self.name, "kind": "epoch", **row, "epoch": int(row["epoch"])})


def _epochs(n: int) -> str:
    return f"{n} epoch{'' if n == 1 else 's'}"


class RunsFileError(NetbuilderError):
    """The runs file cannot be read; the message is one line."""


def runs_path_for(design_path: str | Path) -> Path:
    """Where a design file's runs live: ``mynet.nbd`` -> ``mynet.runs.json``."""
    path = Path(design_path)
    return path.with_name(path.stem + RUNS_SUFFIX)


def legend_text(run: RunCurves, names: Mapping[int, str] | None = None) -> str:
    """``run 2 · adam lr 0.01 · batch 16`` (or ``stochastic``, ``full batch``, after the batch mode): the
    run's name and the settings that tell runs apart, then what differs from the defaults (``settings_note``)
    and the layers changed since the run before (``+dropout_1``). ``names``: run number -> name, for the run it
    continues ("run 3 · continues baseline")."""
    s = run.settings if isinstance(run.settings, dict) else {}
    if run.continues is not None:  # named as the run list names it now ("continues baseline" once renamed)
        parts = [run.name, f"continues {(names or {}).get(run.continues) or f'run {run.continues}'}"]
    else:
        parts = [run.name]
    if s.get("optimizer"):
        lr = _number(s.get("lr"))
        parts.append(f"{s['optimizer']} lr {lr:g}" if lr is not None else str(s["optimizer"]))
    mode = s.get("batch_mode")
    if mode == "full":
        parts.append("full batch")
    elif mode == "stochastic":  # one sample per step, whatever the batch size field holds
        parts.append("stochastic")
    elif s.get("batch_size"):
        parts.append(f"batch {s['batch_size']}")
    if s.get("schedule") not in (None, "none"):
        parts.append(str(s["schedule"]))
    parts += settings_note(s)
    if run.marks:  # (the settings above are those it started with)
        parts.append("then " + "; ".join(label for _x, label in run.marks))
    if run.changes:
        parts.append(run.changes)
    return " · ".join(parts)


def settings_note(s: dict[str, Any]) -> list[str]:
    """The regularisers a run's settings turn on (the defaults turn none on), shortly: ``wd 0.01``,
    ``early stop 5``, ``5% data``, ``aug flip shift 2px rot 10° noise 0.1``, ``2 locked``."""
    out = []
    decay = _number(s.get("weight_decay"))
    if decay:
        out.append(f"wd {decay:g}")
    patience = _number(s.get("early_stopping_patience"))
    if patience and patience > 0:
        out.append(f"early stop {patience:g}")
    fraction = _number(s.get("train_fraction"))
    if fraction is not None and 0 < fraction < 1:
        out.append(f"{fraction * 100:.3g}% data")
    aug = s.get("augmentation") if isinstance(s.get("augmentation"), dict) else {}
    bits = ["flip"] if aug.get("flip") is True else []
    for key, text in (("shift", "shift {:g}px"), ("rotation", "rot {:g}°"), ("noise", "noise {:g}")):
        value = _number(aug.get(key))
        if value:
            bits.append(text.format(value))
    if bits:
        out.append("aug " + " ".join(bits))
    frozen = s.get("frozen")
    if isinstance(frozen, list) and frozen:
        out.append(f"{len(frozen)} locked")
    return out


def tag_structure(run: RunCurves | None, signature: tuple, runs: list[RunCurves]) -> None:
    """Record the network ``run`` trains (its structure ``signature``: ``workbench.fit.structure_signature``)
    and the layers added, removed or changed since the latest earlier run of ``runs`` that has one, and the
    dataset (its settings' ``dataset``) when it is another than that run's ("on shapes")."""
    import zlib

    if run is None or run.layers is not None:
        return
    try:
        run.layers = {str(n): f"{kind}:{zlib.crc32(str(params).encode()):08x}" for n, kind, params in signature[0]}
    except (TypeError, ValueError, IndexError):
        return
    before = max((r for r in runs if r.layers is not None and r.number < run.number), key=lambda r: r.number,
                 default=None)
    run.changes = structure_changes(before.layers, run.layers) if before is not None else ""
    data, was = run.settings.get("dataset"), before.settings.get("dataset") if before is not None else None
    if isinstance(data, str) and isinstance(was, str) and data != was:  # curves of other data, side by side
        run.changes = " ".join(filter(None, (f"on {data}", run.changes)))


def structure_changes(before: dict[str, str], after: dict[str, str], shown: int = 2) -> str:
    """``+dropout_1 −batchnorm1d_1 ~dense_1`` (added, removed, settings changed), at most ``shown`` of each
    kind named, then how many more; empty when the networks are the same."""
    added = [n for n in after if n not in before]
    removed = [n for n in before if n not in after]
    changed = [n for n in after if n in before and before[n] != after[n]]
    words = []
    for mark, ids in (("+", added), ("−", removed), ("~", changed)):
        words += [mark + n for n in ids[:shown]]
        if len(ids) > shown:
            words.append(f"{mark}{len(ids) - shown} more")
    return " ".join(words)


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _thin(n: int, limit: int = MAX_STEP_POINTS) -> list[int]:
    """At most ``limit`` indices of ``range(n)``, evenly spread, the first and last kept."""
    if n <= limit:
        return list(range(n))
    return sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})


def to_record(run: RunCurves) -> dict[str, Any]:
    """One run as plain JSON values (non-finite numbers as null)."""
    keep = _thin(run.loss.n)
    series = {"x": run.loss.x, "loss": run.loss.y, "smooth": run.smooth.y, "accuracy_smooth": run.acc_smooth.y,
              "lr": run.lr.y}
    steps = {k: [_number(series[k][i]) for i in keep] for k in STEP_KEYS}
    epochs = [{k: _number(row.get(k)) for k in EPOCH_KEYS} for row in run.rows if row.get("kind") == "epoch"]
    outcome = {k: v for k, v in (run.outcome or {}).items()
               if isinstance(v, str) or (isinstance(v, (int, float)) and math.isfinite(v))}
    record = {"number": run.number, "name": run.name, "visible": run.visible, "settings": _plain(run.settings),
              "outcome": outcome, "epochs": epochs, "steps": steps}
    if run.layers is not None:
        record |= {"layers": dict(run.layers), "changes": run.changes}
    if run.marks:
        record["marks"] = [[x, label] for x, label in run.marks if math.isfinite(x)]
    if run.continues is not None and math.isfinite(run.start):
        record |= {"continues": run.continues, "start": run.start}
    return record


def _plain(value: Any) -> Any:
    """Settings as JSON values (a non-finite number as null)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def from_record(record: Any) -> RunCurves:
    """A run from its record; raises ValueError / TypeError / KeyError when the record is malformed."""
    if not isinstance(record, dict):
        raise TypeError("a run is not an object")
    number = record["number"]
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("a run's number is not a whole number")
    run = RunCurves(str(record.get("name") or f"run {number}"), number, dict(record.get("settings") or {}))
    run.visible = bool(record.get("visible", True))
    layers = record.get("layers")
    if isinstance(layers, dict) and all(isinstance(v, str) for v in layers.values()):
        run.layers = {str(k): v for k, v in layers.items()}
        run.changes = record["changes"] if isinstance(record.get("changes"), str) else ""
    run.outcome = dict(record.get("outcome") or {})
    continues, start = record.get("continues"), record.get("start")
    if (isinstance(continues, int) and not isinstance(continues, bool) and isinstance(start, int | float)
            and not isinstance(start, bool) and math.isfinite(start) and start >= 0):
        run.continues, run.start = continues, float(start)
    run.marks = [(float(x), label) for x, label in record.get("marks") or []
                 if isinstance(x, int | float) and not isinstance(x, bool) and isinstance(label, str)]
    steps = record.get("steps") or {}
    columns = [[math.nan if v is None else float(v) for v in steps.get(k, [])] for k in STEP_KEYS]
    for x, loss, smooth, acc, lr in zip(*columns, strict=False):
        run.restore_step(x, loss, smooth, acc, lr)
    for row in record.get("epochs") or []:
        run.restore_epoch({k: math.nan if row.get(k) is None else float(row[k]) for k in EPOCH_KEYS})
    return run


def dumps_runs(runs: list[RunCurves]) -> str:
    records = [to_record(r) for r in runs[-MAX_RUNS:]]
    return json.dumps({"format": FORMAT, "version": VERSION, "runs": records}, indent=1, allow_nan=False) + "\n"


def save_runs(path: str | Path, runs: list[RunCurves]) -> None:
    """Write the runs (oldest first) atomically."""
    atomic_write_text(path, dumps_runs(runs))


def load_runs(path: str | Path) -> list[RunCurves]:
    """The runs of a runs file, oldest first; RunsFileError (one line) when it cannot be read."""
    name = Path(path).name
    try:
        tree = safejson.parse(safejson.decode(safejson.read_limited(str(path))))
        safejson.check_tree(tree)
        if not isinstance(tree, dict) or tree.get("format") != FORMAT:
            raise ValueError("it is not a netbuilder runs file")
        if not isinstance(tree.get("version"), int) or tree["version"] > VERSION:
            raise ValueError(f"it was written by a newer netbuilder (version {tree.get('version')!r})")
        runs = [from_record(r) for r in tree.get("runs") or []]
    except safejson.Invalid as e:
        raise RunsFileError(f"{name}: {e}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise RunsFileError(f"{name}: {e}") from None
    return sorted(runs, key=lambda r: r.number)[-MAX_RUNS:]


def _loss(v: float) -> str:
    return f"{v:.4f}" if math.isfinite(v) else "–"


def _acc(v: float) -> str:
    return f"{v:.1%}" if math.isfinite(v) else "–"


def status_texts(run: RunCurves, names: Mapping[int, str] | None = None) -> tuple[str, str]:
    """What the line above the plots says of a run: the whole text, and a short one for a narrow view
    (``run 1: loss 1.8596, 68.4% · val. 1.6600, 80.0%``). Once an epoch has ended: its training loss and
    accuracy (over the epoch) beside its validation ones, like with like, and while the next epoch trains
    its loss now (smoothed, or the last step's when steps are too far apart to smooth); before that, the
    loss now alone."""
    legend, name = legend_text(run, names), run.name
    now = run.smooth.y[-1] if run.smooth.n else math.nan
    how = "smoothed" if run.smoothed else "last step"
    if run.train_loss.n:
        epoch, loss, acc = round(run.train_loss.x[-1] - run.start), run.train_loss.y[-1], run.train_acc.y[-1]
        val_loss, val_acc = run.val_loss.y[-1], run.val_acc.y[-1]
        whole = (f"{legend}: loss {_loss(loss)}, accuracy {_acc(acc)} over epoch {epoch} · validation loss "
                 f"{_loss(val_loss)}, accuracy {_acc(val_acc)}")
        short = f"{name}: loss {_loss(loss)}, {_acc(acc)} · val. {_loss(val_loss)}, {_acc(val_acc)}"
        if math.isfinite(now) and run.loss.x[-1] - run.start > epoch + 1e-6:  # the next epoch trains
            whole += f" · epoch {epoch + 1}: loss now {now:.4f} ({how})"
        return whole, short
    if not math.isfinite(now):
        return legend, name
    epoch = max(1, math.ceil(run.loss.x[-1] - run.start - 1e-6))
    acc = run.acc_smooth.y[-1] if run.acc_smooth.n else math.nan
    return (f"{legend}: loss {now:.4f}, accuracy {_acc(acc)} now in epoch {epoch} ({how})",
            f"{name}: loss {now:.4f}, {_acc(acc)} ({how})")
