"""MNIST, Fashion-MNIST, KMNIST and CIFAR-10: official addresses and checksums, cache folder,
files the user already has, and readers for the native formats (IDX, CIFAR-10 binary; never pickle).

Imports numpy/torch and the download helper; never Qt.
"""

from __future__ import annotations

import gzip
import tarfile
import urllib.error
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from netbuilder.data.bundle import DatasetBundle, DatasetError, check_labels, make_bundle
from netbuilder.data.download import Progress, checksum_ok, download, is_network_error, mirror_base
from netbuilder.paths import user_data_dir

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


@dataclass(frozen=True)
class StandardSpec:
    name: str
    title: str
    format: str  # "idx" | "cifar-binary"
    bases: tuple[str, ...]  # publisher addresses, tried in order
    files: tuple[tuple[str, str], ...]  # (file name, "md5:<hex>")
    class_names: tuple[str, ...]
    input_shape: tuple[int, ...]
    train_size: int
    test_size: int
    aliases: tuple[str, ...] = ()  # folder names other tools use (torchvision's layout)


STANDARD: dict[str, StandardSpec] = {s.name: s for s in (
    StandardSpec("mnist", "MNIST handwritten digits", "idx",
                 ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
                 tuple(zip(MNIST_FILES, ("md5:f68b3c2dcbeaaa9fbdd348bbdeb94873", "md5:d53e105ee54ea40749a09fcbcd1e9432",
                                         "md5:9fb629c4189551a2d022fa330f9573f3", "md5:ec29112dd5afa0611ce80d1b7f02629c"))),
                 tuple(str(d) for d in range(10)), (1, 28, 28), 60000, 10000, ("MNIST/raw",)),
    StandardSpec("fashion_mnist", "Fashion-MNIST (Zalando)", "idx",
                 ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
                 tuple(zip(MNIST_FILES, ("md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d", "md5:25c81989df183df01b3e8a0aad5dffbe",
                                         "md5:bef4ecab320f06d8554ea6380940ec79", "md5:bb300cfdad3c16e7a12a480ee83cd310"))),
                 ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                  "Ankle boot"), (1, 28, 28), 60000, 10000, ("FashionMNIST/raw",)),
    StandardSpec("kmnist", "Kuzushiji-MNIST", "idx", ("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
                 tuple(zip(MNIST_FILES, ("md5:bdb82020997e1d708af4cf47b453dcf7", "md5:e144d726b3acfaa3e44228e80efcd344",
                                         "md5:5c965bf0a639b31b8f53240b1b52f4d7", "md5:7320c461ea6c1c855c0b718fb2a4b134"))),
                 ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"), (1, 28, 28), 60000, 10000,
                 ("KMNIST/raw",)),
    StandardSpec("cifar10", "CIFAR-10 (binary version)", "cifar-binary", ("https://www.cs.toronto.edu/~kriz/",),
                 (("cifar-10-binary.tar.gz", "md5:c32a1d4ab5d03f1284b67883e8d87530"),),
                 tuple(CIFAR_CLASSES), (3, 32, 32), 50000, 10000, ("cifar-10-batches-bin", "CIFAR10")),
)}


def default_data_dir() -> Path:
    return user_data_dir() / "datasets"


# ---------------------------------------------------------------- native formats

def read_idx(path: Path) -> np.ndarray:
    """An IDX file (``.gz`` or plain) as a numpy array: magic 0x00 0x00 <type> <ndim>, big-endian sizes."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise DatasetError(f"{path}: cannot be read ({e}); delete it and download it again") from e
    types = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if len(raw) < 4 or raw[0] or raw[1] or raw[2] not in types:
        raise DatasetError(f"{path}: not an IDX file (bad magic number)")
    ndim = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(types[raw[2]])
    body = raw[4 + 4 * ndim:]
    if len(body) != int(np.prod(dims)) * dtype.itemsize:
        raise DatasetError(f"{path}: IDX file is truncated or has extra bytes (header says {dims})")
    return np.frombuffer(body, dtype).reshape(dims)


def read_cifar_records(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 binary records: one label byte then 3072 pixel bytes (R, G, B planes of 32x32)."""
    if len(raw) % 3073:
        raise DatasetError(f"{where}: not a CIFAR-10 binary batch (size {len(raw)} is not a multiple of 3073)")
    records = np.frombuffer(raw, np.uint8).reshape(-1, 3073)
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].astype(np.int64)


