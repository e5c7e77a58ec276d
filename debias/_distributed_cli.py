"""What ``debias train`` and ``debias audit`` do differently when started by ``torchrun``.

Every rank runs the same command; rank 0 alone loads the dataset first (filling the decode
cache the others then read), prints, and writes files. PyTorch's DDP does the training.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import torch.distributed as dist

from debias.errors import DataError
from generative import init_from_env, is_main_process, rank_and_world, shutdown

T = TypeVar("T")


@contextmanager
def distributed_session(device: str) -> Iterator[tuple[int, int]]:
    """Join torchrun's process group for the command's lifetime (no-op without torchrun).

    Yields
    ------
    (rank, world size)
    """
    init_from_env(device)
    try:
        yield rank_and_world()
    finally:
        shutdown()


def main_first(load: Callable[[], T]) -> T:
    """Run ``load`` on rank 0, then on the other ranks (which then find the decode cache
    filled). A :class:`DataError` on rank 0 is raised on every rank, so none waits forever."""
    rank, world = rank_and_world()
    if world == 1:
        return load()
    message: list = [None]
    if rank == 0:
        try:
            value = load()
        except DataError as err:
            message[0] = str(err)
        dist.broadcast_object_list(message, src=0)
        if message[0] is not None:
            raise DataError(message[0])
        return value
    dist.broadcast_object_list(message, src=0)
    if message[0] is not None:
        raise DataError(message[0])
    return load()


def refuse_under_torchrun(what: str) -> None:
    """A one-line error for options that run in one process only."""
    if rank_and_world()[1] > 1:
        raise DataError(f"{what} runs in one process; start it without torchrun")


def echo_on_main(echo: Callable[..., None]) -> Callable[..., None]:
    """``echo`` on rank 0, nothing elsewhere (one copy of every line, not one per rank)."""
    return echo if is_main_process() else (lambda *args, **kwargs: None)


def world_size() -> int:
    """Processes training together (1 without torchrun)."""
    return rank_and_world()[1]


def check_batch_split(batch_size: int) -> None:
    """Under W processes a batch is W equal shares of faces and of non-faces."""
    world = world_size()
    if world > 1 and batch_size % (2 * world):
        raise DataError(f"--batch-size {batch_size} does not split into {world} processes' "
                        f"equal shares of faces and non-faces; use a multiple of {2 * world}")
