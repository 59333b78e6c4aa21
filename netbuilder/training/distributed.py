"""Distributed data parallel under torchrun: process group from the environment (gloo on CPU, NCCL
on CUDA), sharding of the in-memory index, reductions of metrics. Only rank 0 writes files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist


@dataclass
class DistContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    owns_group: bool = False  # we started the process group, so we end it

    @property
    def active(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def env_world() -> tuple[int, int, int]:
    return (int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)),
            int(os.environ.get("LOCAL_RANK", 0)))


def setup(device_type: str) -> DistContext:
    """Join the torchrun process group when WORLD_SIZE > 1 (creating it if nobody has)."""
    rank, world, local = env_world()
    if world <= 1 or not dist.is_available():
        return DistContext()
    owns = False
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device_type == "cuda" else "gloo")
        owns = True
    return DistContext(dist.get_rank(), dist.get_world_size(), local, owns)


TEARDOWN_WAIT_S = 60
_teardowns = 0  # runs this process has ended a group for: each teardown meets at its own keys


def teardown(ctx: DistContext) -> None:
    """End the process group we started once no message of ours is still in flight, so that no rank
    closes its connections while a peer is still reading from them (a rank that does so can abort at
    exit: "terminate called without an active exception", about 1 run in 16 with gloo when each rank
    simply ended the group after its last collective).

    Every rank writes a key to the group's store after its last collective and waits for everyone's.
    A rank has finished a collective only after it received all its peers sent for it, so once every
    rank has written its key no message is left between them. The store is the launcher's, not the
    group's, so this wait does not itself leave traffic behind. A rank that never arrives (it failed)
    is waited for at most a minute."""
    global _teardowns
    if not (ctx.owns_group and dist.is_initialized()):
        return
    _teardowns += 1
    try:
        if dist.get_backend() == "nccl":
            torch.cuda.synchronize()
        store = dist.distributed_c10d._get_default_store()
        prefix = f"netbuilder/teardown/{_teardowns}"
        store.set(f"{prefix}/{ctx.rank}", "1")
        store.wait([f"{prefix}/{r}" for r in range(ctx.world_size)], timedelta(seconds=TEARDOWN_WAIT_S))
    except Exception:  # noqa: BLE001  (another rank is gone: end the group anyway)
        pass
    dist.destroy_process_group()


def shard(perm: torch.Tensor, ctx: DistContext) -> torch.Tensor:
    """This rank's part of a permutation, padded by wrapping so every rank gets as many (as
    DistributedSampler does)."""
    if not ctx.active:
        return perm
    per_rank = -(-len(perm) // ctx.world_size)
    padded = torch.cat([perm, perm[: per_rank * ctx.world_size - len(perm)]])
    return padded[ctx.rank::ctx.world_size]


def all_reduce_sum(values: torch.Tensor, ctx: DistContext) -> torch.Tensor:
    if ctx.active:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def any_rank(flag: bool, ctx: DistContext, device: torch.device) -> bool:
    """True on every rank when it is true on one (e.g. a stop request or a bad loss)."""
    if not ctx.active:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())
