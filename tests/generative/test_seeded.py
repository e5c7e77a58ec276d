"""``seeded``: a block seeded on its own, with the global generator's state put back after."""

from __future__ import annotations

import torch

from generative import seeded


def test_global_state_is_restored():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    expected = torch.rand(5)
    torch.set_rng_state(before)
    with seeded(7):
        torch.rand(100)
        torch.nn.Linear(10, 10)  # initialisation draws from the global generator
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(torch.rand(5), expected)


def test_same_seed_same_numbers_whatever_was_drawn_before():
    torch.manual_seed(0)
    with seeded(42):
        first = torch.randn(8)
    torch.rand(1000)  # move the global generator on
    with seeded(42):
        second = torch.randn(8)
    torch.manual_seed(999)
    with seeded(42):
        third = torch.randn(8)
    assert torch.equal(first, second) and torch.equal(first, third)
    with seeded(43):
        other = torch.randn(8)
    assert not torch.equal(first, other)


def test_state_is_restored_when_the_block_raises():
    before = torch.get_rng_state()
    try:
        with seeded(1):
            torch.rand(10)
            raise KeyError("stop")
    except KeyError:
        pass
    assert torch.equal(torch.get_rng_state(), before)
