"""The user's own data: an image folder (one sub-folder per class) and a CSV table (``table.py``).

A Mac's ``__MACOSX`` folder is no class; a folder of train/val/test folders of classes is refused (it
would train the split's names). Before anything is split, every file of an image folder has its header
checked (fast, with progress):
bad files are named together in one error, or skipped with ``skip_bad``. The input shape comes from
the images (colour unless all are grey, the size of most) and the reason is recorded in
``info["input_shape_reason"]``. Image folders stream: a torch ``Dataset`` decodes each file (Pillow) in
DataLoader worker processes; a file that still fails there comes back with a negative label naming
its index, so the engine can name the file. Imports numpy/torch/Pillow; never Qt.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import torch

from netbuilder.data.bundle import DatasetBundle, DatasetError, pick_samples, split_indices
from netbuilder.data.images import (
    IMAGE_SUFFIXES,
    ScanProgress,
    bad_files_error,
    check_files,
    choose_shape,
    decode_image,
)
from netbuilder.data.table import load_csv

__all__ = ["IMAGE_SUFFIXES", "ImageFolderSet", "decode_image", "load_csv", "load_image_folder",
           "scan_image_folder"]

LARGE = 256 * 256  # pixels per image above which the chosen size earns a warning


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
    """Image files (by suffix; hidden files left out), their class indices, and the class names."""
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    classes = sorted(d.name for d in root.iterdir() if _is_class_folder(d))
    if len(classes) < 2:
        inner = [d for d in (root / classes[0]).iterdir() if _is_class_folder(d)] if classes else []
        hint = (f" ({classes[0]}); its sub-folders look like the classes: open {root / classes[0]} instead"
                if len(inner) >= 2 else "")
        raise DatasetError(f"{root}: an image dataset needs one sub-folder per class (at least two); found "
                           f"{len(classes)}{hint}")
    _refuse_split_folders(root, classes)
    files, labels = [], []
    for c, name in enumerate(classes):
        for f in sorted((root / name).rglob("*")):
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES and not f.name.startswith("."):
                files.append(str(f))
                labels.append(c)
    _check_classes(root, labels, classes, "class folders without images")
    return files, labels, classes


SPLIT_NAMES = {"train", "training", "val", "valid", "validation", "dev", "test", "testing"}


def _is_class_folder(d: Path) -> bool:
    """A sub-folder that may be a class: not hidden, and not the ``__MACOSX`` folder a Mac's zip leaves."""
    return d.is_dir() and not d.name.startswith(".") and d.name != "__MACOSX"


def _refuse_split_folders(root: Path, classes: list[str]) -> None:
    """A folder of train/val/test folders, each of class folders, would train the split's names as the classes."""
    if not set(c.lower() for c in classes) <= SPLIT_NAMES:
        return
    if not all(any(_is_class_folder(d) for d in (root / c).iterdir()) for c in classes):
        return
    train = next((c for c in classes if c.lower() in ("train", "training")), classes[0])
    raise DatasetError(f"{root}: its folders {', '.join(classes)} look like a ready-made split, each of class "
                       f"folders, and would be taken as the classes; netbuilder sets aside its own validation and "
                       f"test images: open {root / train} instead, or put all images in one folder per class")


def _few_images_notes(labels: list[int], classes: list[str], n_val: int, n_test: int) -> list[str]:
    """What a folder of very few images cannot do: an empty validation or test part (no accuracy can be
    measured on it), and classes of one image (nothing of them to check the network on)."""
    notes = []
    empty = [name for name, n in (("validation", n_val), ("test", n_test)) if n == 0]
    if empty:
        parts = " and ".join(empty)
        notes.append(f"{len(labels)} images are too few to set any aside: the {parts} part{'s' * (len(empty) > 1)} "
                     f"{'are' if len(empty) > 1 else 'is'} empty, so no {parts} accuracy can be measured; add "
                     "images (a few dozen per class)")
    counts = Counter(labels)
    single = [classes[i] for i in range(len(classes)) if counts.get(i, 0) == 1]
    if single:
        shown = ", ".join(single[:3]) + (f" and {len(single) - 3} more" if len(single) > 3 else "")
        notes.append(f"class folder{'s' * (len(single) > 1)} {shown} hold{'s' * (len(single) == 1)} one image "
                     "only: the network cannot learn a class from one example; add images")
    return notes


