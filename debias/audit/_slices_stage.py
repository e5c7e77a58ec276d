"""Stage 2b of an audit: slices discovered from model features, for audits without (or beside)
demographic labels.

The slices become one more attribute column, :data:`debias.groups.DISCOVERED`, so they get the
same tables, CIs, verdicts and report sections as attribute groups; they are never intersected
with attributes, and the result names them discovered, not demographic."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from debias.audit._images import gallery, group_values
from debias.audit._judged import Judged
from debias.audit._words import words_of
from debias.data import ImageDataset
from debias.groups import DISCOVERED
from debias.slices import discover_slices, slice_features

AUTO = None  # discover only when the dataset has no attribute
MIN_SIZE = 30  # images a slice should have on average (the K cap is N // MIN_SIZE)
MAX_K = 8
RULE = ("standardise each feature (dropping constant ones), project to at most 20 principal "
        "components, fit Gaussian mixtures with K = 2 .. {max_k} components (at most one per "
        "{min_size} images) and keep the K with the lowest BIC; each image joins its most "
        "probable component; slices are numbered by size on the fitting images")


def wanted(k: int | None, data: ImageDataset) -> bool:
    """Whether to discover slices: ``k`` slices when given (0: never), else only when the
    dataset has no attribute column."""
    return bool(k) if k is not AUTO else not data.attributes


def _population(dataset: ImageDataset, faces: bool) -> np.ndarray:
    """Rows sliced: the positives for face detection (the images attributes describe), every
    image for other tasks (both classes are people)."""
    labels = dataset.labels.numpy()
    return np.flatnonzero(labels == 1) if faces else np.arange(len(labels))


def _features_model(judged: Judged):
    """The DB-VAE when there is one (its latent means), else a trained classifier, else None
    (pixels)."""
    trained = judged.trained
    return trained.get("dbvae") or trained.get("baseline") or next(iter(trained.values()), None)


def _labelled(dataset: ImageDataset, rows: np.ndarray, names: list[str]) -> ImageDataset:
    """``dataset`` with the discovered-slice column (``unknown`` outside ``rows``)."""
    column = np.full(len(dataset), "unknown", dtype=object)
    column[rows] = names
    meta = dataset.meta.assign(**{DISCOVERED: column})
    return replace(dataset, meta=meta, attributes=[*dataset.attributes, DISCOVERED])


def _by_path(dataset: ImageDataset, parts: list[ImageDataset]) -> ImageDataset:
    """``dataset`` with the discovered-slice column of its splits (``unknown`` elsewhere)."""
    known = {}
    for part in parts:
        known.update(zip(part.meta["path"].astype(str), part.meta[DISCOVERED]))
    column = dataset.meta["path"].astype(str).map(known).fillna("unknown").to_numpy()
    return replace(dataset, meta=dataset.meta.assign(**{DISCOVERED: column}),
                   attributes=[*dataset.attributes, DISCOVERED])


def _gallery(test: ImageDataset, shown: np.ndarray, name: str, w) -> list[dict]:
    """The images ``shown`` of a slice, captioned with the slice, their groups and label."""
    attributes = [a for a in test.attributes if a != DISCOVERED]
    labels = test.labels.numpy()
    captions, alts = [], []
    for i in shown:
        groups = group_values(test.meta.iloc[i], attributes)
        noun = w.positive_one if labels[i] == 1 else w.negative_one
        captions.append(" \u00b7 ".join([name, *([groups] if groups else []), noun]))
        alts.append(f"{noun} of {groups}, in {name}" if groups else f"{noun} in {name}")
    return gallery(test.images[shown], test.meta["path"].iloc[shown].astype(str).tolist(),
                   captions, alts)


def discover_stage(judged: Judged, k: int | None, *, seed: int, gallery_size: int, log
                   ) -> dict | None:
    """Discover slices and add them to ``judged``'s datasets as the column ``discovered slice``.

    Fitted on the training split's images of the sliced population (the audited images when
    there is no training split), then every audited image of that population is assigned.

    Returns
    -------
    dict or None
        ``result["discovered"]``: the attribute name, K, how it was chosen (BIC per K), the
        features, what was fitted, the rule, and per slice its sizes and a gallery of test
        images. None when not wanted or when there are too few images (said in a note).
    """
    if not wanted(k, judged.data):
        return None
    w = words_of(judged.data)
    fit_on = judged.train if judged.train is not None else judged.test
    fit_rows = _population(fit_on, w.faces)
    test_rows = _population(judged.test, w.faces)
    model = _features_model(judged)
    what = w.positives if w.faces else "images"
    try:
        fit_x, kind = slice_features(model, fit_on.images[fit_rows])
        found = discover_slices(fit_x, k=k or None, max_k=MAX_K, min_size=MIN_SIZE, seed=seed,
                                features_kind=kind)
    except ValueError as err:
        judged.notes.append(f"no slices discovered: {err}")
        return None
    test_x, _ = slice_features(model, judged.test.images[test_rows])
    test_labels = found.assign(test_x)
    test_names = found.names(test_labels)
    log(f"  discovered {found.k_} slices of the {what} from {kind}")
    judged.test = _labelled(judged.test, test_rows, test_names)
    parts = [judged.test]
    if judged.train is not None:
        train_names = found.names(found.assign(fit_x))
        judged.train = _labelled(judged.train, fit_rows, train_names)
        parts.append(judged.train)
    judged.data = _by_path(judged.data, parts)
    rng = np.random.default_rng(seed)
    listed = []
    for index in range(found.k_):
        name = f"slice {index + 1}"
        members = test_rows[test_labels == index]
        shown = np.sort(rng.choice(members, size=min(gallery_size, len(members)),
                                   replace=False)) if len(members) else members
        listed.append({"name": name, "train": int(found.sizes_[index]) if judged.train
                       is not None else None, "test": int(len(members)),
                       "images": _gallery(judged.test, shown, name, w)})
    return {"attribute": DISCOVERED, "k": int(found.k_), "chosen": "bic" if found.bic_ else
            "given", "bic": {str(key): float(v) for key, v in found.bic_.items()},
            "features": kind, "population": what,
            "fitted_on": "training split" if judged.train is not None else "audited images",
            "covariance": found.covariance_type_, "dims": int(found.d_),
            "rule": RULE.format(max_k=MAX_K, min_size=MIN_SIZE), "slices": listed}
