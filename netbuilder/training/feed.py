"""What a training run feeds its model: the dataset's splits on the run's device (the training split cut
to ``train_fraction``), each epoch's shuffled batches, and the evaluation batches of the validation and
test splits; streamed folder datasets go through a DataLoader (a DistributedSampler under DDP).

Used by ``engine._Run`` only. Imports torch; never Qt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import torch

from netbuilder.data.bundle import DatasetBundle
from netbuilder.errors import NetbuilderError
from netbuilder.training import distributed
from netbuilder.training.config import TrainConfig

Batch = tuple[torch.Tensor, torch.Tensor]


class UnreadableItem(NetbuilderError):
    """A streamed item that could not be read (its label comes back negative); the message names it."""


class Feed:
    def __init__(self, data: DatasetBundle, config: TrainConfig, device: torch.device, ctx) -> None:
        self.data, self.config, self.device, self.ctx = data, config, device, ctx
        self.data_gen = torch.Generator().manual_seed(config.seed)  # the epochs' shuffles (checkpointed)
        self.epoch_labels: torch.Tensor | None = None  # in-memory data: this epoch's labels in batch order
        self.train_idx: list[int] | None = None
        self.eval_size: int | None = None  # the evaluation batch that fits in memory (engine), or eval_batch_size
        d, cfg = data, config
        if d.streamed:
            n = len(d.train_set)
            if cfg.train_fraction < 1:
                keep = torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed))
                self.train_idx = keep[: max(1, int(n * cfg.train_fraction))].tolist()
                n = len(self.train_idx)
            self.n_train = n
            return
        x, y = d.x_train, d.y_train
        if cfg.train_fraction < 1:
            keep = torch.randperm(len(y), generator=torch.Generator().manual_seed(cfg.seed))
            keep = keep[: max(1, int(len(y) * cfg.train_fraction))]
            x, y = x[keep], y[keep]
        self.x_train, self.y_train = x.to(device), y.to(device)
        self.x_val, self.y_val = d.x_val.to(device), d.y_val.to(device)
        self.x_test, self.y_test = d.x_test.to(device), d.y_test.to(device)
        self.n_train = len(y)

    @property
    def local_count(self) -> int:
        """The training samples this rank sees in an epoch."""
        return -(-self.n_train // self.ctx.world_size)

    def normalizer(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """raw batch -> normalised float batch as one multiply-add with constants already on the device."""
        d = self.data
        std = d.std.to(self.device, torch.float32)
        mul = (d.scale / std).to(self.device)
        add = (-d.mean.to(self.device, torch.float32) / std)
        if bool((mul == 1).all()) and bool((add == 0).all()):
            return lambda x: x.to(torch.float32)
        return lambda x: torch.addcmul(add, x.to(torch.float32), mul)

    def batches(self, batch_size: Callable[[], int], epoch: int) -> Iterator[Batch]:
        """One epoch of raw training batches; ``batch_size()`` is read for each batch, so a live change
        applies to the next one. In-memory data: ``epoch_labels`` holds the epoch's labels in batch order
        (each batch's labels are the next slice of it)."""
        if self.data.streamed:
            self.epoch_labels = None
            yield from self._stream_batches(batch_size(), epoch)
            return
        perm = distributed.shard(torch.randperm(self.n_train, generator=self.data_gen), self.ctx).to(self.device)
        labels = self.epoch_labels = self.y_train.index_select(0, perm)  # one gather per epoch
        pos, n = 0, len(perm)
        while pos < n:
            end = min(n, pos + batch_size())
            # index_select has a row-copy fast path: about twice as fast as x[idx] on the CPU
            yield self.x_train.index_select(0, perm[pos:end]), labels[pos:end]
            pos = end

    def _stream_batches(self, batch_size: int, epoch: int) -> Iterator[Batch]:
        from torch.utils.data import DataLoader, DistributedSampler, Subset

        dataset = self.data.train_set if self.train_idx is None else Subset(self.data.train_set, self.train_idx)
        sampler = None
        if self.ctx.active:
            sampler = DistributedSampler(dataset, self.ctx.world_size, self.ctx.rank, seed=self.config.seed)
            sampler.set_epoch(epoch)
        gen = torch.Generator().manual_seed(self.config.seed * 1000 + epoch)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=sampler is None, sampler=sampler,
                            generator=gen, num_workers=self.data.num_workers,
                            pin_memory=self.device.type == "cuda")
        for x, y in loader:
            check_labels(y, self.data.train_set if self.train_idx is None else dataset)
            yield x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)

    def sample(self) -> torch.Tensor:
        """One raw training input (a batch of one) on the device, for the memory check; zeros for streamed
        data (reading a file is not needed to know its size)."""
        if self.data.streamed:
            return torch.zeros(1, *self.data.input_shape, device=self.device)
        return self.x_train[:1]

    def eval_batches(self, part: str) -> Iterator[Batch]:
        """The validation (``"val"``) or test split in raw batches of ``eval_size`` (what fits in memory,
        set by the engine's memory check) or else ``eval_batch_size``."""
        size = self.eval_size or self.config.eval_batch_size
        if self.data.streamed:
            yield from split_batches(self.data, part, size, self.device)
            return
        x, y = (self.x_val, self.y_val) if part == "val" else (self.x_test, self.y_test)  # already on the device
        yield from _slices(x, y, size)


def split_batches(data: DatasetBundle, split: str, batch_size: int, device: torch.device) -> Iterator[Batch]:
    """Raw batches of one split (``train``, ``val`` or ``test``) in order, on ``device``: what the engine
    evaluates and the CLI's ``evaluate`` reads. An unreadable streamed item raises ``UnreadableItem``."""
    if data.streamed:
        from torch.utils.data import DataLoader

        dataset = {"train": data.train_set, "val": data.val_set, "test": data.test_set}[split]
        for x, y in DataLoader(dataset, batch_size=batch_size, num_workers=data.num_workers):
            check_labels(y, dataset)
            yield x.to(device), y.to(device)
        return
    x, y = {"train": (data.x_train, data.y_train), "val": (data.x_val, data.y_val),
            "test": (data.x_test, data.y_test)}[split]
    yield from _slices(x.to(device), y.to(device), batch_size)


def _slices(x: torch.Tensor, y: torch.Tensor, size: int) -> Iterator[Batch]:
    for i in range(0, len(y), size):
        yield x[i:i + size], y[i:i + size]


def check_labels(y: torch.Tensor, dataset) -> None:
    """A streamed batch's labels: a negative one marks an item that could not be read (``-1 - index``)."""
    if (y < 0).any():
        index = -1 - int(y[y < 0][0])
        base = getattr(dataset, "dataset", dataset)
        path = base.files[index] if hasattr(base, "files") else f"item {index}"
        gone = hasattr(base, "files") and not os.path.exists(path)
        raise UnreadableItem(f"{path}: {'no longer there (moved or deleted since the folder was opened)' if gone else 'not a readable image'}")
