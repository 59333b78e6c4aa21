"""What the workbench tells the window: small frozen dataclasses of plain values (numbers, text, numpy
arrays, the engine's own event dataclasses). They are posted from the executor's thread and reach the
GUI thread through one adapter (``netbuilder.ui.bridge``); views dispatch on their type, never on
string keys.

Imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """The base of everything the workbench posts."""


@dataclass(frozen=True)
class Ready(Event):
    """torch is loaded: the device training would use and the datasets there are."""

    device: str
    device_type: str
    datasets: list[dict[str, Any]]


@dataclass(frozen=True)
class DatasetLoaded(Event):
    """The design's dataset, described in plain values (shape, classes, sizes, preview samples)."""

    spec: dict[str, Any]
    info: dict[str, Any]


@dataclass(frozen=True)
class DatasetFailed(Event):
    """The dataset of ``spec`` could not be loaded; ``remedy`` as in ``TaskFailed``."""

    spec: dict[str, Any]
    message: str
    remedy: str = ""


@dataclass(frozen=True)
class ViewResult(Event):
    """The answer to one view's question. ``value`` holds the view's plain values; when it cannot be
    computed ``message`` says why in one line (``offer_fit``: the design does not fit the dataset and
    Fit would help). ``revision`` is the design revision it was computed for; ``stale`` is set on the
    GUI thread when the design has changed since."""

    view: str
    ticket: int
    revision: int
    value: dict[str, Any] | None = None
    message: str | None = None
    offer_fit: bool = False
    trained: bool = False
    source: str = ""
    stale: bool = False


@dataclass(frozen=True)
class TaskDone(Event):
    """A task (weights, export, code) finished: ``value`` is its plain result."""

    key: str
    ticket: int
    value: Any = None


@dataclass(frozen=True)
class TaskFailed(Event):
    """A task failed or was cancelled; ``message`` is one line for the user. ``remedy`` names the one change
    that would fix it where the window offers it as a button (``"skip_bad"``, from the error's own
    ``remedy``); ``message`` then leaves out the command line's advice."""

    key: str
    ticket: int
    message: str
    cancelled: bool = False
    unexpected: bool = False
    remedy: str = ""


@dataclass(frozen=True)
class Progress(Event):
    key: str
    ticket: int
    fraction: float | None
    text: str = ""


@dataclass(frozen=True)
class RunPrepared(Event):
    """A run is about to start: the model is built and the data loaded."""

    run: int
    kept: list[str]
    fresh: bool
    data: dict[str, Any]
    settings: dict[str, Any]


@dataclass(frozen=True)
class RunEvents(Event):
    """A batch of the engine's events (``netbuilder.training.events`` dataclasses, plain values), about 30
    batches a second at most."""

    run: int
    events: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class RunEnded(Event):
    """A run is over: ``outcome`` is the engine's Finished event, or a Fault (engine or set-up), or None
    when the window closed under it. ``revision`` is the design revision it trained. ``replaced`` (set on
    the GUI thread by ``Workbench.accept``): another design was opened since, so the run ends there and
    nothing of it (weights, outcome, curves) belongs to the design now open."""

    run: int
    revision: int
    outcome: Any = None
    signature: tuple | None = None
    replaced: bool = False
