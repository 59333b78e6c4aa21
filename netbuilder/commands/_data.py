"""The data options shared by ``train`` and ``evaluate``: which dataset, how to read it, and loading it
with progress, the chosen input shape printed, and the data layer's warnings and skipped files shown."""

from __future__ import annotations

import argparse
from typing import Any

from netbuilder.commands._progress import Progress
from netbuilder.errors import NetbuilderError


def add_data_arguments(p: argparse.ArgumentParser, *, dataset_help: str) -> None:
    p.add_argument("--dataset", metavar="NAME|PATH", help=dataset_help)
    p.add_argument("--data-dir", metavar="DIR", help="dataset cache / a folder that has the dataset files")
    p.add_argument("--image-size", metavar="H,W",
                   help="image folders: read every image at this size (default: the size of most images)")
    p.add_argument("--channels", type=int, choices=(1, 3),
                   help="image folders: 1 (greyscale) or 3 (RGB) (default: RGB unless every image is greyscale)")
    p.add_argument("--skip-bad", action="store_true",
                   help="image folders: skip unreadable files (listed) instead of refusing the dataset")
    p.add_argument("--label-column", metavar="NAME|INDEX",
                   help="CSV files: the column holding the labels (default: the last)")


def dataset_spec(design, args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """(dataset name or path, load options): ``--dataset`` or the design's dataset, its stored options when
    it is the design's own, then the command-line options on top."""
    stored = dict(getattr(design, "dataset", None) or {})
    stored_name = stored.get("name")
    name = args.dataset or stored_name
    if not name:
        raise NetbuilderError(f"{args.design}: which data? give --dataset NAME|PATH (see 'netbuilder datasets')")
    options: dict[str, Any] = {}
    if not args.dataset or args.dataset == stored_name:
        # the window stores options beside the name; earlier command-line runs under "options"
        options.update(stored.get("options") or {})
        options.update({k: v for k, v in stored.items() if k not in ("name", "options")})
    if args.image_size:
        options["image_size"] = args.image_size
    if args.channels is not None:
        options["channels"] = args.channels
    if args.skip_bad:
        options["skip_bad"] = True
    if args.label_column is not None:
        options["label_column"] = int(args.label_column) if args.label_column.lstrip("-").isdigit() \
            else args.label_column
    return str(name), options


def load_data(name: str, options: dict[str, Any], args: argparse.Namespace, progress: Progress, ctx=None):
    """Load the dataset (under torchrun rank 0 first, the others from its cache), then say what was read."""
    from netbuilder.data import load_dataset

    def load(report: bool):
        return load_dataset(name, data_dir=args.data_dir, **options,
                            progress=progress.data if report else None)

    if ctx is None or not ctx.active:
        data = load(True)
    else:
        import torch.distributed as dist

        if ctx.is_main:  # rank 0 downloads; the others wait, then read the cached files
            data = load(True)
            dist.barrier()
        else:
            dist.barrier()
            data = load(False)
    if ctx is None or ctx.is_main:
        describe_data(data, progress)
    return data


def describe_data(data, progress: Progress) -> None:
    """The input shape chosen (and why), the data layer's warnings and the files it skipped."""
    info = data.info or {}
    shape = "×".join(str(v) for v in data.input_shape)
    reason = info.get("input_shape_reason")
    sizes = data.sizes()
    progress.line(f"dataset {data.name}: input {shape}, {data.num_classes} classes, "
                  f"{sizes['train']:,} train / {sizes['val']:,} validation / {sizes['test']:,} test examples"
                  + (f" ({reason})" if reason else ""))
    for warning in info.get("warnings") or []:
        progress.note(f"netbuilder: warning: {warning}")
    skipped = list(info.get("skipped") or [])
    if skipped:
        progress.note(f"netbuilder: skipped {len(skipped)} unreadable file{'s' * (len(skipped) != 1)}:")
        for line in skipped:
            progress.note(f"  {line}")


def design_dataset(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The design file's ``dataset`` entry, as the window stores it: the name with its options beside it."""
    keep = {k: v for k, v in options.items() if k not in ("progress", "data_dir")}
    return {"name": name, **keep}
