"""Balanced training batches: half faces (uniform or adaptively resampled), half non-faces
(uniform, or adaptively resampled within their class when the VAE models both classes)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pandas as pd
import torch

from debias._choices import Combine, VaeOn
from debias.resampling._weights import resampling_weights, weight_summary, within_class_weights
from generative import gather_rows, rank_and_world

# Faces encoded at once for the latent pass: bounds memory on file-backed (memmap) datasets.
_LATENT_CHUNK = 4096


class BalancedBatches:
    """The batch source of the baseline and of DB-VAE (a ``generative`` BatchSource).

    Every batch holds ``batch_size // 2`` faces, drawn without replacement with the current
    weights (uniform, or adaptive), and the rest non-faces drawn uniformly with replacement.
    With ``adaptive=True`` the weights are recomputed at the start of each epoch from the
    latent means of every training face (``model.latent_means``, in eval mode; the model is
    back in train mode before the first batch), and a summary of them is appended to
    ``log_``. Each batch also carries ``index``, the rows it drew.

    With ``vae_on="all"`` (the VAE models both classes, e.g. a gender classifier) the
    non-faces are resampled too, within their class: their weights come from histograms of
    the non-faces' latent means alone (:func:`within_class_weights`), they are drawn with
    those weights (with replacement, as the uniform draw), and their summary is logged under
    ``negative_`` keys. Every batch keeps its class balance.

    With ``sample_weights`` (one non-negative weight per image, e.g. Just Train Twice's
    up-weighted error set) each class is drawn by its images' weights normalised within the
    class, both with replacement, and the summaries of both are logged (the non-faces' under
    ``negative_`` keys). With replacement, every face of a batch is image i with probability
    exactly w_i / (sum of the face weights), so a batch's mean loss estimates the weighted loss
    without bias; drawn without replacement, an image could appear at most once per batch and
    a weight above 1 / (faces per batch) of the class's total would be cut down.

    Under ``torchrun`` (a process group of W ranks) ``batch_size`` is the global batch: every
    rank encodes its 1/W of the faces (of all images with ``vae_on="all"``), the latent means
    are gathered so every rank computes the same global weights, every rank draws the same
    global batch from the same generator state, and rank r keeps positions r, r+W, r+2W, ...
    of its faces and of its non-faces: the ranks' shares never overlap and together make the
    global batch.

    Parameters
    ----------
    images : uint8 tensor (N, 3, S, S)
    labels : int tensor (N,), 1 = face
    groups : pandas.Series (N,), optional
        Subgroup of each image (e.g. "dark|female"), to report the mean weight per group.
    batch_size : int
        At least 2.
    steps_per_epoch : int, optional
        Default: enough batches to draw as many faces as there are.
    adaptive : bool
        Resample faces by latent rarity (DB-VAE) rather than uniformly (baseline).
    vae_on : {"positive", "all"}
        With ``adaptive``: resample the faces only, or each class within itself. Ignored
        without ``adaptive``.
    balance_groups : pandas.Series (N,), optional
        Instead, draw faces so that each value of this series is equally likely (weights
        1 / group size): the label-using reweighting that latent resampling tries to approach
        without labels. Not combinable with ``adaptive``.
    sample_weights : float tensor (N,), optional
        A fixed non-negative weight per image (row of ``images``); faces are drawn by theirs
        within the face half, non-faces by theirs within the non-face half. Each class needs
        a positive total. Not combinable with ``adaptive`` or ``balance_groups``.
    bins, alpha, combine, temperature :
        Passed to :func:`resampling_weights`.
    rarity : str, optional
        With ``adaptive``: the rarity estimator of :func:`resampling_weights` (None: the
        histograms combined by ``combine``).
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, *, groups: pd.Series | None = None,
                 batch_size: int = 64, steps_per_epoch: int | None = None, adaptive: bool = False,
                 bins: int = 10, alpha: float = 0.001, combine: Combine = "max",
                 temperature: float = 1.0, balance_groups: pd.Series | None = None,
                 vae_on: VaeOn = "positive", sample_weights: torch.Tensor | None = None,
                 rarity: str | None = None) -> None:
        labels = torch.as_tensor(labels)
        self.faces = torch.nonzero(labels == 1).flatten()
        self.nonfaces = torch.nonzero(labels == 0).flatten()
        if len(self.faces) == 0 or len(self.nonfaces) == 0:
            raise ValueError("training needs both faces (label 1) and non-faces (label 0)")
        if batch_size < 2:
            raise ValueError(f"batch_size must be at least 2, got {batch_size}")
        self.images, self.labels = images, labels
        self.half = min(batch_size // 2, len(self.faces))
        self.n_neg = batch_size - batch_size // 2
        self.rank, self.world = rank_and_world()
        if self.world > 1 and (self.half % self.world or self.n_neg % self.world):
            raise ValueError(f"under {self.world} processes the batch size must split evenly: "
                             f"{self.half} faces and {self.n_neg} non-faces per batch; pass a "
                             f"`batch_size` that is a multiple of {2 * self.world}")
        self.steps = steps_per_epoch or max(1, len(self.faces) // self.half)
        self.face_groups = None if groups is None else \
            groups.iloc[self.faces.numpy()].reset_index(drop=True)
        self.nonface_groups = None if groups is None else \
            groups.iloc[self.nonfaces.numpy()].reset_index(drop=True)
        if vae_on not in ("positive", "all"):
            raise ValueError(f"vae_on must be 'positive' or 'all', got {vae_on!r}")
        self.adaptive = adaptive
        # Non-faces are drawn by weight only when they are resampled; else uniformly, as ever.
        self.resample_nonfaces = adaptive and vae_on == "all"
        self.options = {"bins": bins, "alpha": alpha, "combine": combine,
                        "temperature": temperature}
        if rarity is not None:  # else the histograms combined by ``combine``, as ever
            self.options["estimator"] = rarity
        self.weights = torch.full((len(self.faces),), 1.0 / len(self.faces), dtype=torch.float64)
        self.nonface_weights = torch.full((len(self.nonfaces),), 1.0 / len(self.nonfaces),
                                          dtype=torch.float64)
        if balance_groups is not None:
            if adaptive:
                raise ValueError("balance_groups and adaptive resampling exclude each other")
            face_groups = balance_groups.iloc[self.faces.numpy()].to_numpy()
            sizes = pd.Series(face_groups).map(pd.Series(face_groups).value_counts()).to_numpy()
            self.weights = torch.from_numpy(1.0 / sizes).double()
            self.weights /= self.weights.sum()
        self.weighted = sample_weights is not None
        if self.weighted:
            if adaptive or balance_groups is not None:
                raise ValueError("sample_weights exclude adaptive resampling and balance_groups")
            self.weights, self.nonface_weights = self._class_weights(sample_weights)
        self.log_: list[dict] = []

    def _class_weights(self, sample_weights) -> tuple[torch.Tensor, torch.Tensor]:
        """``sample_weights`` (N,) checked and normalised within each class: float64 (F,), (M,)."""
        w = torch.as_tensor(sample_weights, dtype=torch.float64).flatten()
        if len(w) != len(self.labels):
            raise ValueError(f"sample_weights has {len(w)} values for {len(self.labels)} images")
        if not bool(torch.isfinite(w).all()) or bool((w < 0).any()):
            raise ValueError("sample_weights must be finite and non-negative")
        parts = []
        for name, rows in (("face", self.faces), ("non-face", self.nonfaces)):
            total = float(w[rows].sum())
            if total <= 0:
                raise ValueError(f"sample_weights are all zero on the {name}s (label "
                                 f"{1 if name == 'face' else 0})")
            parts.append(w[rows] / total)
        return parts[0], parts[1]

    def __len__(self) -> int:
        return self.steps

    def latent_means(self, model: torch.nn.Module, rows: torch.Tensor | None = None
                     ) -> torch.Tensor:
        """μ (R, latent_dim) of the training images ``rows`` (default: the F faces), in that
        order; under several ranks each encodes a contiguous 1/W of them and the parts are
        gathered."""
        rows = self.faces if rows is None else rows
        mine = torch.tensor_split(rows, self.world)[self.rank]
        parts = [model.latent_means(self.images[chunk]) for chunk in mine.split(_LATENT_CHUNK)]
        mu = torch.cat(parts) if parts else model.latent_means(self.images[mine])
        return gather_rows(mu)

    def update_weights(self, model: torch.nn.Module) -> tuple[torch.Tensor, float]:
        """Recompute the face weights (and, with ``vae_on="all"``, the non-face weights) from
        ``model.latent_means``: the face weights (F,) and seconds."""
        start = time.perf_counter()
        if self.resample_nonfaces:
            rows = torch.cat([self.faces, self.nonfaces])
            weights = within_class_weights(self.latent_means(model, rows), self.labels[rows],
                                           **self.options)
            self.weights, self.nonface_weights = weights.split(
                [len(self.faces), len(self.nonfaces)])
        else:
            self.weights = resampling_weights(self.latent_means(model), **self.options)
        return self.weights, time.perf_counter() - start

    def epoch(self, epoch: int, generator: torch.Generator, model: torch.nn.Module | None = None
              ) -> Iterator[dict[str, torch.Tensor]]:
        record: dict = {"epoch": epoch}
        if self.adaptive:
            _, seconds = self.update_weights(model)
            record["seconds"] = round(seconds, 3)
        record.update(weight_summary(self.weights, self.face_groups))
        if self.resample_nonfaces or self.weighted:
            record.update({f"negative_{k}": v for k, v in
                           weight_summary(self.nonface_weights, self.nonface_groups).items()})
        self.log_.append(record)
        nonface_probabilities = self.nonface_weights.float()
        probabilities = self.weights.float()
        # Without replacement within a batch (as the lab), unless the weights sit on too few
        # faces, or are fixed sample weights (drawn with replacement: see the class docstring).
        replace = self.weighted or int((probabilities > 0).sum()) < self.half
        for _ in range(self.steps):
            faces = self.faces[torch.multinomial(probabilities, self.half, replacement=replace,
                                                 generator=generator)]
            # With replacement, as the lab: measured on the demo set over 10 training seeds,
            # drawing each non-face once per pass widened DB-VAE's light-dark recall gap
            # (0.253 vs 0.170 mean).
            if self.resample_nonfaces or self.weighted:
                drawn = torch.multinomial(nonface_probabilities, self.n_neg, replacement=True,
                                          generator=generator)
            else:
                drawn = torch.randint(len(self.nonfaces), (self.n_neg,), generator=generator)
            others = self.nonfaces[drawn]
            index = torch.cat([faces[self.rank :: self.world], others[self.rank :: self.world]])
            yield {"x": self.images[index], "y": self.labels[index], "index": index}
