"""What a trained DB-VAE's latent space says about a dataset: who is rare, and does it matter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from scipy.stats import rankdata
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score

from debias.resampling import LatentHistogram, rarity_scores
from debias._choices import RARITY_ESTIMATORS, Combine, Rarity
from generative import to_uint8


@dataclass
class LatentAnalysis:
    """Per-image rarity and the tables built on it (faces of the analysed set only).

    Attributes
    ----------
    faces : DataFrame (F rows)
        ``index`` (row in the analysed set), ``log_weight``, ``rarity`` in (0, 1] (1 = the
        rarest: rank of the rarity weight / F), ``decile`` (1 typical .. 10 rarest),
        ``error`` (misclassified, when predictions were given), ``pca_1``, ``pca_2`` and the
        group of each attribute.
    by_group : DataFrame
        attribute, group, count, mean and median rarity, share in the rarest decile.
    decile_errors : DataFrame
        attribute, group, decile, count, errors, error_rate.
    rarity_auc : DataFrame
        attribute, group, auc: how well rarity alone (no labels) finds the group's members.
    dims : DataFrame
        attribute, group, dim, effect (standardised mean difference of μ_dim, group vs rest),
        rank within the group (1 = strongest).
    pca_explained : list of float
        Variance share of the two PCA components.
    rarity_auc_by_estimator : DataFrame
        estimator, attribute, group, n (the group's faces), auc: ``rarity_auc`` for each rarity
        estimator of :func:`debias.resampling.rarity_scores`, fitted on the same reference
        codes (the ``histogram_<combine>`` rows equal ``rarity_auc``).
    """

    faces: pd.DataFrame
    by_group: pd.DataFrame
    decile_errors: pd.DataFrame
    rarity_auc: pd.DataFrame
    dims: pd.DataFrame
    pca_explained: list[float]
    rarity_auc_by_estimator: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["estimator", "attribute", "group", "n", "auc"]))

    def rarest(self, k: int = 16) -> np.ndarray:
        """Row indices (in the analysed set) of the k rarest faces, rarest first."""
        return self.faces.sort_values("rarity", ascending=False)["index"].to_numpy()[:k].copy()

    def most_typical(self, k: int = 16) -> np.ndarray:
        """Row indices of the k most typical faces, most typical first."""
        return self.faces.sort_values("rarity")["index"].to_numpy()[:k].copy()


def _effect_sizes(mu: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Standardised mean difference per dim, members vs the rest: (D,)."""
    a, b = mu[member], mu[~member]
    pooled = np.sqrt((a.var(axis=0, ddof=1) * (len(a) - 1) + b.var(axis=0, ddof=1) * (len(b) - 1))
                     / max(len(a) + len(b) - 2, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled > 0, (a.mean(axis=0) - b.mean(axis=0)) / pooled, 0.0)


def analyse_latent(mu: np.ndarray, attrs: pd.DataFrame, *, reference_mu: np.ndarray | None = None,
                   errors: np.ndarray | None = None, bins: int = 10, alpha: float = 0.001,
                   combine: Combine = "product", top_dims: int = 3,
                   estimators: Sequence[Rarity] = RARITY_ESTIMATORS, seed: int = 0
                   ) -> LatentAnalysis:
    """Rarity of each face from its latent mean, with the estimator of DB-VAE's resampling.

    By default the density is the paper's: the product of the per-dimension histogram
    densities (what resampling's ``combine="product"`` inverts). ``combine="max"`` ranks by
    the lab's resampling weight instead, which also rewards a code that is extreme in any
    single dimension, so it finds a compact rare group less well.

    Parameters
    ----------
    mu : float (F, D)
        Latent means of the faces to analyse (e.g. the test split's faces).
    attrs : DataFrame (F rows)
        Attribute values of those faces.
    reference_mu : float (M, D), optional
        Codes the histograms are fitted on (e.g. the training faces, so rarity means "rare in
        what the model was trained on"); default: ``mu`` itself.
    errors : bool (F,), optional
        Whether each face was misclassified.
    bins, alpha, combine :
        As :class:`debias.resampling.LatentHistogram` (default combine: product).
    top_dims : int
        Dimensions reported per group.
    estimators : sequence of {"histogram_max", "histogram_product", "knn", "gmm"}
        Rarity estimators compared in ``rarity_auc_by_estimator`` (each fitted on
        ``reference_mu``, or on ``mu`` with knn leaving each face out of its own neighbours);
        empty: no comparison. The rest of the analysis uses the histogram of ``combine``.
    seed : int
        Subsamples of knn and gmm on large reference sets.
    """
    mu = np.asarray(mu, dtype=np.float64)
    attrs = attrs.reset_index(drop=True).astype(str)
    n = len(mu)
    histogram = LatentHistogram(bins=bins, alpha=alpha, combine=combine)
    log_w = histogram.fit(mu if reference_mu is None else reference_mu).log_weights(mu)
    rarity = rankdata(log_w, method="average") / n
    decile = np.minimum((rarity * 10).astype(int), 9) + 1
    pca = PCA(n_components=2, random_state=0).fit(mu)
    coords = pca.transform(mu)
    faces = pd.DataFrame({"index": np.arange(n), "log_weight": log_w, "rarity": rarity,
                          "decile": decile, "pca_1": coords[:, 0], "pca_2": coords[:, 1]})
    if errors is not None:
        faces["error"] = np.asarray(errors, dtype=bool)
    faces = pd.concat([faces, attrs], axis=1)

    by_group, decile_rows, auc_rows, dim_rows = [], [], [], []
    for attribute in attrs.columns:
        for group in sorted(attrs[attribute].unique()):
            member = (attrs[attribute] == group).to_numpy()
            r = rarity[member]
            by_group.append({"attribute": attribute, "group": group, "count": int(member.sum()),
                             "mean_rarity": float(r.mean()), "median_rarity": float(np.median(r)),
                             "share_in_rarest_decile": float((decile[member] == 10).mean())})
            auc = roc_auc_score(member, rarity) if 0 < member.sum() < n else np.nan
            auc_rows.append({"attribute": attribute, "group": group, "auc": float(auc)})
            effect = _effect_sizes(mu, member) if 1 < member.sum() < n - 1 else np.zeros(mu.shape[1])
            for rank, dim in enumerate(np.argsort(-np.abs(effect))[:top_dims], start=1):
                dim_rows.append({"attribute": attribute, "group": group, "dim": int(dim),
                                 "effect": float(effect[dim]), "rank": rank})
            if errors is not None:
                for d in range(1, 11):
                    cell = member & (decile == d)
                    e = faces["error"].to_numpy()[cell]
                    decile_rows.append({"attribute": attribute, "group": group, "decile": d,
                                        "count": int(cell.sum()), "errors": int(e.sum()),
                                        "error_rate": float(e.mean()) if len(e) else np.nan})
    if errors is not None:
        for d in range(1, 11):
            e = faces["error"].to_numpy()[decile == d]
            decile_rows.append({"attribute": "all", "group": "all", "decile": d,
                                "count": len(e), "errors": int(e.sum()),
                                "error_rate": float(e.mean()) if len(e) else np.nan})
    return LatentAnalysis(faces, pd.DataFrame(by_group), pd.DataFrame(decile_rows),
                          pd.DataFrame(auc_rows), pd.DataFrame(dim_rows),
                          [float(v) for v in pca.explained_variance_ratio_],
                          _auc_by_estimator(mu, attrs, reference_mu, estimators, bins=bins,
                                            alpha=alpha, seed=seed))


def _auc_by_estimator(mu: np.ndarray, attrs: pd.DataFrame, reference_mu, estimators, *,
                      bins: int, alpha: float, seed: int) -> pd.DataFrame:
    """estimator, attribute, group, n, auc: each estimator's rarity ROC AUC per group (knn and
    gmm left out when fewer than 2 codes are there to fit them on)."""
    rows = []
    fitted_on = len(mu if reference_mu is None else reference_mu)
    for estimator in estimators:
        if fitted_on < 2 and not estimator.startswith("histogram"):
            continue
        scores = rarity_scores(mu, estimator=estimator, reference=reference_mu, bins=bins,
                               alpha=alpha, seed=seed)
        for attribute in attrs.columns:
            for group in sorted(attrs[attribute].unique()):
                member = (attrs[attribute] == group).to_numpy()
                auc = roc_auc_score(member, scores) if 0 < member.sum() < len(mu) else np.nan
                rows.append({"estimator": estimator, "attribute": attribute, "group": group,
                             "n": int(member.sum()), "auc": float(auc)})
    return pd.DataFrame(rows, columns=["estimator", "attribute", "group", "n", "auc"])


@torch.no_grad()
def traversal(model, mu: np.ndarray, dim: int, *, steps: int = 7, span: float = 3.0
              ) -> torch.Tensor:
    """Decode the mean code with dimension ``dim`` moved from −span·σ to +span·σ.

    Parameters
    ----------
    model : DBVAE
    mu : float (F, D)
        Latent means the mean and σ of ``dim`` are taken from.

    Returns
    -------
    torch.Tensor
        uint8 (steps, 3, S, S): an image strip.
    """
    mu = torch.as_tensor(np.asarray(mu), dtype=torch.float32)
    center, sigma = mu.mean(dim=0), mu[:, dim].std()
    codes = center.repeat(steps, 1)
    codes[:, dim] = center[dim] + torch.linspace(-span, span, steps) * sigma
    was_training = model.training
    model.eval()
    try:
        images = model.decoder(codes.to(next(model.parameters()).device)).cpu()
    finally:
        model.train(was_training)
    return to_uint8(images)
