"""What the workbench checks in a design's ``dataset`` section before it loads anything: a file's section
is free-form JSON, so its name may be a number or ``true``. Imports ``errors`` only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netbuilder.errors import NetbuilderError


def check_dataset_spec(spec: Any) -> None:
    """Raise NetbuilderError (one plain line, the key and the value named) when ``spec`` cannot name a dataset."""
    if not isinstance(spec, Mapping):
        raise NetbuilderError(f"the design's dataset must be an object like {{\"name\": \"digits\"}}, not {spec!r}")
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        shown = repr(name) if len(repr(name)) <= 40 else repr(name)[:39] + "…"
        raise NetbuilderError(f"the design's dataset name must be text, like \"digits\" or a folder's path "
                              f"(dataset.name is {shown})")
