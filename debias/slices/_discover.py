"""Discovered slices: coherent groups of images found from features alone, without labels.

When a dataset carries no demographic attributes, an audit can still report error rates per
*slice*: a cluster of the model's features on the training images, to which each test image
is then assigned. This module fits the clustering (:func:`discover_slices`) and holds what it
learned (:class:`SliceModel`). It knows nothing of torch or of images: features come in as
arrays (see :func:`debias.slices.slice_features`).

A slice is a region of feature space, not a demographic group: whether a slice lines up with
one (say, dark-skinned faces) is for the audit to measure, never to assume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

SliceMethod = Literal["gmm", "kmeans"]
CovarianceType = Literal["full", "diag"]

MIN_STD = 1e-6
"""A feature whose standard deviation on the fitting images is below this is dropped."""

SAMPLES_PER_PARAMETER = 10
"""Images per free parameter a full-covariance mixture needs; with fewer, "diag" is used."""

_N_INIT = 2  # restarts per mixture fit (k-means++ initialisations, seeded)


@dataclass
class SliceModel:
    """The fitted slicing: standardise, drop, project, assign to a mixture component.

    Slices are numbered by their size on the fitting data: slice index 0 ("slice 1") holds
    the most fitting images, ties broken by the mixture's component order, so the numbering
    does not depend on how the fit happened to order its components.

    Attributes
    ----------
    scaler_ : sklearn StandardScaler
        Fitted on the kept features (D_kept of them).
    keep_ : bool ndarray (D,)
        Features kept (standard deviation at least ``MIN_STD`` on the fitting data).
    pca_ : sklearn PCA
        To ``d_`` dimensions, not whitened.
    mixture_ : sklearn GaussianMixture or KMeans
        The clustering in PCA space (K components or centres).
    order_ : int ndarray (K,)
        ``order_[c]`` is the slice index (0 = largest) of mixture component ``c``.
    sizes_ : int ndarray (K,)
        Fitting images per slice, in slice order (non-increasing).
    k_ : int
        Number of slices.
    bic_ : dict of int to float
        BIC of the Gaussian mixture for every K tried, when K was chosen automatically
        (empty when ``k`` was given).
    covariance_type_ : {"full", "diag"}
        Covariance of the Gaussian mixtures (also used for the BIC search with k-means).
    method : {"gmm", "kmeans"}
    features_kind : str
        What the features were, e.g. "DB-VAE latent means" (for the report).
    seed : int
    """

    scaler_: StandardScaler
    keep_: np.ndarray
    pca_: PCA
    mixture_: GaussianMixture | KMeans
    order_: np.ndarray
    sizes_: np.ndarray
    k_: int
    bic_: dict[int, float] = field(default_factory=dict)
    covariance_type_: CovarianceType = "diag"
    method: SliceMethod = "gmm"
    features_kind: str = "features"
    seed: int = 0

    @property
    def d_(self) -> int:
        """Dimensions the clustering works in (after PCA)."""
        return int(self.pca_.n_components_)

    def transform(self, features: np.ndarray) -> np.ndarray:
        """Features -> the space the slices were found in.

        Parameters
        ----------
        features : float array (N, D), D as at fit time, finite

        Returns
        -------
        numpy.ndarray
            float64 (N, ``d_``).
        """
        x = _check_features(features, name="features")
        if x.shape[1] != len(self.keep_):
            raise ValueError(f"features have {x.shape[1]} columns, the slices were fitted "
                             f"on {len(self.keep_)}")
        return self.pca_.transform(self.scaler_.transform(x[:, self.keep_]))

    def assign(self, features: np.ndarray) -> np.ndarray:
        """The slice of each row.

        Parameters
        ----------
        features : float array (N, D), D as at fit time, finite

        Returns
        -------
        numpy.ndarray
            int64 (N,), slice indices in 0..K-1 (0 = the largest slice, named "slice 1").
        """
        if len(features) == 0:
            return np.zeros(0, dtype=np.int64)
        return self.order_[self.mixture_.predict(self.transform(features))].astype(np.int64)

    def names(self, labels: np.ndarray) -> list[str]:
        """Human names of slice indices: 0 -> "slice 1", ..., K-1 -> "slice K".

        Parameters
        ----------
        labels : int array (N,), values in 0..K-1 (as :meth:`assign` returns)

        Returns
        -------
        list of str
            N names.
        """
        labels = np.asarray(labels)
        if labels.size and (not np.issubdtype(labels.dtype, np.integer)
                            or labels.min() < 0 or labels.max() >= self.k_):
            raise ValueError(f"slice labels must be integers in 0..{self.k_ - 1}")
        return [f"slice {int(i) + 1}" for i in labels.ravel()]


def _check_features(features: np.ndarray, *, name: str) -> np.ndarray:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array (N, D), got shape {x.shape}")
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).any(axis=1).sum())
        raise ValueError(f"{name} contain NaN or infinite values ({bad} of {len(x)} rows)")
    return x


def _covariance_type(n: int, d: int, k: int) -> CovarianceType:
    """ "full" when there are ``SAMPLES_PER_PARAMETER`` images per free parameter of a
    full-covariance mixture of k components in d dims, else "diag"."""
    full_parameters = k * (d + d * (d + 1) // 2) + k - 1
    return "full" if n >= SAMPLES_PER_PARAMETER * full_parameters else "diag"


def _mixture(k: int, covariance: CovarianceType, seed: int) -> GaussianMixture:
    return GaussianMixture(n_components=k, covariance_type=covariance, n_init=_N_INIT,
                           init_params="k-means++", random_state=seed)


def discover_slices(features: np.ndarray, *, k: int | None = None, max_k: int = 8,
                    n_components: int = 20, method: SliceMethod = "gmm", seed: int = 0,
                    min_size: int = 30, features_kind: str = "features") -> SliceModel:
    """Find slices of the images from their features alone (no labels).

    Fit on the training images' features; assign test images with :meth:`SliceModel.assign`.

    The rule:

    1. Drop near-constant features (standard deviation below 1e-6 on these images, e.g. dead
       ReLU units or a collapsed VAE latent dimension), then standardise each remaining one
       to mean 0 and variance 1. (A barely used dimension that still varies a little is kept
       and, standardised, weighs as much as any other before PCA.)
    2. Project with PCA (not whitened) to d = min(n_components, features kept, N - 1) dims.
    3. Choose the covariance of the Gaussian mixtures: "full" when there are at least 10
       images per free parameter of a full-covariance mixture with the largest K fitted
       (K·(d + d(d+1)/2) + K - 1 parameters), otherwise "diag".
    4. Choose K: the given ``k``, or else the K in 2..min(max_k, N // min_size) whose
       Gaussian mixture has the lowest BIC. The cap N // min_size keeps room for every slice
       to have ``min_size`` fitting images on average (a cap, not a guarantee: one slice may
       still come out smaller).
    5. Fit the slices: that Gaussian mixture (``method="gmm"``; each image goes to its most
       probable component), or k-means with that K (``method="kmeans"``; nearest centre).
    6. Number the slices by their size on these images, largest first ("slice 1").

    Every fit is seeded with ``seed``: the same features and seed give the same slices.

    Parameters
    ----------
    features : float array (N, D)
        One row per training image, e.g. from :func:`debias.slices.slice_features`. Finite.
    k : int, optional
        Number of slices, at least 2 and at most N // min_size. None: chosen by BIC.
    max_k : int
        Largest K tried when ``k`` is None (at least 2).
    n_components : int
        PCA dimensions kept (at most; see step 2).
    method : {"gmm", "kmeans"}
        Clustering of step 5.
    seed : int
        Seeds the mixture and k-means initialisations.
    min_size : int
        Images a slice should be able to hold (step 4); N must be at least 2 · min_size.
    features_kind : str
        What the features are, kept on the model for the report.

    Returns
    -------
    SliceModel
        With ``k_``, ``bic_`` and the fitted scaler, PCA and mixture.

    Raises
    ------
    ValueError
        On features that are not 2-d, hold NaN or infinity, are all constant, or have fewer
        than 2 · min_size rows; on k < 2, k > N // min_size, max_k < 2, or an unknown method.
    """
    if method not in ("gmm", "kmeans"):
        raise ValueError(f"method must be 'gmm' or 'kmeans', got {method!r}")
    if min_size < 1 or n_components < 1:
        raise ValueError(f"min_size and n_components must be at least 1, got {min_size} "
                         f"and {n_components}")
    x = _check_features(features, name="features")
    n = len(x)
    if n < 2 * min_size:
        raise ValueError(f"too few images to find slices: {n}, need at least 2 * min_size = "
                         f"{2 * min_size}")
    cap = n // min_size
    if k is not None:
        if k < 2 or k > cap:
            raise ValueError(f"k must be between 2 and N // min_size = {cap} ({n} images, "
                             f"min_size {min_size}), got {k}")
        candidates = [int(k)]
    else:
        if max_k < 2:
            raise ValueError(f"max_k must be at least 2, got {max_k}")
        candidates = list(range(2, min(max_k, cap) + 1))

    keep = x.std(axis=0) >= MIN_STD
    if not keep.any():
        raise ValueError(f"all {x.shape[1]} features are constant on these images")
    scaler = StandardScaler().fit(x[:, keep])
    d = min(n_components, int(keep.sum()), n - 1)
    pca = PCA(n_components=d, whiten=False, svd_solver="full")
    z = pca.fit_transform(scaler.transform(x[:, keep]))
    covariance = _covariance_type(n, d, max(candidates))

    bic: dict[int, float] = {}
    fits: dict[int, GaussianMixture] = {}
    if method == "gmm" or len(candidates) > 1:
        for kk in candidates:
            fits[kk] = _mixture(kk, covariance, seed).fit(z)
            if len(candidates) > 1:
                bic[kk] = float(fits[kk].bic(z))
    chosen = min(bic, key=bic.get) if bic else candidates[0]
    if method == "gmm":
        clusterer = fits[chosen]
    else:
        clusterer = KMeans(n_clusters=chosen, n_init=10, random_state=seed).fit(z)

    counts = np.bincount(clusterer.predict(z), minlength=chosen)
    by_size = np.argsort(-counts, kind="stable")  # slice index -> component
    order = np.empty(chosen, dtype=np.int64)
    order[by_size] = np.arange(chosen)
    return SliceModel(scaler_=scaler, keep_=keep, pca_=pca, mixture_=clusterer, order_=order,
                      sizes_=counts[by_size].astype(np.int64), k_=chosen, bic_=bic,
                      covariance_type_=covariance, method=method,
                      features_kind=features_kind, seed=seed)
