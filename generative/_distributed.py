"""Thin helpers over ``torch.distributed`` for training under ``torchrun``.

Nothing here is a distributed engine of its own: processes are started by ``torchrun`` (or
``torch.multiprocessing``), gradients are averaged by ``DistributedDataParallel``, and these
functions only answer "which rank am I", start the process group from torchrun's environment,
and gather or average small things across ranks. Without a process group every function
behaves as for a single process.
"""

from __future__ import annotations

import os
from datetime import timedelta

import torch
import torch.distributed as dist


def rank_and_world() -> tuple[int, int]:
    """(rank, world size) of this process; (0, 1) without a process group."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_main_process() -> bool:
    """True on rank 0 (and without a process group): the one process that writes files."""
    return rank_and_world()[0] == 0


def launched_by_torchrun() -> bool:
    """True when torchrun (or a compatible launcher) started several processes."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_from_env(device: str = "auto", *, timeout_minutes: float = 60) -> torch.device | None:
    """Join the process group torchrun describes in the environment.

    Backend NCCL when this process will train on CUDA (each rank takes GPU ``LOCAL_RANK``),
    gloo on CPU. Does nothing (returns None) when the process was not started with a world
    size above 1, or when the group is already up.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
        As the trainer's ``device``; ``auto`` means CUDA when present.
    timeout_minutes : float
        How long a collective waits for the other ranks (rank 0 may decode a dataset while
        the others wait).

    Returns
    -------
    torch.device or None
        This rank's device, when a group was started.
    """
    if not launched_by_torchrun() or (dist.is_available() and dist.is_initialized()):
        return None
    cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    if cuda:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local_rank)
        place = torch.device("cuda", local_rank)
    else:
        place = torch.device("cpu")
    dist.init_process_group("nccl" if cuda else "gloo",
                            timeout=timedelta(minutes=timeout_minutes))
    return place


def shutdown() -> None:
    """Leave the process group, if one is up."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def barrier() -> None:
    """Wait for every rank (no-op for one process)."""
    if rank_and_world()[1] > 1:
        dist.barrier()


def _collective_device() -> torch.device:
    return (torch.device("cuda", torch.cuda.current_device())
            if dist.get_backend() == "nccl" else torch.device("cpu"))


def gather_rows(part: torch.Tensor) -> torch.Tensor:
    """Concatenate every rank's ``part`` along dim 0, in rank order (parts may differ in length).

    Parameters
    ----------
    part : tensor (n_rank, ...)
        Same trailing shape and dtype on every rank.

    Returns
    -------
    tensor (sum of n_rank, ...)
        The same on every rank; on ``part``'s device.
    """
    _, world = rank_and_world()
    if world == 1:
        return part
    device = _collective_device()
    sizes = [torch.zeros(1, dtype=torch.int64, device=device) for _ in range(world)]
    dist.all_gather(sizes, torch.tensor([len(part)], dtype=torch.int64, device=device))
    longest = int(max(s.item() for s in sizes))
    padded = torch.zeros((longest, *part.shape[1:]), dtype=part.dtype, device=device)
    padded[: len(part)] = part.to(device)
    gathered = [torch.empty_like(padded) for _ in range(world)]
    dist.all_gather(gathered, padded)
    rows = [g[: int(s.item())] for g, s in zip(gathered, sizes)]
    return torch.cat(rows).to(part.device)


def mean_across_ranks(values: dict[str, float]) -> dict[str, float]:
    """Average each float over the ranks (same keys on every rank, in the same order)."""
    _, world = rank_and_world()
    if world == 1 or not values:
        return values
    device = _collective_device()
    vector = torch.tensor(list(values.values()), dtype=torch.float64, device=device)
    dist.all_reduce(vector)
    return dict(zip(values, (vector / world).tolist()))


def broadcast_buffers(module: torch.nn.Module) -> None:
    """Copy rank 0's buffers (e.g. BatchNorm running statistics, which each rank updates
    from its own share of the batch) to every rank."""
    if rank_and_world()[1] == 1:
        return
    for buffer in module.buffers():
        dist.broadcast(buffer.data, src=0)
