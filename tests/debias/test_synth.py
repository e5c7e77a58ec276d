"""Behaviour of the synthetic bias benchmark generator (debias.synth)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from debias.errors import DataError
from debias.synth import _benchmark, draw_face, draw_nonface, make_synthetic_benchmark

GROUPS = [(t, g) for t in ("light", "dark") for g in ("female", "male")]


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def skin_pixel_shares(img: np.ndarray) -> tuple[float, float]:
    """Share of pixels in a light-skin and in a dark-brown-skin colour box (R > G > B)."""
    r, g, b = img.reshape(-1, 3).astype(int).T
    warm = (r > g) & (g > b) & (r - b > 30)
    light = warm & (r >= 170) & (g >= 125) & (g <= 225) & (b >= 95) & (b <= 200)
    dark = warm & (r >= 40) & (r <= 150) & (g >= 25) & (g <= 105) & (b >= 12) & (b <= 85)
    return float(light.mean()), float(dark.mean())


def read_labels(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "labels.csv", keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "bench"
    return make_synthetic_benchmark(out, n_train=200, n_test=80, minority_share=0.1, seed=3,
                                    progress=False)


# --- drawing ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [16, 64, 96])
def test_shapes_and_dtypes(size):
    for tone, gender in GROUPS:
        img = draw_face(rng(0), skin_tone=tone, gender=gender, size=size)
        assert img.shape == (size, size, 3) and img.dtype == np.uint8
    img = draw_nonface(rng(0), size=size)
    assert img.shape == (size, size, 3) and img.dtype == np.uint8


def test_same_seed_same_image_other_seed_other_image():
    a = draw_face(rng(5), skin_tone="dark", gender="female")
    assert np.array_equal(a, draw_face(rng(5), skin_tone="dark", gender="female"))
    assert not np.array_equal(a, draw_face(rng(6), skin_tone="dark", gender="female"))
    b = draw_nonface(rng(5))
    assert np.array_equal(b, draw_nonface(rng(5)))
    assert not np.array_equal(b, draw_nonface(rng(6)))


def test_bad_attribute_is_refused():
    with pytest.raises(ValueError, match="skin_tone"):
        draw_face(rng(0), skin_tone="medium", gender="male")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="gender"):
        draw_face(rng(0), skin_tone="light", gender="other")  # type: ignore[arg-type]


def test_dark_faces_are_darker_in_the_face_centre():
    def centre_luma(tone):
        imgs = np.stack([draw_face(rng(i), skin_tone=tone, gender=g)
                         for i in range(30) for g in ("female", "male")]).astype(float)
        return (imgs[:, 26:42, 24:40] @ [0.299, 0.587, 0.114]).mean()

    light, dark = centre_luma("light"), centre_luma("dark")
    assert light - dark > 50, (light, dark)


def test_skin_colours_match_the_tone():
    def centre_shares(tone):
        return np.mean([skin_pixel_shares(draw_face(rng(i), skin_tone=tone, gender=g)
                                          [26:42, 24:40])
                        for i in range(20) for g in ("female", "male")], axis=0)

    light, dark = centre_shares("light"), centre_shares("dark")
    assert light[0] > 3 * light[1] and dark[1] > 3 * dark[0], (light, dark)


def test_nonfaces_hold_light_and_dark_skin_colours_alike():
    shares = np.array([skin_pixel_shares(draw_nonface(rng(i))) for i in range(300)])
    light, dark = shares.mean(axis=0)
    assert light > 0.02 and dark > 0.02
    assert 0.6 < light / dark < 1.6, (light, dark)
    # Dark skin-coloured regions are common among non-faces, not a rarity.
    assert (shares[:, 1] > 0.03).mean() > 0.25


# --- the benchmark on disk ----------------------------------------------------------------


def test_layout_and_composition(small):
    frame = read_labels(small)
    assert list(frame.columns) == ["path", "label", "split", "skin_tone", "gender"]
    assert (small / "README.md").is_file()
    for split, n in (("train", 200), ("test", 80)):
        part = frame[frame["split"] == split]
        assert len(part) == n
        assert (part["label"] == "face").sum() == n // 2
        assert part["path"].str.startswith(f"images/{split}/").all()
    faces = frame[frame["label"] == "face"]
    counts = faces.groupby(["split", "skin_tone", "gender"]).size()
    assert counts["train", "dark"].sum() == 10  # round(0.1 * 100), exactly
    assert counts["train", "dark", "female"] == counts["train", "dark", "male"] == 5
    assert counts["train", "light", "female"] == counts["train", "light", "male"] == 45
    assert all(counts["test", t, g] == 10 for t, g in GROUPS)
    nonfaces = frame[frame["label"] == "nonface"]
    assert (nonfaces["skin_tone"] == "").all() and (nonfaces["gender"] == "").all()
    # Plain pandas reads the empty attributes as missing values.
    plain = pd.read_csv(small / "labels.csv")
    assert plain.loc[plain["label"] == "nonface", ["skin_tone", "gender"]].isna().all().all()
    img = Image.open(small / frame["path"].iloc[0])
    assert img.size == (64, 64) and img.mode == "RGB"
    assert sorted(p.relative_to(small).as_posix() for p in small.rglob("*.png")) \
        == sorted(frame["path"])


def test_rounding_of_the_minority_count(tmp_path):
    out = make_synthetic_benchmark(tmp_path / "b", n_train=30, n_test=8, minority_share=0.05,
                                   progress=False)
    faces = read_labels(out).query("split == 'train' and label == 'face'")
    assert (faces["skin_tone"] == "dark").sum() == 1  # round(0.05 * 15) = round(0.75)
    assert len(faces) == 15


def test_deterministic_and_independent_of_the_pool(tmp_path, monkeypatch):
    kwargs = dict(n_train=512, n_test=16, seed=11, image_size=32, progress=False)
    pooled = make_synthetic_benchmark(tmp_path / "pooled", **kwargs)  # > 500 images: a pool
    monkeypatch.setattr(_benchmark, "_POOL_THRESHOLD", 10**9)
    serial = make_synthetic_benchmark(tmp_path / "serial", **kwargs)
    assert (pooled / "labels.csv").read_bytes() == (serial / "labels.csv").read_bytes()
    for rel in read_labels(pooled)["path"][::37]:
        assert (pooled / rel).read_bytes() == (serial / rel).read_bytes()
    other = make_synthetic_benchmark(tmp_path / "other", **{**kwargs, "seed": 12})
    rel = "images/train/000000.png"
    assert not np.array_equal(np.asarray(Image.open(pooled / rel)),
                              np.asarray(Image.open(other / rel)))


def _tiny(out: Path, **kwargs) -> Path:
    return make_synthetic_benchmark(out, n_train=8, n_test=8, progress=False, **kwargs)


def test_refuses_a_non_empty_directory(tmp_path):
    out = tmp_path / "bench"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(DataError, match="already exists and is not empty; pass `overwrite=True`"):
        _tiny(out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench"]  # no temp dir left


def test_an_empty_directory_is_fine(tmp_path):
    (tmp_path / "bench").mkdir()
    assert (_tiny(tmp_path / "bench") / "labels.csv").is_file()


def test_overwrite_replaces_an_earlier_benchmark(tmp_path):
    out = _tiny(tmp_path / "bench", seed=1)
    (out / "extra.txt").write_text("old")
    _tiny(out, overwrite=True)
    assert not (out / "extra.txt").exists() and (out / "labels.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench"]


def test_overwrite_refuses_a_folder_of_the_users_own_files(tmp_path):
    out = tmp_path / "bench"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(DataError, match="is not a synthetic benchmark written by debias"):
        _tiny(out, overwrite=True)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_failure_leaves_the_old_directory_untouched(tmp_path, monkeypatch):
    out = _tiny(tmp_path / "bench", seed=1)
    (out / "keep.txt").write_text("old")
    before = sorted(p.name for p in out.iterdir())
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("disk on fire")
        return np.zeros((64, 64, 3), np.uint8)

    monkeypatch.setattr(_benchmark, "draw_nonface", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        _tiny(out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "keep.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_train=7), "n_train"),
    (dict(n_train=4), "n_train"),
    (dict(n_test=12), "n_test"),
    (dict(minority_share=0.6), "minority_share"),
    (dict(minority_share=-0.1), "minority_share"),
    (dict(image_size=8), "image_size"),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(DataError, match=match):
        make_synthetic_benchmark(tmp_path / "b", **{"n_train": 8, "n_test": 8, **kwargs})
    assert not (tmp_path / "b").exists()


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    make_synthetic_benchmark(tmp_path / "b", n_train=8, n_test=8, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "synthetic benchmark" in captured.err


# --- bias="underrep": the non-faces carry no cue tied to skin tone -------------------------


def test_tone_free_colours_lie_outside_every_skin_tone():
    from debias.synth._faces import skin_color
    from debias.synth._nonfaces import is_skin_like, tone_free_color

    r = rng(0)
    assert all(is_skin_like(skin_color(r, tone)) for tone in ("light", "dark")
               for _ in range(20_000))
    assert not any(is_skin_like(tone_free_color(r)) for _ in range(5_000))


def _nonfaces_with_tone(monkeypatch, tone: str, distractors: str, n: int = 120) -> np.ndarray:
    """Non-faces whose skin-coloured pieces all take ``tone`` (the same draws otherwise)."""
    from debias.synth import _nonfaces
    from debias.synth._faces import skin_color

    monkeypatch.setattr(_nonfaces, "skin_color", lambda r, _tone: skin_color(r, tone))
    return np.stack([draw_nonface(rng(i), size=32, distractors=distractors) for i in range(n)])


def mean_shares(imgs: np.ndarray) -> np.ndarray:
    return np.mean([skin_pixel_shares(img) for img in imgs], axis=0)


def test_underrep_nonfaces_are_what_either_tone_would_give(monkeypatch):
    # Oracle: draw the same non-faces twice, every skin-coloured piece dark, then light.
    # With skin distractors the colour statistics differ (the dark-skin box fills); tone-free
    # ones never ask for a tone, so both draws are the same images.
    dark, light = (_nonfaces_with_tone(monkeypatch, t, "skin") for t in ("dark", "light"))
    assert mean_shares(dark)[1] - mean_shares(light)[1] > 0.05
    assert mean_shares(light)[0] - mean_shares(dark)[0] > 0.05
    dark, light = (_nonfaces_with_tone(monkeypatch, t, "tone_free") for t in ("dark", "light"))
    assert np.array_equal(dark, light)


def test_tone_free_distractors_add_no_skin_colour(monkeypatch):
    # Oracle: the same generator with the ovals and blobs left out (same seeds, so the same
    # backgrounds and clutter). Skin distractors add skin-coloured pixels of both tones;
    # tone-free ones leave both skin boxes where the clutter alone puts them.
    from debias.synth import _nonfaces

    def shares(distractors):
        return mean_shares([draw_nonface(rng(i), size=32, distractors=distractors)
                            for i in range(300)])

    skin, tone_free = shares("skin"), shares("tone_free")
    monkeypatch.setattr(_nonfaces, "_skin_blob", lambda *args: None)
    monkeypatch.setattr(_nonfaces, "_head_oval", lambda *args: None)
    clutter = shares("tone_free")
    assert (skin - clutter > 0.02).all(), (skin, clutter)
    assert (np.abs(tone_free - clutter) < 0.01).all(), (tone_free, clutter)


def test_underrep_benchmark_changes_only_the_nonfaces(tmp_path):
    kwargs = dict(n_train=120, n_test=40, minority_share=0.1, seed=4, image_size=32,
                  progress=False)
    default = make_synthetic_benchmark(tmp_path / "d", **kwargs)
    underrep = make_synthetic_benchmark(tmp_path / "u", bias="underrep", **kwargs)
    # Counts as planned: the same labels.csv as the default (exact minority count included).
    assert (underrep / "labels.csv").read_bytes() == (default / "labels.csv").read_bytes()
    frame = read_labels(underrep)
    train_faces = frame.query("split == 'train' and label == 'face'")
    assert len(train_faces) == 60 and (train_faces["skin_tone"] == "dark").sum() == 6
    assert (frame.query("split == 'test' and label == 'face'")
            .groupby(["skin_tone", "gender"]).size() == 5).all()
    same = {rel: (underrep / rel).read_bytes() == (default / rel).read_bytes()
            for rel in frame["path"]}
    faces = frame["label"] == "face"
    assert all(same[rel] for rel in frame.loc[faces, "path"])
    assert np.mean([same[rel] for rel in frame.loc[~faces, "path"]]) < 0.6  # ~half hold one
    readme = (underrep / "README.md").read_text()
    assert "bias=underrep." in readme and "never\n  skin-coloured" in readme
    assert "| train | 27 | 27 | 3 | 3 | 60 |" in readme
    assert "bias=" not in (default / "README.md").read_text()  # unchanged default README


def test_bad_bias_is_refused(tmp_path):
    with pytest.raises(DataError, match="bias must be 'default' or 'underrep'"):
        _tiny(tmp_path / "b", bias="nonfaces")
    assert not (tmp_path / "b").exists()
    with pytest.raises(ValueError, match="distractors"):
        draw_nonface(rng(0), distractors="none")  # type: ignore[arg-type]