def read_cifar(source: Path, num_classes: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and test arrays from ``cifar-10-binary.tar.gz`` (read in place) or its extracted folder.

    A label outside ``0 .. num_classes - 1`` is refused, naming its batch file.
    """
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    parts: dict[str, bytes] = {}
    if source.is_dir():
        for n in names:
            if (source / n).is_file():
                parts[n] = (source / n).read_bytes()
    else:
        try:
            with tarfile.open(source, "r:gz") as tar:
                for member in tar:
                    base = member.name.rsplit("/", 1)[-1]
                    if member.isfile() and base in names:
                        parts[base] = tar.extractfile(member).read()
        except (tarfile.TarError, OSError, EOFError) as e:
            raise DatasetError(f"{source}: not a readable CIFAR-10 archive ({e}); delete it and download again") from e
    missing = [n for n in names if n not in parts]
    if missing:
        raise DatasetError(f"{source}: CIFAR-10 files missing: {', '.join(missing)}")
    batches = {n: read_cifar_records(parts[n], f"{source}/{n}") for n in names}
    for n, (_, labels) in batches.items():
        check_labels(f"{source}/{n}", torch.from_numpy(labels), num_classes)
    train = [batches[n] for n in names[:5]]
    tx, ty = batches["test_batch.bin"]
    return np.concatenate([t[0] for t in train]), np.concatenate([t[1] for t in train]), tx, ty


# ---------------------------------------------------------------- finding and fetching files

def _candidates(spec: StandardSpec, folder: Path) -> list[Path]:
    return [folder / spec.name, folder] + [folder / a for a in spec.aliases]


def find_local(spec: StandardSpec, data_dir: Path) -> dict[str, Path] | None:
    """The dataset's files in a folder the user has (ours, torchvision's layout, or plain), or None."""
    for folder in _candidates(spec, Path(data_dir)):
        if spec.format == "cifar-binary":
            if (folder / "cifar-10-batches-bin" / "test_batch.bin").is_file():
                return {"cifar": folder / "cifar-10-batches-bin"}
            if (folder / "test_batch.bin").is_file():
                return {"cifar": folder}
            if (folder / spec.files[0][0]).is_file():
                return {"cifar": folder / spec.files[0][0]}
            continue
        found = {}
        for name, _ in spec.files:
            for candidate in (folder / name, folder / name.removesuffix(".gz")):
                if candidate.is_file():
                    found[name] = candidate
                    break
        if len(found) == len(spec.files):
            return found
    return None


def is_downloaded(spec: StandardSpec, data_dir: Path | None = None) -> bool:
    return find_local(spec, Path(data_dir) if data_dir else default_data_dir()) is not None


def fetch(spec: StandardSpec, data_dir: Path, *, mirror: str | None = None,
          progress: Progress | None = None, timeout: float = 30.0) -> dict[str, Path]:
    """Download every file of ``spec`` missing from ``data_dir/<name>`` and verify its checksum."""
    target = Path(data_dir) / spec.name
    base = mirror_base(mirror)
    bases = (f"{base}/{spec.name}/",) if base else spec.bases
    paths: dict[str, Path] = {}
    for name, checksum in spec.files:
        dest = target / name
        if dest.is_file() and checksum_ok(dest, checksum):
            paths[name] = dest
            continue
        errors, answered = [], True  # answered: every server answered (with an HTTP error), none unreachable
        for b in bases:
            try:
                paths[name] = download(b + name, dest, checksum, progress=progress, timeout=timeout)
                break
            except (urllib.error.URLError, OSError) as e:
                if not is_network_error(e):
                    raise
                errors.append(f"{b + name}: {getattr(e, 'reason', e)}")
                answered = answered and isinstance(e, urllib.error.HTTPError)
        else:
            urls = " ".join(b + n for b in bases[:1] for n, _ in spec.files)
            why = ("The server answered but could not give the file." if answered else "Are you offline?")
            raise DatasetError(
                f"cannot download {spec.title} ({'; '.join(errors)}). {why} Download {urls} by hand "
                f"and put the files in {target}, or point --data-dir at a folder that has them, or set "
                "NETBUILDER_DATA_MIRROR to a mirror")
    return {"cifar": paths[spec.files[0][0]]} if spec.format == "cifar-binary" else paths


def load_standard(spec: StandardSpec, *, data_dir: str | Path | None = None, download: bool = True,
                  mirror: str | None = None, progress: Progress | None = None, val_fraction: float = 0.1,
                  timeout: float = 30.0) -> DatasetBundle:
    folder = Path(data_dir) if data_dir else default_data_dir()
    files = find_local(spec, folder)
    if files is None:
        if not download:
            raise DatasetError(f"{spec.title} is not in {folder}; download it first (netbuilder train ... "
                               "downloads it) or point --data-dir at a folder that has it")
        files = fetch(spec, folder, mirror=mirror, progress=progress, timeout=timeout)
    if spec.format == "cifar-binary":
        x, y, tx, ty = read_cifar(files["cifar"], len(spec.class_names))
    else:
        x, y, tx, ty = (read_idx(files[n]) for n in MNIST_FILES)
        x, tx = x[:, None], tx[:, None]
        if x.shape[0] != y.shape[0] or tx.shape[0] != ty.shape[0]:
            raise DatasetError(f"{spec.title} in {folder}: image and label counts differ; download again")
        for labels, name in ((y, MNIST_FILES[1]), (ty, MNIST_FILES[3])):
            check_labels(str(files[name]), torch.from_numpy(labels.astype(np.int64)), len(spec.class_names))
    return make_bundle(spec.name, "image", torch.from_numpy(np.array(x)), torch.from_numpy(y.astype(np.int64)),
                       list(spec.class_names), source="downloaded", scale=1 / 255,
                       x_test=torch.from_numpy(np.array(tx)), y_test=torch.from_numpy(ty.astype(np.int64)),
                       val_fraction=val_fraction, info={"files": {k: str(v) for k, v in files.items()}})
