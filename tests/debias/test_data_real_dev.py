"""The real development set (UTKFace faces, Tiny ImageNet non-faces), when it is present.

It lives outside the project, at ../shared/data/real-dev, and is never copied into it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from debias.data import load_dataset

REAL_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-dev"


@pytest.fixture(scope="module")
def real_dev(tmp_path_factory):
    if not (REAL_DEV / "labels.csv").is_file():
        pytest.skip("real-dev data not available")
    return load_dataset(REAL_DEV, attributes=["race", "gender"],
                        cache_dir=tmp_path_factory.mktemp("real-dev-cache"))


def test_counts_match_its_readme(real_dev):
    assert len(real_dev) == 5700 and not real_dev.skipped
    train, test = real_dev.split()
    assert (len(train), len(test)) == (3900, 1800)
    train_faces = train.meta[train.meta["label"] == 1]
    assert train_faces["race"].value_counts().to_dict() == {
        "White": 1600, "Black": 100, "Asian": 100, "Indian": 100}
    test_faces = test.meta[test.meta["label"] == 1]
    assert set(test_faces.groupby(["race", "gender"]).size()) == {100}
    # grayscale Tiny ImageNet images come out as RGB with equal channels
    assert real_dev.images.shape[1:] == (3, 64, 64)
