"""Datasets: built-in, standard (downloaded), and the user's own; all become a ``DatasetBundle``.

``load_dataset(name_or_path, *, data_dir=None, **options)`` and ``list_datasets()`` are the entry
points. Imports torch and numpy (lazily: ``import netbuilder.data`` itself stays cheap); never Qt.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netbuilder.data.bundle import DatasetBundle

__all__ = ["DatasetInfo", "list_datasets", "load_dataset", "dataset_names"]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    kind: str  # image | points | table
    input_shape: tuple[int, ...]
    num_classes: int
    size: int  # examples in all
    source: str  # built-in | download
    description: str
    available: bool  # built-in, or downloaded into the cache / data_dir

    def row(self) -> dict[str, Any]:
        """What a list of datasets shows (the Training panel's box, the preset gallery's Fit), as plain values."""
        return {"name": self.name, "kind": self.kind, "input_shape": list(self.input_shape),
                "classes": self.num_classes, "available": self.available, "description": self.description}


_BUILTIN = {
    "circle": ("points", (2,), 2, 500, "TensorFlow Playground: a disc inside a ring (options noise, train_ratio, samples)"),
    "xor": ("points", (2,), 2, 500, "TensorFlow Playground: exclusive-or quadrants"),
    "gaussian": ("points", (2,), 2, 500, "TensorFlow Playground: two Gaussian clouds"),
    "spiral": ("points", (2,), 2, 500, "TensorFlow Playground: two interleaved spirals"),
    "shapes": ("image", (1, 28, 28), 6, 3000, "synthetic shapes: circle, square, triangle, cross, ring, diamond "
               "(options samples, size, color, noise)"),
    "digits": ("image", (1, 8, 8), 10, 1797, "UCI handwritten digits 8x8 (Alpaydin & Kaynak, CC BY 4.0)"),
}
_ALIASES = {"fashion-mnist": "fashion_mnist", "fashionmnist": "fashion_mnist", "cifar-10": "cifar10",
            "k-mnist": "kmnist", "two_gaussians": "gaussian"}


def dataset_names() -> list[str]:
    from netbuilder.data.standard import STANDARD

    return list(_BUILTIN) + list(STANDARD)


def list_datasets(data_dir: str | os.PathLike | None = None) -> list[DatasetInfo]:
    from netbuilder.data.standard import STANDARD, is_downloaded

    infos = [DatasetInfo(n, k, s, c, z, "built-in", d, True) for n, (k, s, c, z, d) in _BUILTIN.items()]
    for spec in STANDARD.values():
        infos.append(DatasetInfo(spec.name, "image", spec.input_shape, len(spec.class_names),
                                 spec.train_size + spec.test_size, "download", spec.title,
                                 is_downloaded(spec, Path(data_dir) if data_dir else None)))
    return infos


def load_dataset(name_or_path: str | os.PathLike, *, data_dir: str | os.PathLike | None = None,
                 progress: Callable | None = None, seed: int | None = None, **options: Any) -> DatasetBundle:
    """A dataset by name (``list_datasets()``), or a path: a folder of class sub-folders or a ``.csv``.

    The train/validation/test split depends on the dataset alone: ``seed`` is accepted and ignored, so
    a training seed never changes the test set. Common options: ``val_fraction``, ``test_fraction``.
    Standard sets also take ``download`` (bool), ``mirror`` (base address; else $NETBUILDER_DATA_MIRROR)
    and ``progress`` (callable(file, done, total) for downloads). Image folders take ``image_size``
    ((H, W), an int, or "H,W"), ``channels`` (1 or 3), ``skip_bad`` (bool) and ``progress``
    (callable(text, fraction or None), as every file is checked); the older ``size`` and ``color`` still
    work. CSV files take ``label_column`` (a name or an index) and ``delimiter``. Built-in sets take
    their own options (``samples``, ``noise`` ...). ``bundle.info`` may hold ``warnings`` (plain lines
    to show), and for image folders ``input_shape_reason`` and ``skipped`` ("path: reason" lines).
    """
    del seed  # the split's seed is fixed (bundle.SPLIT_SEED)
    from netbuilder.data import builtin, standard, user
    from netbuilder.data.bundle import DatasetError

    text = os.fspath(name_or_path)
    key = _ALIASES.get(text.lower(), text.lower())
    try:
        if key in builtin.PLAYGROUND:
            return builtin.load_playground(key, **options)
        if key == "shapes":
            return builtin.load_shapes(**options)
        if key == "digits":
            return builtin.load_digits(**options)
        if key in standard.STANDARD:
            return standard.load_standard(standard.STANDARD[key], data_dir=data_dir, progress=progress, **options)
        path = Path(text).expanduser()
        if path.is_dir():
            return user.load_image_folder(path, progress=progress, **options)
        if path.is_file() and path.suffix.lower() in (".csv", ".txt", ".tsv"):
            return user.load_csv(path, **options)
    except TypeError as e:
        if "unexpected keyword" not in str(e):
            raise
        raise DatasetError(f"dataset {text!r}: {str(e).split(')', 1)[-1].strip()}") from e
    if path.exists():
        raise DatasetError(f"{text}: not a dataset; give a folder with one sub-folder per class, or a .csv file")
    if _looks_like_path(text):
        what = "file" if Path(text).suffix.lower() in (".csv", ".txt", ".tsv") else "folder or file"
        raise DatasetError(f"{text}: this {what} does not exist; give a folder with one sub-folder per class, or a .csv file")
    raise DatasetError(f"no dataset called {text!r}; built-in and standard sets are: {', '.join(dataset_names())}")


def _looks_like_path(text: str) -> bool:
    """A name with a folder separator, a home folder or a table's suffix is meant as a path."""
    return ("/" in text or "\\" in text or text.startswith("~")
            or Path(text).suffix.lower() in (".csv", ".txt", ".tsv"))
