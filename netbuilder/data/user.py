"""The user's own data: an image folder (one sub-folder per class) and a CSV table.

Image folders stream: a torch ``Dataset`` decodes each file (Pillow) in DataLoader worker processes.
A file that cannot be decoded comes back with a negative label naming its index, so the engine can
name the file in a plain error instead of a worker traceback. Imports numpy/torch/Pillow; never Qt.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch

from netbuilder.data.bundle import DatasetBundle, DatasetError, make_bundle, pick_samples, split_indices

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm", ".pbm", ".tif", ".tiff", ".webp"}


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is a dependency
        raise DatasetError("reading image folders needs Pillow: pip install pillow") from e
    return Image


def decode_image(path: str | Path, size: tuple[int, int], channels: int) -> np.ndarray:
    """One image file -> uint8 array (channels, height, width); raises DatasetError naming the file."""
    image_module = _pil()
    try:
        with image_module.open(path) as im:
            im = im.convert("L" if channels == 1 else "RGB")
            if im.size != (size[1], size[0]):
                im = im.resize((size[1], size[0]), image_module.Resampling.BILINEAR)
            arr = np.array(im, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError) as e:
        raise DatasetError(f"{path}: not a readable image ({e}); remove or replace the file") from e
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1).copy()


class ImageFolderSet(torch.utils.data.Dataset):
    """Files and labels; ``__getitem__`` returns (uint8 tensor C×H×W, label) or (zeros, -1 - index)."""

    def __init__(self, files: list[str], labels: list[int], size: tuple[int, int], channels: int):
        self.files, self.labels, self.size, self.channels = files, labels, size, channels

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int):
        try:
            arr = decode_image(self.files[index], self.size, self.channels)
        except DatasetError:
            return torch.zeros((self.channels, *self.size), dtype=torch.uint8), -1 - index
        return torch.from_numpy(arr), self.labels[index]


def scan_image_folder(root: Path) -> tuple[list[str], list[int], list[str]]:
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if len(classes) < 2:
        raise DatasetError(f"{root}: an image dataset needs one sub-folder per class (at least two); found "
                           f"{len(classes)}")
    files, labels = [], []
    for c, name in enumerate(classes):
        for f in sorted((root / name).rglob("*")):
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
                files.append(str(f))
                labels.append(c)
    empty = [c for i, c in enumerate(classes) if i not in set(labels)]
    if empty:
        raise DatasetError(f"{root}: class folders without images: {', '.join(empty)}")
    return files, labels, classes


def load_image_folder(path: str | Path, *, size: int | tuple[int, int] = 28, color: bool = False,
                      val_fraction: float = 0.1, test_fraction: float = 0.15, seed: int = 0,
                      num_workers: int | None = None, stats_samples: int = 512) -> DatasetBundle:
    root = Path(path)
    files, labels, classes = scan_image_folder(root)
    hw = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    channels = 3 if color else 1
    tr, va, te = split_indices(len(files), val_fraction, test_fraction, seed)

    def subset(idx: torch.Tensor) -> ImageFolderSet:
        return ImageFolderSet([files[i] for i in idx.tolist()], [labels[i] for i in idx.tolist()], hw, channels)

    train = subset(tr)
    probe_items = [train[i] for i in range(min(stats_samples, len(train)))]
    probe_items = [(x, y) for x, y in probe_items if y >= 0] or [(torch.zeros(channels, *hw, dtype=torch.uint8), 0)]
    probe = torch.stack([x for x, _ in probe_items])
    probe_y = torch.as_tensor([y for _, y in probe_items])
    xs = probe.to(torch.float64) / 255
    mean = xs.mean(dim=(0, 2, 3)).view(-1, 1, 1).float()
    std = xs.std(dim=(0, 2, 3)).clamp_min(1e-6).view(-1, 1, 1).float()
    samples, sample_labels = pick_samples(probe, probe_y, 1 / 255)
    if num_workers is None:
        import os

        num_workers = max(1, min(4, (os.cpu_count() or 2) - 1))
    return DatasetBundle(name=root.name, kind="image", input_shape=(channels, *hw), class_names=classes,
                         source="folder", mean=mean, std=std, scale=1 / 255, samples=samples,
                         sample_labels=sample_labels, train_set=train, val_set=subset(va), test_set=subset(te),
                         num_workers=num_workers, info={"path": str(root)})


def load_csv(path: str | Path, *, label_column: str | int | None = None, val_fraction: float = 0.1,
             test_fraction: float = 0.15, seed: int = 0) -> DatasetBundle:
    """A table: numeric feature columns and one label column (named, an index, or the last one).

    A header row is recognised when its feature cells are not numbers. Labels may be any text; classes
    are sorted. A row with a wrong cell count or a non-number feature is named by its line number.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [(n, r) for n, r in enumerate(csv.reader(f), start=1) if r and any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DatasetError(f"{path}: cannot be read as CSV ({e})") from e
    if not rows:
        raise DatasetError(f"{path}: the table is empty")
    header = None
    width = len(rows[0][1])

    def numeric(cell: str) -> bool:
        try:
            float(cell)
            return True
        except ValueError:
            return False

    def words(row: list[str]) -> int:
        return sum(not numeric(c) for c in row)

    if len(rows) > 1 and words(rows[0][1]) > words(rows[1][1]):
        header = [c.strip() for c in rows[0][1]]
        rows = rows[1:]
    if label_column is None:
        col = width - 1
    elif isinstance(label_column, int) or str(label_column).lstrip("-").isdigit():
        col = int(label_column) % width
    elif header and label_column in header:
        col = header.index(label_column)
    else:
        raise DatasetError(f"{path}: no column named {label_column!r}; columns are {', '.join(header or [])}")
    features, raw_labels = [], []
    for line, row in rows:
        if len(row) != width:
            raise DatasetError(f"{path}, line {line}: {len(row)} cells where the table has {width}; fix the row")
        try:
            features.append([float(c) for i, c in enumerate(row) if i != col])
        except ValueError as e:
            raise DatasetError(f"{path}, line {line}: a feature is not a number ({e}); fix the row") from e
        raw_labels.append(row[col].strip())
    if len(features) < 10:
        raise DatasetError(f"{path}: only {len(features)} rows; a dataset needs at least 10")
    try:
        keys = sorted(set(raw_labels), key=float)
    except ValueError:
        keys = sorted(set(raw_labels))
    index = {k: i for i, k in enumerate(keys)}
    x = torch.tensor(np.asarray(features, np.float32))
    y = torch.tensor([index[v] for v in raw_labels])
    if not torch.isfinite(x).all():
        bad = int(torch.nonzero(~torch.isfinite(x).all(dim=1))[0, 0])
        raise DatasetError(f"{path}, line {rows[bad][0]}: a feature is NaN or infinite; fix the row")
    names = [n for i, n in enumerate(header) if i != col] if header else None
    return make_bundle(path.stem, "table", x, y, keys, source="csv", val_fraction=val_fraction,
                       test_fraction=test_fraction, seed=seed, info={"path": str(path), "features": names})
