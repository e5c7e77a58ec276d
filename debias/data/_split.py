"""Seeded stratified splitting, vectorised over strata."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def stratified_split(strata: np.ndarray, *, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split positions 0..N-1 so that each stratum keeps the ``test_size`` proportion.

    Each stratum sends ``round(n_k * test_size)`` members to the test side, but never all of
    them: a stratum of one stays in training.

    Parameters
    ----------
    strata : array of shape (N,)
        A hashable key per item (e.g. ``"label=1|skin_tone=dark"``).
    test_size : float
        Share of each stratum that goes to the test side, in (0, 1).
    seed : int
        Seed of the shuffle within each stratum.

    Returns
    -------
    train, test : ndarray of int64
        Sorted positions; together a partition of 0..N-1.
    """
    codes = pd.factorize(pd.Series(strata))[0]
    n = len(codes)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(n)
    order = shuffled[np.argsort(codes[shuffled], kind="stable")]
    counts = np.bincount(codes, minlength=codes.max() + 1 if n else 0)
    n_test = np.minimum(np.floor(counts * test_size + 0.5).astype(np.int64), np.maximum(counts - 1, 0))
    starts = np.cumsum(counts) - counts
    rank = np.arange(n) - starts[codes[order]]
    is_test = rank < n_test[codes[order]]
    return np.sort(order[~is_test]), np.sort(order[is_test])


def paths_fingerprint(paths) -> str:
    """A digest of a set of image paths (order does not matter): 16 hex characters."""
    text = "\n".join(sorted(str(p) for p in paths))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def split_record(data, train, test, *, seed: int, test_size: float = 0.2) -> dict:
    """How ``data.split(seed=seed, test_size=test_size)`` divided ``data`` into ``train`` and
    ``test``, for a checkpoint: the seed, the share, whether the ``split`` column decided, the
    real images on each side, and a fingerprint of the test paths (so a later reader can tell
    it got the same split)."""
    return {"seed": int(seed), "test_size": float(test_size),
            "by": "split column" if "split" in data.meta.columns else "stratified",
            "n_train": int((~train.synthetic).sum()), "n_test": len(test),
            "test_paths": paths_fingerprint(test.meta["path"])}


def reproduce_split(data, record: dict | None, *, source: str):
    """The (train, test) split a model was trained with, or a DataError when ``data`` cannot
    give it back.

    Parameters
    ----------
    data : ImageDataset
        The dataset as loaded now.
    record : dict or None
        The checkpoint's ``split_`` (:func:`split_record`). None: an older checkpoint that
        did not record it; accepted only when the dataset's ``split`` column fixes the split.
    source : str
        The checkpoint's name, for the message.
    """
    from debias.errors import DataError

    if record is None:
        if "split" in data.meta.columns:
            return data.split()
        raise DataError(f"{source} does not record the split it was trained with, and the "
                        "dataset has no split column: its test faces cannot be told from its "
                        "training faces; retrain it with this version of debias")
    train, test = data.split(seed=record["seed"], test_size=record["test_size"])
    if paths_fingerprint(test.meta["path"]) != record["test_paths"]:
        raise DataError(f"{source} was trained on another split of this dataset (its test split "
                        f"had {record['n_test']:,} images, {record['by']}, seed "
                        f"{record['seed']}; the dataset now gives {len(test):,} test images with "
                        "other paths): files were added, removed or relabelled since training")
    return train, test
