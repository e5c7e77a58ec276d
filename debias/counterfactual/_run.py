"""The counterfactual probe over a dataset: CycleGAN edits of one attribute value into another
(both directions), scored by each model, with the edits themselves checked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from debias.counterfactual._checkers import (
    accuracy, train_attribute_classifier, train_face_checker,
)
from debias.counterfactual._latent_direction import attribute_direction, latent_counterfactuals
from debias.counterfactual._probe import probe
from debias.data import ImageDataset, colour_stats
from debias.errors import DataError
from generative import to_float, to_uint8


def check_values(train: ImageDataset, attribute: str, source: str, target: str) -> None:
    """Refuse an unknown attribute, equal values, or a value without training faces."""
    if attribute not in train.attributes:
        raise DataError(f"attribute {attribute!r} not in the dataset (attributes: "
                        f"{', '.join(train.attributes) or 'none'})")
    if source == target:
        raise DataError(f"the two values to edit between are both {source!r}")
    values = train.meta.loc[(train.labels == 1).numpy(), attribute].astype(str).to_numpy()
    for value in (source, target):
        if not (values == value).any():
            raise DataError(f"{attribute}={value!r} has no training faces (values: "
                            f"{', '.join(sorted(set(values)))})")


@dataclass
class DirectionExamples:
    """The images of one probed direction, for galleries.

    originals, edited : uint8 (N, 3, S, S)
    scores : model name -> (original scores, edited scores), float (N,) each
    paths : the originals' paths
    """

    originals: torch.Tensor
    edited: torch.Tensor
    scores: dict
    paths: list[str]


@dataclass
class ProbeResult:
    """What :func:`run_probe` measured (``summary``) and the images behind it."""

    summary: dict
    examples: list[DirectionExamples]


def run_probe(train: ImageDataset, test: ImageDataset, models: dict, cyclegan, *, attribute: str,
              source: str, target: str, threshold: float = 0.5, seed: int = 0,
              attribute_epochs: int = 5, max_images: int = 500, face_checker=None) -> dict:
    """Both directions (source -> target with a2b, target -> source with b2a) on test faces,
    plus the DB-VAE latent-direction edit when a DB-VAE is among ``models``.

    The edits are judged by an attribute classifier trained on the real training faces of
    the two values and by ``face_checker`` (default: a face classifier trained here with its
    own seed); both are scored on the real test images too (``checkers``).

    Returns
    -------
    ProbeResult
        ``summary`` (plain data, JSON-ready): ``checkers`` (accuracy of each judge on real
        test images), ``real_face_rate``, and ``directions``: one entry per edit kind and
        direction with the :func:`probe` output and colour statistics of originals and
        edits. ``examples``: the images behind each direction, in the same order.
    """
    check_values(train, attribute, source, target)
    real = train.subset(~train.synthetic)
    faces_train = real.subset((real.labels == 1).numpy())
    values = faces_train.meta[attribute].astype(str).to_numpy()
    keep = (values == source) | (values == target)
    checker_images = faces_train.images[torch.from_numpy(keep)]
    is_target = values[keep] == target
    checker = train_attribute_classifier(checker_images, is_target, epochs=attribute_epochs, seed=seed)
    face_model = face_checker if face_checker is not None else train_face_checker(real, seed=seed)

    test_faces = test.subset((test.labels == 1).numpy())
    test_values = test_faces.meta[attribute].astype(str).to_numpy()
    both = (test_values == source) | (test_values == target)
    checkers = {
        "attribute": {"description": f"CNN trained on the real training faces to tell "
                                     f"{attribute}={target} from {attribute}={source}",
                      "test_accuracy": accuracy(checker, test_faces.images[torch.from_numpy(both)],
                                                test_values[both] == target),
                      "test_images": int(both.sum())},
        "face": {"description": "face classifier trained on the real training images with its "
                                "own seed (not one of the probed models)",
                 "test_accuracy": accuracy(face_model, test.images, test.labels.numpy()),
                 "test_images": len(test)}}
    # How often the face checker calls real faces of each value a face: the yardstick for
    # "still a face" (a biased checker under-calls the rarer value's real faces too).
    real_face_rate = {v: accuracy(face_model, test_faces.images[torch.from_numpy(test_values == v)],
                                  np.ones(int((test_values == v).sum()), bool))
                      for v in (source, target)}
    rng = np.random.default_rng(seed)
    directions, examples = [], []
    for src, dst, way in ((source, target, "a2b"), (target, source, "b2a")):
        index = np.flatnonzero(test_values == src)
        index = np.sort(rng.permutation(index)[:max_images])
        if len(index) == 0:
            continue
        originals = test_faces.images[torch.from_numpy(index)]
        with torch.no_grad():
            edited = torch.cat([to_uint8(cyclegan.translate(to_float(chunk), way))
                                for chunk in originals.split(64)])
        # The checker says "target value" for dst == target; flip its reading for b2a.
        check = checker if dst == target else _Inverted(checker)
        result = probe(models, originals, edited, attribute_model=check, face_model=face_model,
                       threshold=threshold)
        examples.append(DirectionExamples(
            originals, edited, result.pop("scores"),
            test_faces.meta["path"].iloc[index].astype(str).tolist()))
        directions.append({"edit": "cyclegan", "from": src, "to": dst, **result,
                           "colour_original": colour_stats(originals),
                           "colour_edited": colour_stats(edited)})
    dbvae = models.get("dbvae")
    if dbvae is not None:
        mu = dbvae.latent_means(checker_images).numpy()
        direction, gap = attribute_direction(mu, is_target)
        for src, dst, sign in ((source, target, 1.0), (target, source, -1.0)):
            index = np.flatnonzero(test_values == src)[:max_images]
            if len(index) == 0:
                continue
            recon, moved = latent_counterfactuals(dbvae, test_faces.images[torch.from_numpy(index)],
                                                  direction, sign * gap)
            check = checker if dst == target else _Inverted(checker)
            result = probe(models, recon, moved, attribute_model=check, face_model=face_model,
                           threshold=threshold)
            examples.append(DirectionExamples(
                recon, moved, result.pop("scores"),
                test_faces.meta["path"].iloc[index].astype(str).tolist()))
            directions.append({"edit": "dbvae latent direction", "from": src, "to": dst,
                               "distance": gap, **result, "colour_original": colour_stats(recon),
                               "colour_edited": colour_stats(moved)})
    summary = {"attribute": attribute, "source": source, "target": target,
               "threshold": threshold, "checkers": checkers, "real_face_rate": real_face_rate,
               "directions": directions}
    return ProbeResult(summary, examples)


class _Inverted:
    """A checker read the other way round (probability of the other value)."""

    def __init__(self, model) -> None:
        self.model = model

    def predict_proba(self, images):
        return 1 - self.model.predict_proba(images)