def _check_classes(root: Path, labels: list[int], classes: list[str], what: str) -> None:
    present = set(labels)
    empty = [c for i, c in enumerate(classes) if i not in present]
    if empty:
        raise DatasetError(f"{root}: {what}: {', '.join(empty)}; add images to {'them' if len(empty) > 1 else 'it'} "
                           f"or remove {'them' if len(empty) > 1 else 'it'}")


def _legacy_options(image_size: object, channels: int | None, size: object, color: bool | None
                    ) -> tuple[object, int | None]:
    """The older ``size`` and ``color`` options, used when ``image_size`` / ``channels`` are not given."""
    if image_size is None and size is not None:
        image_size = size
    if channels is None and color is not None:
        channels = 3 if color else 1
    return image_size, channels


def load_image_folder(path: str | Path, *, image_size: object = None, channels: int | None = None,
                      skip_bad: bool = False, progress: ScanProgress | None = None, size: object = None,
                      color: bool | None = None, val_fraction: float = 0.1, test_fraction: float = 0.15,
                      num_workers: int | None = None, stats_samples: int = 512) -> DatasetBundle:
    """A folder of class sub-folders, every file checked first; the split depends on the files alone.

    ``image_size`` (H, W) and ``channels`` (1 or 3) override the shape taken from the images;
    ``size`` and ``color`` are their older names. ``progress(text, fraction)`` hears the check.
    """
    root = Path(path)
    image_size, channels = _legacy_options(image_size, channels, size, color)
    files, labels, classes = scan_image_folder(root)
    headers, bad = check_files(files, progress)
    skipped: list[str] = []
    if bad:
        if not skip_bad:
            raise bad_files_error(root, bad, len(files))
        skipped = bad
        keep = [i for i, h in enumerate(headers) if h is not None]
        files, labels, headers = [files[i] for i in keep], [labels[i] for i in keep], [headers[i] for i in keep]
        if not files:
            raise DatasetError(f"{root}: none of the {len(bad)} files is a readable image")
        _check_classes(root, labels, classes, "class folders without a readable image")
    shape, reason = choose_shape([h for h in headers if h is not None], image_size, channels)
    c, hw = shape[0], (shape[1], shape[2])
    notes = []
    if image_size is None and hw[0] * hw[1] > LARGE:
        notes.append(f"the images are {hw[0]}×{hw[1]} pixels; training at that size needs much memory and "
                     "time; choose a smaller size with the image_size option (--image-size)")
    tr, va, te = split_indices(len(files), val_fraction, test_fraction)
    notes += _few_images_notes(labels, classes, len(va), len(te))

    def subset(idx: torch.Tensor) -> ImageFolderSet:
        return ImageFolderSet([files[i] for i in idx.tolist()], [labels[i] for i in idx.tolist()], hw, c)

    train = subset(tr)
    if progress:
        progress(f"measuring {min(stats_samples, len(train))} training images for normalisation", None)
    probe_items = [train[i] for i in range(min(stats_samples, len(train)))]
    probe_items = [(x, y) for x, y in probe_items if y >= 0] or [(torch.zeros(c, *hw, dtype=torch.uint8), 0)]
    probe = torch.stack([x for x, _ in probe_items])
    probe_y = torch.as_tensor([y for _, y in probe_items])
    xs = probe.to(torch.float64) / 255
    mean = xs.mean(dim=(0, 2, 3)).view(-1, 1, 1).float()
    std = xs.std(dim=(0, 2, 3)) if len(probe) > 1 else torch.ones(c, dtype=torch.float64)
    std = torch.where(std > 1e-6, std, torch.ones_like(std)).view(-1, 1, 1).float()
    samples, sample_labels = pick_samples(probe, probe_y, 1 / 255)
    if num_workers is None:
        num_workers = max(1, min(4, (os.cpu_count() or 2) - 1))
    info = {"path": str(root), "input_shape_reason": reason, "checked": len(files) + len(skipped),
            "skipped": skipped, "warnings": notes}
    return DatasetBundle(name=root.name, kind="image", input_shape=shape, class_names=classes,
                         source="folder", mean=mean, std=std, scale=1 / 255, samples=samples,
                         sample_labels=sample_labels, train_set=train, val_set=subset(va), test_set=subset(te),
                         num_workers=num_workers, info=info)
