"""The counterfactual probe over a dataset: CycleGAN edits of one attribute value into another
(both directions), scored by each model, with the edits themselves checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from debias.counterfactual._latent_direction import attribute_direction, latent_counterfactuals
from debias.counterfactual._probe import probe, train_attribute_classifier
from debias.data import ImageDataset
from debias.errors import DataError


def colour_stats(images: torch.Tensor) -> dict:
    """Mean RGB (0..1) of the central quarter of the images, where the face is."""
    s = images.shape[-1]
    centre = images[:, :, s // 4: 3 * s // 4, s // 4: 3 * s // 4].float() / 255
    return {"mean_rgb": [round(float(v), 4) for v in centre.mean(dim=(0, 2, 3))],
            "brightness": round(float(centre.mean()), 4)}


def check_values(train: ImageDataset, attribute: str, source: str, target: str) -> None:
    """Refuse an unknown attribute, equal values, or a value without training faces."""
    if attribute not in train.attributes:
        raise DataError(f"attribute {attribute!r} not in the dataset (attributes: "
                        f"{', '.join(train.attributes) or 'none'})")
    if source == target:
        raise DataError(f"--from and --to are both {source!r}")
    values = train.meta.loc[(train.labels == 1).numpy(), attribute].astype(str).to_numpy()
    for value in (source, target):
        if not (values == value).any():
            raise DataError(f"{attribute}={value!r} has no training faces (values: "
                            f"{', '.join(sorted(set(values)))})")


def train_cyclegan(train: ImageDataset, attribute: str, source: str, target: str, *,
                   epochs: int, seed: int, checkpoint: Path, device: str = "auto"):
    """A CycleGAN between the training faces with ``attribute`` = source and = target."""
    from generative import CycleGAN, CycleGANConfig, TrainerConfig, UnpairedBatches
    from generative import train as train_model

    faces = train.subset((train.labels == 1).numpy())
    value = faces.meta[attribute].astype(str).to_numpy()
    a, b = faces.images[torch.from_numpy(value == source)], faces.images[torch.from_numpy(value == target)]
    torch.manual_seed(seed)
    model = CycleGAN(CycleGANConfig(image_size=train.image_size, width=16, n_blocks=4))
    train_model(model, UnpairedBatches(a, b, batch_size=4),
                TrainerConfig(epochs=epochs, seed=seed, device=device, checkpoint=str(checkpoint),
                              decay_start_epoch=epochs // 2,
                              checkpoint_extra={"attribute": attribute, "domain_a": source,
                                                "domain_b": target}))
    return model.cpu().eval()


def run_probe(train: ImageDataset, test: ImageDataset, models: dict, cyclegan, *, attribute: str,
              source: str, target: str, threshold: float = 0.5, seed: int = 0,
              attribute_epochs: int = 5, max_images: int = 500) -> dict:
    """Both directions (source -> target with a2b, target -> source with b2a) on test faces,
    plus the DB-VAE latent-direction edit when a DB-VAE is among ``models``.

    Returns
    -------
    dict
        ``directions``: one entry per edit kind and direction with the :func:`probe` output,
        colour statistics of originals and edits, and ``pairs`` (originals, edits) tensors
        for a gallery (removed before writing JSON).
    """
    check_values(train, attribute, source, target)
    faces_train = train.subset((train.labels == 1).numpy())
    values = faces_train.meta[attribute].astype(str).to_numpy()
    keep = (values == source) | (values == target)
    checker_images = faces_train.images[torch.from_numpy(keep)]
    is_target = values[keep] == target
    checker = train_attribute_classifier(checker_images, is_target, epochs=attribute_epochs, seed=seed)
    face_model = models.get("baseline") or next(iter(models.values()))

    test_faces = test.subset((test.labels == 1).numpy())
    test_values = test_faces.meta[attribute].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    directions = []
    for src, dst, way in ((source, target, "a2b"), (target, source, "b2a")):
        index = np.flatnonzero(test_values == src)
        index = np.sort(rng.permutation(index)[:max_images])
        if len(index) == 0:
            continue
        originals = test_faces.images[torch.from_numpy(index)]
        with torch.no_grad():
            edited = torch.cat([(cyclegan.translate(chunk.float() / 255, way) * 255 + 0.5)
                                .clamp(0, 255).to(torch.uint8) for chunk in originals.split(64)])
        # The checker says "target value" for dst == target; flip its reading for b2a.
        check = checker if dst == target else _Inverted(checker)
        result = probe(models, originals, edited, attribute_model=check, face_model=face_model,
                       threshold=threshold)
        directions.append({"edit": "cyclegan", "from": src, "to": dst, **result,
                           "colour_original": colour_stats(originals),
                           "colour_edited": colour_stats(edited), "pairs": (originals, edited)})
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
            directions.append({"edit": "dbvae latent direction", "from": src, "to": dst,
                               "distance": gap, **result, "colour_original": colour_stats(recon),
                               "colour_edited": colour_stats(moved), "pairs": (recon, moved)})
    return {"attribute": attribute, "source": source, "target": target, "directions": directions}


class _Inverted:
    """A checker read the other way round (probability of the other value)."""

    def __init__(self, model) -> None:
        self.model = model

    def predict_proba(self, images):
        return 1 - self.model.predict_proba(images)
