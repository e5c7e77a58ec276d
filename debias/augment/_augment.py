"""Synthetic faces of under-represented values, appended to a training split and marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from debias._atomic import safe_name
from debias.augment._generators import train_conditional_gan, train_cyclegan
from debias.augment._plan import face_values, plan_additions
from debias.data import ImageDataset, colour_stats
from debias.errors import DataError
from generative import to_uint8


def augment(train: ImageDataset, *, attribute: str, method: str, cap: float = 4.0,
            epochs: int = 5, seed: int = 0, models_dir: Path | None = None,
            device: str = "auto", progress: bool | None = None,
            log=lambda message: None) -> tuple[ImageDataset, dict]:
    """``train`` plus synthetic faces of each under-represented value of ``attribute``.

    Parameters
    ----------
    train : ImageDataset
        The training split (never a test split: the synthetic rows are appended to it).
    attribute : str
    method : {"cyclegan", "gan"}
        "cyclegan": one CycleGAN per rarer value translates randomly chosen faces of the most
        common value into it (the other attributes are copied from the source face);
        "gan": one GAN conditioned on the value draws new faces (other attributes "unknown").
    cap : float
        At most ``cap`` synthetic faces per real face of a value; fewer when the value
        reaches the most common one's count first.
    epochs, seed, device, progress :
        Generator training.
    models_dir : Path, optional
        Where generator checkpoints go (an interrupted run continues from them).

    Returns
    -------
    (ImageDataset, dict)
        The augmented split (real rows first, ``meta["synthetic"]`` = method on the new ones,
        ``meta["source"]`` the translated file for CycleGAN) and a summary: method,
        attribute, cap, real_faces and added per value, generators, and ``synthetic`` (the
        synthetic rows alone, as an ImageDataset).
    """
    real, plan = augmentation_plan(train, attribute, method, cap)
    majority = max(sorted(real), key=real.get)
    if models_dir is not None:
        models_dir.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(seed)
    parts, generators = [], []
    if method == "cyclegan":
        faces = train.subset((train.labels.numpy() == 1) & ~train.synthetic)
        pool = np.flatnonzero(faces.meta[attribute].astype(str).to_numpy() == majority)
        rng = np.random.default_rng(seed)
        for value, n in plan.items():
            path = (models_dir / f"cyclegan_{safe_name(attribute)}_{safe_name(majority)}_"
                    f"{safe_name(value)}.pt") if models_dir else None
            log(f"  training a CycleGAN {attribute}: {majority} -> {value} ({epochs} epochs) "
                f"to add {n:,} faces")
            model = train_cyclegan(train, attribute, majority, value, epochs=epochs, seed=seed,
                                   checkpoint=path, device=device, progress=progress)
            generators.append(_generator_info("cyclegan", model, epochs, path, majority, value))
            # Each source face once before any is used twice.
            order = np.concatenate([rng.permutation(pool) for _ in range(-(-n // len(pool)))])[:n]
            source = faces.subset(order)
            images = _translate(model, source.images)
            meta = source.meta.copy()
            meta["source"] = meta["path"].astype(str)
            meta[attribute] = value
            parts.append(_rows(images, meta, train, "cyclegan", value))
    else:
        path = models_dir / f"gan_{safe_name(attribute)}.pt" if models_dir else None
        log(f"  training a GAN conditioned on {attribute} ({epochs} epochs) to add "
            f"{sum(plan.values()):,} faces")
        model, classes = train_conditional_gan(train, attribute, epochs=epochs, seed=seed,
                                               checkpoint=path, device=device, progress=progress)
        generators.append(_generator_info("gan", model, epochs, path, None, None))
        for value, n in plan.items():
            label = torch.full((n,), classes.index(value), dtype=torch.int64)
            images = to_uint8(model.sample(n, classes=label, generator=generator))
            meta = pd.DataFrame({a: "unknown" for a in train.attributes}, index=range(n))
            meta[attribute] = value
            meta["source"] = ""
            parts.append(_rows(images, meta, train, "gan", value))
    synthetic = parts[0] if len(parts) == 1 else parts[0].with_images(_join(parts[1:]))
    summary = {"method": method, "attribute": attribute, "cap": float(cap), "real_faces": real,
               "added": plan, "generators": generators, "synthetic": synthetic}
    return train.with_images(synthetic), summary


def _join(parts: list[ImageDataset]) -> ImageDataset:
    out = parts[0]
    for part in parts[1:]:
        out = out.with_images(part)
    return out


@torch.no_grad()
def _translate(model, images: torch.Tensor) -> torch.Tensor:
    return torch.cat([to_uint8(model.translate(chunk, "a2b")) for chunk in images.split(64)])


def _rows(images: torch.Tensor, meta: pd.DataFrame, train: ImageDataset, method: str,
          value: str) -> ImageDataset:
    n = len(images)
    meta = meta.reset_index(drop=True)
    meta["path"] = [f"synthetic/{method}/{safe_name(value)}/{i:06d}.png" for i in range(n)]
    meta["file"] = ""
    meta["label"] = 1
    meta["synthetic"] = method
    meta = meta.drop(columns=[c for c in ("split",) if c in meta.columns])
    return ImageDataset(images=images, labels=torch.ones(n, dtype=torch.int64), meta=meta,
                        attributes=list(train.attributes), root=train.root, format=train.format)


def _generator_info(kind, model, epochs, path, source, target) -> dict:
    info = {"kind": kind, "epochs": int(epochs),
            "train_seconds": round(float(model.train_seconds_), 1),
            "checkpoint": str(path) if path else None}
    if source is not None:
        info.update({"from": source, "to": target})
    return info


def synthetic_checks(summary: dict, train: ImageDataset, *, attribute_checkers: dict,
                     face_checker) -> list[dict]:
    """Per added value: how many images, the share an attribute classifier trained on real
    faces calls that value, the share an independent face classifier calls a face, and the
    colour of the synthetic faces beside that of the real faces of the value.

    attribute_checkers : value -> classifier whose ``predict_proba`` is P(value) (vs the most
    common value); face_checker : classifier of face vs non-face.
    """
    synthetic = summary["synthetic"]
    attribute = summary["attribute"]
    real = train.subset((train.labels.numpy() == 1) & ~train.synthetic)
    out = []
    for value in summary["added"]:
        made = synthetic.images[torch.from_numpy(
            synthetic.meta[attribute].astype(str).to_numpy() == value)]
        same = real.images[torch.from_numpy(real.meta[attribute].astype(str).to_numpy() == value)]
        checker = attribute_checkers.get(value)
        out.append({
            "value": value, "n": len(made),
            "called_value": None if checker is None or not len(made)
            else float((checker.predict_proba(made) >= 0.5).mean()),
            "called_face": float((face_checker.predict_proba(made) >= 0.5).mean())
            if len(made) else None,
            "colour_synthetic": colour_stats(made), "colour_real": colour_stats(same)})
    return out


def augmentation_plan(train: ImageDataset, attribute: str, method: str,
                      cap: float) -> tuple[dict[str, int], dict[str, int]]:
    """Check an augmentation request and plan it (cheap: no generator is trained).

    Returns
    -------
    (real, plan) : real faces per value of ``attribute``, and synthetic faces to add per
        value (only values that get some).

    Raises
    ------
    DataError
        Unknown attribute or method, or nothing to balance.
    """
    if attribute not in train.attributes:
        raise DataError(f"`augment_by` {attribute!r}: not an attribute of the dataset "
                        f"(attributes: {', '.join(train.attributes) or 'none'})")
    if method not in ("cyclegan", "gan"):
        raise DataError(f"`augment` must be 'cyclegan' or 'gan', got {method!r}")
    values, counts = np.unique(face_values(train, attribute), return_counts=True)
    real = {str(v): int(n) for v, n in zip(values, counts)}
    plan = {v: n for v, n in plan_additions(real, cap=cap).items() if n > 0} if real else {}
    if not plan:
        raise DataError(f"{attribute} has nothing to balance among the training faces "
                        f"({', '.join(f'{v}: {n}' for v, n in real.items()) or 'no faces'})")
    return real, plan
