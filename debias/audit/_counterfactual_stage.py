"""The audit's counterfactual probe: edit test faces from one value of an attribute to another
with a CycleGAN (and the DB-VAE's latent direction), count decision flips, judge the edits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from debias._atomic import safe_name
from debias.audit._config import CounterfactualSettings
from debias.audit._images import group_values, png_base64
from debias.augment import face_values, train_cyclegan
from debias.counterfactual import check_values, run_probe
from debias.data import ImageDataset
from debias.errors import DataError
from debias.groups import DISCOVERED


def probe_values(spec: str, train: ImageDataset) -> tuple[str, str, str]:
    """``ATTR`` or ``ATTR=FROM:TO`` -> (attribute, from, to). Without values: from the most
    common value among the training faces to the least common."""
    attribute, _, values = spec.partition("=")
    attribute = attribute.strip()
    if attribute not in train.attributes:
        raise DataError(f"`counterfactual` {attribute!r}: not an attribute of the dataset "
                        f"(attributes: {', '.join(train.attributes) or 'none'})")
    if values:
        source, sep, target = values.partition(":")
        if not sep or not source or not target:
            raise DataError(f"`counterfactual` {spec!r}: write ATTR or ATTR=FROM:TO")
    else:
        found, counts = np.unique(face_values(train, attribute), return_counts=True)
        if len(found) < 2:
            raise DataError(f"`counterfactual` {attribute}: the training faces have "
                            f"{len(found)} value(s); need two to edit one into the other")
        order = np.argsort(-counts, kind="stable")
        source, target = str(found[order[0]]), str(found[order[-1]])
    check_values(train, attribute, source, target)
    return attribute, source, target


def run_counterfactual(settings: CounterfactualSettings, train: ImageDataset,
                       test: ImageDataset, models: dict, face_checker, *, threshold: float,
                       seed: int, device: str, progress: bool | None, models_dir: Path,
                       gallery_size: int, log, augmentation: dict | None = None) -> dict:
    """Train (or reuse) the CycleGAN, probe every model, and return the result.json object.

    ``augmentation``: the summary of :func:`debias.augment.augment` when the audit also
    trained an augmented baseline; a CycleGAN it trained for the same pair is reused.
    """
    attribute, source, target = probe_values(settings.spec, train)
    epochs = settings.generator_epochs
    path = (models_dir / f"cyclegan_{safe_name(attribute)}_{safe_name(source)}_"
            f"{safe_name(target)}.pt")
    path.parent.mkdir(parents=True, exist_ok=True)
    shared = next((g for g in (augmentation or {}).get("generators", [])
                   if g.get("checkpoint") == str(path)), None)
    log(f"  counterfactual probe {attribute}: {source} <-> {target} (CycleGAN, "
        f"{epochs} epochs" + (", the augmentation's)" if shared else ")"))
    cyclegan = train_cyclegan(train, attribute, source, target, epochs=epochs, seed=seed,
                              checkpoint=path, device=device, progress=progress)
    seconds = shared["train_seconds"] if shared else round(float(cyclegan.train_seconds_), 1)
    probed = run_probe(train, test, models, cyclegan, attribute=attribute, source=source,
                       target=target, threshold=threshold, seed=seed,
                       max_images=settings.images, face_checker=face_checker)
    result = probed.summary
    attributes = [a for a in test.attributes if a != DISCOVERED]
    position = {p: i for i, p in enumerate(test.meta["path"].astype(str))}

    def groups(path: str) -> str:
        return group_values(test.meta.iloc[position[path]], attributes) \
            if path in position else ""

    directions = [_direction(d, e, gallery_size // 2, groups, attribute)
                  for d, e in zip(result["directions"], probed.examples)]
    return {"attribute": attribute, "source": source, "target": target,
            "threshold": threshold,
            "generator": {"kind": "cyclegan", "epochs": epochs,
                          "train_seconds": seconds, "checkpoint": str(path),
                          "shared_with_augmentation": shared is not None},
            "checkers": result["checkers"], "directions": directions,
            "caveats": caveats(directions, result["real_face_rate"])
            + ([f"The augmented baseline was trained on this CycleGAN's own {target} edits, so it "
                f"has seen this generator's artefacts: its flip rates for {source} → {target} are "
                f"not comparable with the other models'."] if shared else [])}


def _direction(d: dict, examples, n_pairs: int, groups, attribute: str) -> dict:
    """The direction's result with a few pairs: images, caption (the original's groups, from
    ``groups(path)``, never its path), alt texts, the path, and each model's scores."""
    pairs = []
    for i in range(min(n_pairs, len(examples.originals))):
        pair_scores = {name: [round(float(a[i]), 4), round(float(b[i]), 4)]
                       for name, (a, b) in examples.scores.items()}
        shown = groups(examples.paths[i])
        face = f"face of {shown}" if shown else "face"
        original = (f"DB-VAE reconstruction of a {face}" if d["edit"] != "cyclegan" else
                    f"{face} (original)")
        pairs.append({"original": png_base64(examples.originals[i]),
                      "edited": png_base64(examples.edited[i]),
                      "caption": shown or "face", "path": examples.paths[i],
                      "alt": {"original": original,
                              "edited": f"the same face edited to {attribute}={d['to']}"},
                      "scores": pair_scores})
    first = next(iter(d["models"].values()))
    return {**d, "n": first["n"], "pairs": pairs}


def caveats(directions: list[dict], real_face_rate: dict) -> list[str]:
    """Sentences with what the edits did besides the attribute, measured."""
    lines = []
    for d in directions:
        before, after = d["colour_original"], d["colour_edited"]
        rgb = lambda c: "/".join(f"{v:.2f}" for v in c["mean_rgb"])  # noqa: E731
        line = (f"{_edit_name(d['edit'])} {d['from']} → {d['to']}: face-region brightness "
                f"{before['brightness']:.2f} → {after['brightness']:.2f} (mean R/G/B "
                f"{rgb(before)} → {rgb(after)})")
        if d["attribute_score_change"] is not None:
            line += (f"; the attribute classifier's P({d['to']}) changed by "
                     f"{d['attribute_score_change']:+.2f} on average and calls "
                     f"{100 * d['edit_success']:.0f}% of edits {d['to']} "
                     f"(originals {100 * d['source_called_target']:.0f}%)")
        if d["target_preserved"] is not None:
            reference = real_face_rate.get(d["to"])
            line += (f"; {100 * d['target_preserved']:.0f}% of edits are still faces to the "
                     f"face checker (originals {100 * d['originals_preserved']:.0f}%"
                     + (f", real {d['to']} test faces {100 * reference:.0f}%" if reference is not None
                        else "") + ")")
        lines.append(line + ".")
    weak = [d for d in directions if d["edit_success"] is not None
            and (d["edit_success"] < 0.5 or (d["target_preserved"] or 0) < 0.8)]
    for d in weak:
        lines.append(f"{_edit_name(d['edit'])} {d['from']} → {d['to']}: the edit is weak or damages the face "
                     f"(edit success {d['edit_success']:.2f}, still a face "
                     f"{d['target_preserved']:.2f}); its flips mix the attribute change with "
                     f"image damage and do not measure dependence on {d['to']} alone.")
    return lines


def _edit_name(edit: str) -> str:
    return {"cyclegan": "CycleGAN", "dbvae latent direction": "DB-VAE latent direction"}.get(
        edit, edit)
