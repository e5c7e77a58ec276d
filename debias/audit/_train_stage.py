"""The audit's training stage: baseline and DB-VAE, resumable from out/models/."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from debias.audit._config import AuditRun
from debias.data import ImageDataset
from debias.errors import DataError
from debias.training import fit
from generative import load_checkpoint


def fingerprint(data: ImageDataset) -> str:
    """A digest of what the data is: paths, labels, attributes, image size (not pixels)."""
    columns = ["path", "label", *data.attributes]
    text = data.meta[columns].astype(str).to_csv(index=False) + f"|{data.image_size}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def audit_settings(run: AuditRun, train: ImageDataset) -> dict:
    """What a checkpoint in out/models must have been trained with to be continued."""
    return {**run.training_dict(), "data": fingerprint(train)}


def check_resumable(path, settings: dict, *, log) -> None:
    """Refuse a checkpoint from other settings or data; say when one will be continued."""
    if path.exists():
        saved = load_checkpoint(path)["extra"].get("audit_settings")
        if saved != settings:
            raise DataError(f"{path} was trained with other settings or data; pass "
                            "--overwrite to retrain, or use another --out")
        log(f"  {path.stem}: continuing from {path}")


def train_models(run: AuditRun, train: ImageDataset, *, log) -> dict:
    """Fit (or resume, or reuse) the baseline and, unless disabled, the DB-VAE.

    Checkpoints live in ``out/models/<name>.pt``; one left by an interrupted run with the
    same settings and data is resumed, one from other settings is refused.
    """
    settings = audit_settings(run, train)
    models = {}
    kinds = ["baseline", "dbvae"] if run.train_dbvae else ["baseline"]
    for i, kind in enumerate(kinds, start=1):
        path = run.out / "models" / f"{kind}.pt"
        check_resumable(path, settings, log=log)
        log(f"  training {kind} ({i}/{len(kinds)}), {run.epochs} epochs")
        path.parent.mkdir(parents=True, exist_ok=True)
        models[kind] = fit(train, model=kind, epochs=run.epochs, batch_size=run.batch_size,
                           latent_dim=run.latent_dim, seed=run.seed, device=run.device,
                           checkpoint=str(path), resume=True, progress=run.progress,
                           checkpoint_extra={"audit_settings": settings})
    return models


def training_section(model) -> dict:
    """Per-epoch mean losses and the resampling log, for the report."""
    history = pd.DataFrame(model.history_)
    columns = [c for c in ("loss", "classification", "reconstruction", "latent") if c in history]
    epochs = history.groupby("epoch")[columns].mean().reset_index()
    rows = []
    for row in epochs.to_dict(orient="records"):
        rows.append({"epoch": int(row["epoch"]), **{c: float(row[c]) for c in columns},
                     **{c: None for c in ("reconstruction", "latent") if c not in columns}})
    resampling = [json.loads(json.dumps(r)) for r in model.resampling_]
    return {"epochs": rows, "resampling": resampling}
