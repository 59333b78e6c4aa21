"""A design's trained weights for the commands: where they are, loading them (``--weights``, ``--partial``)
into a compiled model, the preprocessing recorded with them, and saving them.

A design file names its weights by its own file name (``mynet.nbd`` -> ``mynet.safetensors``), so
``train``, ``export``, ``evaluate`` and ``predict`` all find and load them the same way.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from netbuilder.errors import NetbuilderError


def add_weights_arguments(p: argparse.ArgumentParser, *, default_text: str) -> None:
    p.add_argument("--weights", metavar="FILE",
                   help="weights to load: a netbuilder .safetensors file or a torchvision checkpoint of the "
                        f"matching preset ({default_text})")
    p.add_argument("--partial", action="store_true",
                   help="load a checkpoint that covers only some layers, and say which were loaded")


def weights_path_for(design_path: str | os.PathLike) -> Path:
    from netbuilder.io import weights_path_for as _for

    return _for(design_path)


def design_weights(design_arg: str) -> Path | None:
    """The weights file beside a design file (None for a preset, or when there is none yet)."""
    if not os.path.isfile(design_arg):
        return None
    path = weights_path_for(design_arg)
    return path if path.is_file() else None


def missing_text(design_arg: str) -> str:
    """`` (no mynet.safetensors beside it)`` for a design file; empty for a preset."""
    return f" (no {weights_path_for(design_arg).name} beside it)" if os.path.isfile(design_arg) else ""


def chosen_weights(args: argparse.Namespace) -> Path | None:
    """``--weights`` when given (it must exist), else the design file's own weights, else None."""
    if getattr(args, "weights", None):
        path = Path(args.weights)
        if not path.is_file():
            raise NetbuilderError(f"--weights {args.weights}: no such file")
        return path
    return design_weights(args.design)


def load_weights_into(model, design, path: Path, partial: bool = False):
    """Load ``path`` into ``model`` (compiled from ``design``); returns the loader's report. Without
    ``partial`` a file that leaves layers uncovered (other than a replaced head) is refused."""
    from netbuilder.training.transfer import load_into

    return load_into(model, design, path, partial=partial)


def read_preprocessing(path: Path | None) -> dict[str, Any] | None:
    """The preprocessing recorded in a netbuilder weights file (None for other files or none recorded)."""
    if path is None:
        return None
    from netbuilder.training.weights import read_weights_metadata

    prep = read_weights_metadata(path).get("preprocessing")
    return prep if isinstance(prep, dict) else None


def save_trained(model, path: Path, preprocessing: dict[str, Any] | None, metadata: dict[str, str]) -> Path:
    """Save ``model``'s weights with the preprocessing that its inputs need."""
    from netbuilder.training.weights import save_weights

    return save_weights(model, path, metadata=metadata, preprocessing=preprocessing)


def compile_normalising(design, preprocessing: dict[str, Any] | None):
    """A model that takes [0, 1] images (tables: the features as in the file) and normalises them itself."""
    from netbuilder.compiler import compile_design

    return compile_design(design, preprocessing=preprocessing)


def preprocessing_of(data) -> dict[str, Any]:
    """What a model needs to take this data's inputs (``DatasetBundle.preprocessing()``)."""
    return data.preprocessing()
