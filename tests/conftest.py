"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own decode cache, never the user's ~/.cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DEBIAS_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def umask_022():
    """Run the test under the usual umask 022 (files 0644, folders 0755)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)
