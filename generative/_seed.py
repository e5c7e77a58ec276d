"""Seeding one piece of work without touching anyone else's random numbers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Run the block with torch's global generators (CPU, and CUDA when present) seeded with
    ``seed``, and put their previous states back afterwards.

    Code that draws from the global generator (``torch.randn_like`` in a VAE's
    reparameterisation, weight initialisation) then gives the same numbers whatever ran
    before it, and the work that runs after it does not depend on whether it ran: a stage's
    result does not depend on the order stages run in.
    """
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
