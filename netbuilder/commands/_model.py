"""A design's trained weights for the commands: where they are, loading them (``--weights``, ``--partial``)
into a compiled model, the preprocessing recorded with them, and saving them.

Which weights a design file uses is the one rule of ``netbuilder.io.weights_file`` (the window and the
notebook API follow it too): the file its ``weights`` entry names beside it; ``"weights": null`` means
untrained. ``train --out`` names the weights it writes after the design file (``mynet.safetensors``).
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
    """Where ``train --out`` writes a design file's weights: named after it (``mynet.safetensors``)."""
    from netbuilder.io import weights_path_for as _for

    return _for(design_path)


def design_weights(design_arg: str, design) -> Path | None:
    """The trained weights of a design file by the one rule (``io.existing_design_weights``): the file its
    ``weights`` entry names, when it is there. None for a preset, or when the design is untrained."""
    if not os.path.isfile(design_arg):
        return None
    from netbuilder.io import existing_design_weights

    return existing_design_weights(design, design_arg)


def missing_text(design_arg: str, design) -> str:
    """Why a design file has no weights to load, as `` (...)`` to end a sentence; empty for a preset."""
    if not os.path.isfile(design_arg):
        return ""
    return unusual_missing(design_arg, design) or " (the design file names no weights file)"


def unusual_missing(design_arg: str, design) -> str:
    """`` (...)`` when a design file's weights are missing in a way worth a note even where untrained is
    fine: the file it names is not beside it, or a weights file named after it is there unnamed. Else empty."""
    if not os.path.isfile(design_arg):
        return ""
    from netbuilder.io import design_weights_file

    named = design_weights_file(design, design_arg)
    if named is not None:
        return "" if named.is_file() else f" (it names the weights file {named.name}, which is not beside it)"
    leftover = weights_path_for(design_arg)
    if leftover.is_file():
        return (f" (the design file names no weights file; {leftover.name} beside it is not named by it: to use "
                f"it, give --weights {leftover.name})")
    return ""


def chosen_weights(args: argparse.Namespace, design) -> Path | None:
    """``--weights`` when given (it must exist), else the design file's own weights, else None."""
    if getattr(args, "weights", None):
        path = Path(args.weights)
        if not path.is_file():
            raise NetbuilderError(f"--weights {args.weights}: no such file")
        return path
    return design_weights(args.design, design)


def load_weights_into(model, design, path: Path, partial: bool = False):
    """Load ``path`` into ``model`` (compiled from ``design``); returns the loader's report. Without
    ``partial`` a file that leaves layers uncovered (other than a replaced head) is refused."""
    from netbuilder.training.transfer import load_into

    return load_into(model, design, path, partial=partial)


def seen_by_weights(data, report, path: Path, progress):
    """``data`` normalised as the weights loaded from ``path`` were trained (``training.weights.seen_by``), with a
    line saying so when that is not the data's own normalisation: a run and ``evaluate`` feed the model as the
    window and ``predict`` do."""
    from netbuilder.training.weights import seen_by, seen_text

    seen = seen_by(data, report.preprocessing)
    text = seen_text(data, seen, path.name)
    if text:
        progress.line(text)
    return seen


def untrained_layers(report) -> list[str]:
    """The layers a load left without the file's weights: a head kept fresh, and any layer not covered."""
    return [*(n for n, _ in report.fresh), *(n for n, _ in report.missing)]


def frozen_without_weights(report, frozen) -> list[str]:
    """The locked (frozen) layers that the load left random."""
    left = untrained_layers(report)
    return [f for f in (frozen or []) if any(n == f or n.startswith(f"{f}.") for n in left)]


def require_trained(report, path: Path, target: str, classes: int) -> None:
    """Refuse to evaluate or predict with layers the weights did not cover: their answers would be
    meaningless. ``target``: what the model is for now (the dataset's name, or "the design")."""
    if report.fresh:
        from netbuilder.training.weights import read_weights_metadata

        meta = read_weights_metadata(path)
        prep = meta.get("preprocessing") if isinstance(meta.get("preprocessing"), dict) else {}
        known = len(prep.get("class_names") or [])
        source = meta.get("dataset")
        was = (f"{source} ({known} classes)" if source and known else f"{known} classes" if known
               else str(source) if source else "another number of classes")
        raise NetbuilderError(f"{path.name} was trained for {was}; {target} has {classes}: its head "
                              f"({report.fresh[0][0]}) would be untrained; fit and train it first "
                              "('netbuilder train ... --weights FILE')")
    missing = [n for n, _ in report.missing]
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        saved = " (the file records them as untrained)" if getattr(report, "untrained", None) else ""
        raise NetbuilderError(f"{path.name} gave no weights to {len(missing)} layer{'s' * (len(missing) != 1)} "
                              f"({shown}){saved}: {'it is' if len(missing) == 1 else 'they are'} untrained and the "
                              "answers would be meaningless; train the design first ('netbuilder train ...')")


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


def weights_preprocessing(design, path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """What the inputs of the weights in ``path`` are normalised with, the one rule of ``predict``, ``export``,
    ``evaluate`` and the window: what the file records; ImageNet's (GoogLeNet's (x - 0.5) / 0.5) for a
    torchvision checkpoint (``training.transfer``); else, for a file that records nothing, the design's own
    dataset's normalisation (as ``evaluate`` and the window use the bound data's), else none. The second
    value is a note for the user when the file recorded nothing (None otherwise)."""
    recorded = read_preprocessing(path)
    if recorded is not None:  # (the usual case: read from the file's header, nothing loaded)
        return recorded, None
    from netbuilder.compiler import compile_design
    from netbuilder.training.transfer import load_into

    report = load_into(compile_design(design), design, path, partial=True)  # (a torchvision checkpoint?)
    if report.preprocessing is not None:
        return report.preprocessing, None
    name = (design.dataset or {}).get("name")
    if name:
        try:
            from netbuilder.data import load_dataset

            options = {k: v for k, v in (design.dataset or {}).items() if k != "name"}
            from netbuilder.data.standard import STANDARD

            plain = {k.replace("_", "") for k in STANDARD}  # (and their other spellings: "cifar-10", "fashion-mnist")
            if str(name).lower().replace("-", "").replace("_", "") in plain:  # never a download for this
                options["download"] = False
            prep = load_dataset(name, **options).preprocessing()
            return prep, f"{path.name} records no preprocessing; normalising as {name} is (the design's dataset)"
        except Exception:  # noqa: BLE001  (a dataset missing here: said below)
            pass
    return None, (f"{path.name} records no preprocessing and the design's dataset is not here: the images go in "
                  "as values in [0, 1], unnormalised")


def compile_normalising(design, preprocessing: dict[str, Any] | None):
    """A model that takes [0, 1] images (tables: the features as in the file) and normalises them itself."""
    from netbuilder.compiler import compile_design

    return compile_design(design, preprocessing=preprocessing)


def preprocessing_of(data) -> dict[str, Any]:
    """What a model needs to take this data's inputs (``DatasetBundle.preprocessing()``)."""
    return data.preprocessing()
