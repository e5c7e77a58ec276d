"""What ``debias train`` and ``debias audit`` do differently when started by ``torchrun``.

Every rank runs the same command; each machine's first process loads the dataset first
(filling the decode cache the others then read); rank 0 alone prints and writes files.
PyTorch's DDP does the training.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import torch.distributed as dist

from debias.errors import DataError
from generative import init_from_env, is_main_process, rank_and_world, shutdown

T = TypeVar("T")


@contextmanager
def distributed_session(device: str) -> Iterator[None]:
    """Join torchrun's process group for the command's lifetime (no-op without torchrun)."""
    init_from_env(device)
    try:
        yield
    finally:
        shutdown()


def main_first(load: Callable[[], T]) -> T:
    """Run ``load`` first on each machine's local rank 0, then on the other ranks (which then
    find that machine's decode cache filled). A :class:`DataError` on any first loader is
    raised on every rank, so none waits forever."""
    rank, world = rank_and_world()
    if world == 1:
        return load()
    first = int(os.environ.get("LOCAL_RANK", rank)) == 0
    error, value = None, None
    if first:
        try:
            value = load()
        except DataError as err:
            error = str(err)
    errors: list = [None] * world
    dist.all_gather_object(errors, error)
    reported = next((e for e in errors if e is not None), None)
    if reported is not None:
        raise DataError(reported)
    return value if first else load()


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
        raise DataError(f"`batch_size` {batch_size} does not split into {world} processes' "
                        f"equal shares of faces and non-faces; use a multiple of {2 * world}")
