"""What a training run is told: one small settings object, built once from the options."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from debias._choices import AugmentMethod, Combine, Device, Rarity, VaeOn


# Settings added after checkpoints recorded their keys, with their defaults.
_LATER = {"rarity": None, "weight_decay": 0.0, "select_on_val": False, "patience": None,
          "val_fraction": 0.1}


@dataclass(frozen=True)
class TrainingSettings:
    """Hyperparameters of a face classifier's training (baseline or DB-VAE).

    Attributes
    ----------
    epochs, batch_size, lr : training length, images per batch (half faces), Adam's rate
    latent_dim, kl_weight, width : model size (``latent_dim``/``kl_weight``: DB-VAE only)
    alpha, bins, combine, temperature : DB-VAE resampling
        (see :func:`debias.resampling.resampling_weights`)
    vae_on : DB-VAE only: "positive" (face detection: the VAE models faces, only faces are
        resampled) or "all" (both classes are people: the VAE models every image, each class
        is resampled within itself); the baseline ignores it
    rarity : DB-VAE only: how rarity is estimated from the latent means (None: the
        per-dimension histograms combined by ``combine``; see
        :func:`debias.resampling.resampling_weights`)
    weight_decay : decoupled weight decay (AdamW); 0: plain Adam
    select_on_val : hold out ``val_fraction`` of the training split (stratified by class,
        seeded) and keep the epoch whose worst-class recall on it is highest (no group
        labels: the recall of each class, the lower one)
    patience : with ``select_on_val``, stop after this many epochs without improvement
    val_fraction : share of the training split held out for ``select_on_val``
    seed : seeds the initial weights and every draw (the split has its own seed)
    device : "auto" (CUDA when present), "cpu" or "cuda"
    amp : mixed precision on CUDA
    progress : progress bar (None: when stderr is a terminal); not part of :meth:`key`
    """

    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    latent_dim: int = 100
    kl_weight: float = 0.0005
    width: int = 1
    alpha: float = 0.001
    bins: int = 10
    combine: Combine = "max"
    temperature: float = 1.0
    vae_on: VaeOn = "positive"
    rarity: Rarity | None = None
    weight_decay: float = 0.0
    select_on_val: bool = False
    patience: int | None = None
    val_fraction: float = 0.1
    seed: int = 0
    device: Device = "auto"
    amp: bool = True
    progress: bool | None = None

    @classmethod
    def names(cls) -> frozenset[str]:
        return frozenset(f.name for f in fields(cls))

    def key(self) -> dict:
        """What a checkpoint must have been trained with to be continued: every setting but
        the progress bar (the settings added later only when not at their defaults, so a
        checkpoint written before them still continues)."""
        return {k: v for k, v in asdict(self).items()
                if k != "progress" and not (k in _LATER and v == _LATER[k])}


@dataclass(frozen=True)
class AugmentSettings:
    """Synthetic faces added to a training split (see :func:`debias.augment.augment`).

    Attributes
    ----------
    method : "cyclegan" or "gan"
    attribute : the attribute to balance (None: the one whose face counts differ most)
    cap : at most this many synthetic faces per real face of a value
    generator_epochs : training epochs of the CycleGAN / GAN
    """

    method: AugmentMethod
    attribute: str | None = None
    cap: float = 4.0
    generator_epochs: int = 5
