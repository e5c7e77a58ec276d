"""How rare is each latent code? Four estimators behind one interface, and the resampling
weights drawn from their scores.

``histogram_max`` and ``histogram_product`` are DB-VAE's own estimate (per-dimension
histograms of μ, :class:`LatentHistogram`), number for number. A per-dimension histogram sees
only marginals: a group whose every coordinate is typical but whose combination is not (codes
off the correlated main mass) looks common to it. ``knn`` and ``gmm`` estimate the joint
density of the codes instead, after one shared preprocessing (:class:`CodePreprocessing`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from debias._choices import RARITY_ESTIMATORS, Combine, Rarity
from debias.resampling._histogram import LatentHistogram, as_float_array

CLIP = 10.0  # the cap of knn and gmm weights, as a multiple of the uniform weight 1 / N


def _check_estimator(estimator: str) -> None:
    if estimator not in RARITY_ESTIMATORS:
        raise ValueError(f"estimator must be one of {', '.join(RARITY_ESTIMATORS)}; "
                         f"got {estimator!r}")


def _subsample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted row indices: all n rows when n <= size, else ``size`` drawn without replacement."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


class CodePreprocessing:
    """What knn and gmm see of a code: its active dimensions, standardised, projected on at
    most ``max_dims`` principal components (whitened if asked: knn asks).

    1. **Drop inactive dimensions.** Dimension j is active when the variance of μ_j across the
       fitted codes is at least ``min_variance`` (0.01: the "active unit" threshold of Burda
       et al. 2016, on the scale of the unit prior). A VAE leaves the dimensions it does not
       use at the prior, so their μ_j ≈ 0 for every image; standardising such a dimension
       would blow its noise up to the size of the real ones and bury the structure in it. If
       no dimension is active, every non-constant one is kept (none: every code is the same).
    2. **Standardise** each kept dimension (mean 0, variance 1 over the fitted codes).
    3. **PCA** to ``min(max_dims, kept dimensions, fitted codes - 1)`` components (fewer if
       the codes span fewer: a component with variance < 1e-10 of the first is dropped). Not
       whitened by default; with ``whiten=True`` each component is scaled to unit variance.
       Unwhitened and with no dimension to drop, the projection is skipped (a rotation
       changes neither distances nor a full-covariance density).

    The projection is the eigendecomposition of the (D_active, D_active) covariance of the
    standardised codes (what sklearn's ``PCA(svd_solver="covariance_eigh")`` does), not an
    SVD of the codes: the same components at a fraction of the cost for M >> D.

    Attributes
    ----------
    active_ : bool (D,)
        Dimensions kept by step 1.
    mean_, scale_ : float (D_active,)
    components_ : float (D_active, d) or None
        Principal axes, largest variance first; None when the projection is skipped.
    variances_ : float (d,) or None
        Variance of the standardised codes along each axis.
    """

    def __init__(self, *, min_variance: float = 0.01, max_dims: int = 32,
                 whiten: bool = False) -> None:
        if min_variance < 0 or max_dims < 1:
            raise ValueError(f"need min_variance >= 0 and max_dims >= 1; got {min_variance}, "
                             f"{max_dims}")
        self.min_variance, self.max_dims, self.whiten = min_variance, max_dims, whiten

    def fit(self, codes: np.ndarray) -> CodePreprocessing:
        """Fit on (M, D) codes."""
        codes = np.asarray(codes, dtype=np.float64)
        variance = codes.var(axis=0)
        active = variance >= self.min_variance
        self.active_ = active if active.any() else variance > 0
        kept = codes[:, self.active_]
        self.mean_ = kept.mean(axis=0)
        self.scale_ = np.sqrt(variance[self.active_])
        self.components_ = self.variances_ = None
        width = int(self.active_.sum())
        dims = max(1, min(self.max_dims, width, len(codes) - 1))
        if width and (dims < width or self.whiten):
            standard = (kept - self.mean_) / self.scale_
            values, vectors = np.linalg.eigh(standard.T @ standard / max(len(codes) - 1, 1))
            order = np.argsort(values)[::-1][:dims]
            values, vectors = values[order], vectors[:, order]
            rank = max(1, int((values > 1e-10 * values[0]).sum()))
            self.components_, self.variances_ = vectors[:, :rank], values[:rank]
        return self

    def transform(self, codes: np.ndarray) -> np.ndarray:
        """(N, D) codes -> (N, d) features, d <= max_dims (float64; zeros (N, 1) when no
        dimension varied in the fitted codes)."""
        if not self.active_.any():
            return np.zeros((len(codes), 1))
        out = (np.asarray(codes)[:, self.active_].astype(np.float64) - self.mean_) / self.scale_
        if self.components_ is None:
            return out
        out = out @ self.components_
        return out / np.sqrt(self.variances_) if self.whiten else out


class KnnRarity:
    """Rarity = mean Euclidean distance to the k nearest neighbours among the fitted codes
    (after :class:`CodePreprocessing`); larger = in a sparser region.

    The components are whitened by default (``whiten=True``), so that the distance weighs
    every kept direction alike. On the synthetic benchmark's DB-VAE codes, what sets the dark
    faces apart lies in low-variance directions; whitening raised knn's rarity ROC AUC for
    them from 0.64, 0.70, 0.67 to 0.69, 0.76, 0.68 (seeds 0, 1, 2; benchmarks/latent_rarity.py;
    0.78, 0.78, 0.74 on all 100 whitened dimensions, ``max_dims=100``, at three times the
    cost of the search).

    Preprocessing is fitted on, and neighbours are looked for among, at most ``max_reference``
    fitted codes drawn at random (seeded) when there are more: the distance to the k-th of
    R = 5,000 codes ranks density as the distance to the (k·N/R)-th of all N would, and the
    search costs R/N of the full one (200,000 codes of 100 dimensions on two cores: 1.6 s for
    the search with R = 5,000, 3 s with 10,000, 6 s with 20,000). Scoring the fitted codes
    (:meth:`score` with no argument), a code is never its own neighbour: it is dropped from
    its own neighbour list when it is in the reference sample (else the farthest of k + 1
    neighbours is).

    Attributes
    ----------
    prep_ : CodePreprocessing
    reference_ : int (R,)
        Rows of the fitted codes the neighbours are searched among.
    """

    def __init__(self, *, k: int = 10, max_reference: int = 5_000, min_variance: float = 0.01,
                 max_dims: int = 32, whiten: bool = True, seed: int = 0) -> None:
        if k < 1 or max_reference < 2:
            raise ValueError(f"need k >= 1 and max_reference >= 2; got {k}, {max_reference}")
        self.k, self.max_reference, self.seed = k, max_reference, seed
        self.prep_options = {"min_variance": min_variance, "max_dims": max_dims,
                             "whiten": whiten}

    def fit(self, codes) -> KnnRarity:
        codes = as_float_array(codes)
        if len(codes) < 2:
            raise ValueError(f"knn rarity needs at least 2 codes to fit, got {len(codes)}")
        self.reference_ = _subsample(len(codes), self.max_reference, self.seed)
        self.prep_ = CodePreprocessing(**self.prep_options).fit(codes[self.reference_])
        self._codes = codes
        self.index_ = NearestNeighbors().fit(self.prep_.transform(codes[self.reference_]))
        return self

    def score(self, codes=None) -> np.ndarray:
        """Mean distance to the k nearest reference codes: float64 (N,). ``codes=None``: the
        fitted codes, each without itself."""
        if codes is not None:
            features = self.prep_.transform(as_float_array(codes))
            k = min(self.k, len(self.reference_))
            return self.index_.kneighbors(features, k)[0].mean(axis=1)
        k = min(self.k, len(self.reference_) - 1)
        distance, index = self.index_.kneighbors(self.prep_.transform(self._codes), k + 1)
        position = np.full(len(self._codes), -1)
        position[self.reference_] = np.arange(len(self.reference_))  # own row in the sample
        is_self = index == position[:, None]
        # Drop the own row where it was found, else the farthest of the k + 1.
        is_self[~is_self.any(axis=1), -1] = True
        return distance[~is_self].reshape(len(distance), k).mean(axis=1)


class GmmRarity:
    """Rarity = −log density under a full-covariance Gaussian mixture of the preprocessed
    codes, the number of components K chosen by BIC among 1..``max_components``.

    The preprocessing is not whitened: a full-covariance mixture ranks codes the same either
    way, but whitening squeezes well-separated clusters together and its initial centres then
    land worse. Preprocessing and mixture are fitted on at most ``max_fit`` codes drawn at
    random (seeded), then every code is scored. K is also capped so that there are at least
    d + 1 fitted codes per component (a full covariance in d dimensions needs that many). Each
    mixture starts from k-means++ centres (not a full k-means run) and runs on one BLAS and
    OpenMP thread: EM on 32-dimensional covariances is many small matrix products, where
    threads only wait on each other (3.5× faster than two threads on 10,000 codes).

    Attributes
    ----------
    prep_ : CodePreprocessing
    bic_ : dict[int, float]
        BIC of each tried K.
    n_components_ : int
        The K of the lowest BIC.
    mixture_ : sklearn GaussianMixture
    """

    def __init__(self, *, max_components: int = 8, max_fit: int = 5_000,
                 min_variance: float = 0.01, max_dims: int = 32, seed: int = 0) -> None:
        if max_components < 1 or max_fit < 2:
            raise ValueError(f"need max_components >= 1 and max_fit >= 2; got "
                             f"{max_components}, {max_fit}")
        self.max_components, self.max_fit, self.seed = max_components, max_fit, seed
        self.prep_options = {"min_variance": min_variance, "max_dims": max_dims,
                             "whiten": False}

    def fit(self, codes) -> GmmRarity:
        codes = as_float_array(codes)
        if len(codes) < 2:
            raise ValueError(f"gmm rarity needs at least 2 codes to fit, got {len(codes)}")
        sample = codes[_subsample(len(codes), self.max_fit, self.seed)]
        self.prep_ = CodePreprocessing(**self.prep_options).fit(sample)
        features = self.prep_.transform(sample)
        top = max(1, min(self.max_components, len(features) // (features.shape[1] + 1)))
        self.bic_, best = {}, None
        with threadpool_limits(1):
            for k in range(1, top + 1):
                mixture = GaussianMixture(k, covariance_type="full", random_state=self.seed,
                                          reg_covar=1e-6, init_params="k-means++").fit(features)
                self.bic_[k] = float(mixture.bic(features))
                if best is None or self.bic_[k] < self.bic_[best.n_components]:
                    best = mixture
        self.mixture_, self.n_components_ = best, best.n_components
        self._fitted = codes
        return self

    def score(self, codes=None) -> np.ndarray:
        """−log density: float64 (N,). ``codes=None``: the fitted codes."""
        codes = self._fitted if codes is None else as_float_array(codes)
        return -self.mixture_.score_samples(self.prep_.transform(codes))


class HistogramRarity:
    """Rarity = the log resampling weight of :class:`LatentHistogram` (combined by max or by
    product), exactly what DB-VAE's resampling draws by."""

    def __init__(self, *, combine: Combine = "max", bins: int = 10, alpha: float = 0.001) -> None:
        self.histogram_ = LatentHistogram(bins=bins, alpha=alpha, combine=combine)

    def fit(self, codes) -> HistogramRarity:
        self.histogram_.fit(codes)
        return self

    def score(self, codes=None) -> np.ndarray:
        """Log weight (unnormalised): float64 (N,). ``codes=None``: the fitted codes."""
        return self.histogram_.log_weights(codes)


def rarity_estimator(estimator: Rarity = "histogram_max", *, bins: int = 10,
                     alpha: float = 0.001, k: int = 10, max_components: int = 8,
                     max_reference: int = 5_000, min_variance: float = 0.01,
                     max_dims: int = 32, whiten: bool = True, seed: int = 0):
    """An unfitted estimator of that kind (``fit(codes)``, then ``score(codes=None)``).

    ``bins``, ``alpha``: histograms; ``k``: knn; ``max_components``: gmm; ``max_reference``:
    most codes knn searches among and gmm is fitted on; ``min_variance``, ``max_dims``: the
    :class:`CodePreprocessing` of knn and gmm; ``whiten``: knn's (gmm never whitens);
    ``seed``: their subsamples (and the mixture's start).
    """
    _check_estimator(estimator)
    prep = {"min_variance": min_variance, "max_dims": max_dims, "seed": seed}
    if estimator == "knn":
        return KnnRarity(k=k, max_reference=max_reference, whiten=whiten, **prep)
    if estimator == "gmm":
        return GmmRarity(max_components=max_components, max_fit=max_reference, **prep)
    return HistogramRarity(combine=estimator.removeprefix("histogram_"), bins=bins, alpha=alpha)


def rarity_scores(codes, *, estimator: Rarity = "histogram_max", reference=None,
                  **options) -> np.ndarray:
    """How rare each code is; higher = rarer.

    Parameters
    ----------
    codes : float (N, D)
        Latent means to score (NumPy or torch).
    estimator : {"histogram_max", "histogram_product", "knn", "gmm"}
        ``histogram_*``: the log resampling weight of :class:`LatentHistogram` (the numbers
        of today's DB-VAE); ``knn``: mean distance to the k nearest neighbours; ``gmm``:
        −log density under a Gaussian mixture (both after :class:`CodePreprocessing`).
    reference : float (M, D), optional
        Codes the estimator is fitted on (e.g. the training faces). Default: ``codes`` itself,
        and then knn leaves each code out of its own neighbours.
    **options
        Keyword options of :func:`rarity_estimator` (``bins``, ``alpha``, ``k``,
        ``max_components``, ``max_reference``, ``min_variance``, ``max_dims``, ``whiten``,
        ``seed``).

    Returns
    -------
    numpy.ndarray
        float64 (N,). Only the order is comparable across estimators.
    """
    model = rarity_estimator(estimator, **options)
    if reference is None:
        return model.fit(codes).score()
    return model.fit(reference).score(codes)


def capped_probabilities(log_w: np.ndarray, cap: float) -> np.ndarray:
    """Probabilities p ∝ exp(log_w), none above ``cap``, otherwise in the same proportions.

    The exact solution, not clip-then-renormalise (which pushes clipped weights back over the
    cap): p_i = min(λ·exp(log_w_i), cap) with the one λ that makes Σ p = 1. Sorted descending,
    the m largest are capped for the smallest m at which the (m+1)-th, scaled to the remaining
    mass 1 − m·cap, is itself within the cap. Computed in log space, so weights that would
    underflow still get their share.

    Parameters
    ----------
    log_w : float (N,)
        Log of the unnormalised weights (finite).
    cap : float
        Largest allowed probability, at least 1 / N.
    """
    n = len(log_w)
    if cap * n < 1 - 1e-12:
        raise ValueError(f"a cap of {cap} per weight cannot sum to 1 over {n} weights")
    order = np.argsort(-log_w, kind="stable")
    sorted_w = log_w[order]
    tail = np.logaddexp.accumulate(sorted_w[::-1])[::-1]  # logsumexp of sorted_w[m:]
    m = np.arange(n)
    remaining = 1.0 - m * cap
    with np.errstate(divide="ignore", invalid="ignore"):
        log_scale = np.log(remaining) - tail
    fits = (remaining > 0) & (sorted_w + log_scale <= np.log(cap))
    first = int(np.argmax(fits)) if fits.any() else n
    p = np.empty(n)
    p[order[:first]] = cap
    if first < n:
        p[order[first:]] = np.exp(sorted_w[first:] + log_scale[first])
    return p


def rarity_weights(scores, *, estimator: Rarity,
                   clip: float | Literal["auto"] | None = "auto",
                   temperature: float = 1.0) -> torch.Tensor:
    """Probability of drawing each code, from its :func:`rarity_scores`: monotone in rarity.

    The mapping depends on what the scores are:

    - ``histogram_*``: the scores are log weights, so p ∝ exp(τ·score) = w^τ — today's
      DB-VAE weights 1 / (density + α), combined by max or product, exactly;
    - ``knn``, ``gmm``: a distance and a −log density have no common scale, so the score is
      standardised first, z = (score − mean) / std over the N codes, and p ∝ exp(τ·z). A code
      one standard deviation rarer than another is drawn e^τ times as often, whatever the
      estimator; with normal z the effective sample size is about N / e^(τ²).

    Then no probability may exceed ``clip`` / N (``clip`` times the uniform weight), solved
    exactly by :func:`capped_probabilities`. The cap is there because resampling draws with
    replacement: without it a few outlying codes (a corrupt image, an odd crop) far out in a
    distance or a density tail could fill most of every batch and the rest of the training
    set would hardly be seen. ``"auto"``: 10 for knn and gmm, no cap for the histograms (so
    that they stay the paper's and the lab's weights); ``None``: no cap.

    Parameters
    ----------
    scores : float (N,)
        Higher = rarer.
    estimator : {"histogram_max", "histogram_product", "knn", "gmm"}
        The estimator that produced ``scores``.
    clip : float >= 1, "auto" or None
    temperature : float in (0, 1]
        τ; lower -> closer to uniform.

    Returns
    -------
    torch.Tensor
        float64 (N,), non-negative, summing to 1, each at most clip / N.
    """
    _check_estimator(estimator)
    if not 0 < temperature <= 1:
        raise ValueError(f"temperature must be in (0, 1], got {temperature}")
    if clip == "auto":
        clip = None if estimator.startswith("histogram") else CLIP
    if clip is not None and not clip >= 1:
        raise ValueError(f"clip must be at least 1 (times the uniform weight), got {clip}")
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1 or len(s) == 0:
        raise ValueError(f"scores must be a non-empty (N,) array, got shape {s.shape}")
    if not estimator.startswith("histogram"):
        spread = s.std()
        s = (s - s.mean()) / spread if spread > 0 else np.zeros_like(s)
    if clip is None:
        return torch.softmax(temperature * torch.from_numpy(s), dim=0)
    return torch.from_numpy(capped_probabilities(temperature * s, clip / len(s)))
