"""Which images an audit result keeps (``--images``), on the result as plain data: no torch,
so ``debias report --images`` re-renders without loading the models' libraries.

Every image a result holds is of one of three kinds:

- ``dataset``: an image of the dataset as it is (misclassified images, the rarest and most
  typical faces, the discovered slices' images, the originals of CycleGAN counterfactuals);
- ``edit``: a generator's edit of one dataset image, which still shows that image's person
  (augmentation samples made by a CycleGAN from real training faces, counterfactual edits,
  and the DB-VAE reconstructions that latent-direction edits start from);
- ``generated``: made by a generator from no single image (samples of the GAN of
  ``--augment gan``, drawn from noise; DB-VAE latent traversals, decoded from the mean code
  of all analysed faces).

Policies: ``all`` keeps every image, ``synthetic`` only the ``generated`` ones, ``none`` none.
A gallery the policy empties keeps its count of images as ``<key>_withheld`` beside it, and
``result["images"]`` records the policy and the counts. No number of the result depends on
the policy: it only empties galleries, after everything was measured.
"""

from __future__ import annotations

from typing import Iterator, Literal

ImagePolicy = Literal["all", "none", "synthetic"]
Captions = Literal["groups", "paths"]
POLICIES: tuple[str, ...] = ("all", "synthetic", "none")  # from the most images to none
CAPTIONS: tuple[str, ...] = ("groups", "paths")
DATASET, EDIT, GENERATED = "dataset", "edit", "generated"
_KEEPS = {"all": {DATASET, EDIT, GENERATED}, "synthetic": {GENERATED}, "none": set()}


def keeps(policy: ImagePolicy | None, kind: str) -> bool:
    """Whether ``policy`` (None: ``all``) keeps images of ``kind``."""
    return kind in _KEEPS[policy or "all"]


def augmentation_kind(method: str | None) -> str:
    """The kind of an augmentation's samples: a GAN's are ``generated``, a CycleGAN's ``edit``."""
    return GENERATED if method == "gan" else EDIT


def _galleries(result: dict) -> Iterator[tuple[dict, str, str, int]]:
    """(container, key, kind, images per item) of every gallery: ``container[key]`` is a list
    of images (a counterfactual pair is two)."""
    for model in (result.get("models") or {}).values():
        for group in model.get("misclassified") or []:
            yield group, "images", DATASET, 1
    latent = result.get("latent") or {}
    if latent:
        yield latent, "rarest", DATASET, 1
        yield latent, "most_typical", DATASET, 1
    for strip in latent.get("traversals") or []:
        yield strip, "images", GENERATED, 1
    for found in (result.get("discovered") or {}).get("slices") or []:
        yield found, "images", DATASET, 1
    for direction in (result.get("counterfactual") or {}).get("directions") or []:
        yield direction, "pairs", EDIT, 2  # an original (or reconstruction) and its edit
    augmentation = result.get("augmentation")
    if augmentation:
        yield augmentation, "samples", augmentation_kind(augmentation.get("method")), 1


def apply_image_policy(result: dict, policy: ImagePolicy | None = None, *,
                       captions: Captions | None = None) -> dict:
    """Empty, in place, every gallery of ``result`` whose kind ``policy`` does not keep, and
    record in ``result["images"]`` what it holds now.

    A policy never brings images back: a result whose images were withheld keeps them
    withheld (its recorded policy is the stricter of the two). ``policy`` None keeps the
    recorded one (``all`` when none is recorded); ``captions`` None keeps the recorded choice
    (``groups``).

    Returns
    -------
    dict
        ``result["images"]``: ``policy``, ``captions``, ``shown`` (images the result holds;
        a pair counts two), ``of_dataset`` (of those, dataset images and edits of one),
        ``withheld`` (images left out, this time and before), and what the audit recorded
        (``default``: the policy was not chosen; ``benchmark``: the dataset is the synthetic
        benchmark).
    """
    record = dict(result.get("images") or {})
    before = record.get("policy", "all")
    if policy is not None:
        policy = max(policy, before, key=POLICIES.index)
        if policy != before:
            record["default"] = False
    else:
        policy = before
    shown = of_dataset = withheld = 0
    for container, key, kind, per in _galleries(result):
        n = per * len(container.get(key) or [])
        if kind in _KEEPS[policy]:
            shown += n
            of_dataset += n if kind != GENERATED else 0
        elif n:
            container[key] = []
            container[f"{key}_withheld"] = int(container.get(f"{key}_withheld") or 0) + n
            withheld += n
    record.update(policy=policy, captions=captions or record.get("captions", "groups"),
                  shown=shown, of_dataset=of_dataset,
                  withheld=int(record.get("withheld") or 0) + withheld)
    result["images"] = record
    return record


def images_note(result: dict) -> str | None:
    """The line that tells a user the report shows their dataset's images: when the policy
    was not chosen, the dataset is not the synthetic benchmark, and images of it are shown."""
    record = result.get("images") or {}
    n = record.get("of_dataset") or 0
    if not record.get("default") or record.get("benchmark") or not n:
        return None
    return (f"The report embeds {n} image{'' if n == 1 else 's'} of the dataset; pass "
            "--images none to leave them out")
