"""Which trained weights belong to a design file: ONE rule, for the window, the commands and the notebook API.

The design's own ``weights`` entry decides. It names a file beside the design file: those are its weights
(``lab3.nbd`` renamed ``lab3_alice.nbd`` still names ``lab3.safetensors``, and keeps them); when that file
is missing the design is untrained, and the caller says which file is missing. ``"weights": null`` means
untrained: a leftover ``X.safetensors`` beside ``X.nbd`` that the design does not name is not its.

Format version 1 had no ``weights`` entry (netbuilder then kept a design's weights named after its file):
``load_design`` of such a file fills the entry with the name of the weights named after it (``mynet.nbd``
-> ``mynet.safetensors``) when they are there (``upgraded_weights``), so the rule above holds for it too,
and saving it again writes the entry. A version-2 file written without the entry reads as null: untrained.

Imports: stdlib and ``netbuilder.graph`` only.
"""

from __future__ import annotations

import os
from pathlib import Path

from netbuilder.graph import Design

WEIGHTS_EXTENSION = ".safetensors"


def weights_path_for(design_path: str | os.PathLike) -> Path:
    """Where the weights of a design file are SAVED: beside it, named after the file (not the design's
    title), so two designs in one folder never share one: ``mynet.nbd`` -> ``mynet.safetensors``. (Which
    weights a design USES is its own ``weights`` entry: ``design_weights_file``.)"""
    path = Path(design_path)
    if not path.name or path.name in (".", ".."):
        raise ValueError(f"{os.fspath(design_path)!r} names no design file")
    return path.with_suffix(WEIGHTS_EXTENSION)


def design_weights_file(design: Design, design_path: str | os.PathLike) -> Path | None:
    """The weights file that belongs to ``design``, read from the file ``design_path``, by the rule above,
    whether or not it exists (a missing one is the caller's to report); None: the design is untrained."""
    return Path(design_path).parent / design.weights if design.weights else None


def existing_design_weights(design: Design, design_path: str | os.PathLike) -> Path | None:
    """``design_weights_file`` when that file exists (the weights to load), else None (untrained)."""
    path = design_weights_file(design, design_path)
    return path if path is not None and path.is_file() else None


def upgraded_weights(design: Design, design_path: str | os.PathLike) -> str | None:
    """For a design upgraded from format version 1 (no ``weights`` entry then) read from ``design_path``: the
    name of the weights file named after it when it is there and the name is one a design file may hold;
    else None."""
    meta = design.meta if isinstance(design.meta, dict) else {}
    if design.weights or meta.get("upgraded_from") != 1:
        return None
    try:
        own = weights_path_for(design_path)
    except ValueError:
        return None
    name = own.name
    if name.startswith(".") or ":" in name or "\\" in name or len(name) > 255 or not own.is_file():
        return None
    return name
