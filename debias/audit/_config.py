"""What ``debias audit`` is asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from debias._image_policy import Captions, ImagePolicy
from debias.metrics import AuditConfig
from debias.training import AugmentSettings, TrainingSettings


@dataclass(frozen=True)
class CounterfactualSettings:
    """The audit's counterfactual probe.

    Attributes
    ----------
    spec : "ATTR" or "ATTR=FROM:TO" (without values: the most common value to the rarest)
    images : test faces edited per direction
    generator_epochs : CycleGAN training epochs
    """

    spec: str
    images: int = 200
    generator_epochs: int = 5


@dataclass
class AuditRun:
    """One audit: the dataset, what to judge, and how.

    Attributes
    ----------
    dataset : path of the dataset folder
    out : folder for report.html, result.json, tables/ and models/
    dataset_kwargs : options of ``load_dataset`` (format, image_size, attributes, ...)
    predictions : CSV of an external model's path,score (no training), optional
    model : a ``debias train`` checkpoint to audit (no training; its recorded split is used)
    train_dbvae : train a DB-VAE beside the baseline (when neither of the above is given)
    training : how models are trained; its seed also draws the split
    metrics : how predictions are judged
    explicit_threshold : the user chose the threshold (external scores need not be in [0, 1])
    explicit_verdict_metric : the user chose ``metrics.verdict_metric``; otherwise it follows
        the task: the miss rate (fnr) for face detection, the error rate for any other binary
        task (both classes are people, so errors either way count)
    gallery_size : images per gallery
    augment : also train a baseline on the training split plus synthetic faces, optional
    counterfactual : probe every trained model with CycleGAN edits, optional
    models : folder of the checkpoints (default ``out/models``)
    discover_slices : slices to discover from model features (0: never; None: only when the
        dataset has no attribute column, K chosen by BIC)
    methods : the training methods to compare with the baseline (None: the DB-VAE, unless
        ``train_dbvae`` is off); the baseline is always trained, as every comparison's
        reference
    group_columns : attributes whose group labels the ``balanced`` and ``dfr`` methods read
    method_options : the methods' own hyperparameters, e.g. ``{"jtt": {"upweight": 20}}``
    images : which images result.json and the report hold (see :mod:`debias.audit._images`):
        ``all``, ``synthetic`` (only images generated from no single dataset image) or
        ``none``; None: ``all``, and the audit says so when the dataset is not the synthetic
        benchmark
    captions : what image captions say: ``groups`` (group values, label, prediction and
        score) or ``paths`` (also the file name); alt text never holds the file name
    card : the model card fields only a person knows (owner, intended use, ...), checked by
        the command line; stored in result.json as ``card``
    """

    dataset: str
    out: Path
    dataset_kwargs: dict = field(default_factory=dict)
    predictions: Path | None = None
    model: Path | None = None
    train_dbvae: bool = True
    training: TrainingSettings = field(default_factory=TrainingSettings)
    metrics: AuditConfig = field(default_factory=AuditConfig)
    explicit_threshold: bool = False
    explicit_verdict_metric: bool = True
    gallery_size: int = 12
    augment: AugmentSettings | None = None
    counterfactual: CounterfactualSettings | None = None
    models: Path | None = None
    discover_slices: int | None = None
    methods: tuple[str, ...] | None = None
    group_columns: list[str] | None = None
    method_options: dict = field(default_factory=dict)
    images: ImagePolicy | None = None
    captions: Captions = "groups"
    card: dict | None = None

    @property
    def trained_methods(self) -> list[str]:
        """The methods this audit trains, the baseline first."""
        others = list(self.methods) if self.methods is not None else \
            (["dbvae"] if self.train_dbvae else [])
        return ["baseline", *[m for m in dict.fromkeys(others) if m != "baseline"]]

    @property
    def models_dir(self) -> Path:
        """Where checkpoints are written (and an interrupted run's are resumed from)."""
        return self.models if self.models is not None else Path(self.out) / "models"

    @property
    def trains(self) -> bool:
        """Whether this audit trains its own models."""
        return self.predictions is None and self.model is None

    def training_dict(self) -> dict:
        """The training settings result.json records."""
        t = self.training
        out = {"epochs": t.epochs, "batch_size": t.batch_size, "latent_dim": t.latent_dim,
               "vae_on": t.vae_on, "seed": t.seed, "device": t.device}
        if self.methods is not None:
            out["methods"] = self.trained_methods
        return out
