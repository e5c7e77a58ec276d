"""What ``debias audit`` is asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from debias.metrics import AuditConfig


@dataclass
class AuditRun:
    """One audit: the dataset, what to judge, and how.

    Attributes
    ----------
    dataset : path of the dataset folder
    out : folder for report.html, result.json, tables/ and models/
    dataset_kwargs : options of ``load_dataset`` (format, image_size, attributes, ...)
    predictions : CSV of an external model's path,score (no training), optional
    model : a ``debias train`` checkpoint to audit (no training), optional
    train_dbvae : train a DB-VAE beside the baseline (when neither of the above is given)
    epochs, batch_size, latent_dim, seed, device : training settings
    metrics : how predictions are judged
    explicit_threshold : the user chose the threshold (external scores need not be in [0, 1])
    gallery_size : images per gallery
    augment : "cyclegan" or "gan": also train a baseline on the training split plus synthetic
        faces of the under-represented values of ``augment_by`` (default: the attribute whose
        face counts differ most), at most ``augment_cap`` per real face of a value
    counterfactual : "ATTR" or "ATTR=FROM:TO": probe every trained model with CycleGAN edits
        of up to ``counterfactual_images`` test faces per direction
    generator_epochs : training epochs of the CycleGAN / GAN
    """

    dataset: str
    out: Path
    dataset_kwargs: dict = field(default_factory=dict)
    predictions: Path | None = None
    model: Path | None = None
    train_dbvae: bool = True
    epochs: int = 10
    batch_size: int = 64
    latent_dim: int = 100
    seed: int = 0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    metrics: AuditConfig = field(default_factory=AuditConfig)
    gallery_size: int = 12
    explicit_threshold: bool = False
    progress: bool | None = None
    augment: Literal["cyclegan", "gan"] | None = None
    augment_by: str | None = None
    augment_cap: float = 4.0
    counterfactual: str | None = None
    counterfactual_images: int = 200
    generator_epochs: int = 5

    def training_dict(self) -> dict:
        return {"epochs": self.epochs, "batch_size": self.batch_size,
                "latent_dim": self.latent_dim, "seed": self.seed, "device": self.device}
