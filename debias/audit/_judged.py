"""Stage 2 of an audit: the models to judge and the images to judge them on (external
predictions, a saved checkpoint, or models trained here)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from debias._torchrun import check_batch_split, refuse_under_torchrun, world_size
from debias.audit._config import AuditRun
from debias.audit._counterfactual_stage import probe_values
from debias.audit._predictions import read_predictions
from debias.audit._train_stage import train_augmented, train_models
from debias.audit._words import both_classes_people, words_of
from debias.augment import augmentation_plan, most_imbalanced
from debias.data import ImageDataset, reproduce_split, split_record
from debias.errors import DataError
from debias.groups import group_labels, slice_name, slices
from debias.models import kind_of
from debias.training import check_balance_by, uses_group_labels
from generative import is_main_process


@dataclass
class Judged:
    """What the measuring stages read.

    Attributes
    ----------
    data : the whole dataset
    train : the training split (None when external predictions were read)
    test : the images judged
    scores : model name -> float (N,) scores of ``test``
    trained : model name -> classifier, for the models this audit trained or loaded
    notes : lines for the user (e.g. images without a prediction)
    augmentation : :func:`debias.augment.augment`'s summary when a baseline was augmented
    """

    data: ImageDataset
    train: ImageDataset | None
    test: ImageDataset
    scores: dict[str, np.ndarray]
    trained: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    augmentation: dict | None = None


def check_request(run: AuditRun) -> None:
    """Refuse combinations of options that cannot work, before any work."""
    if run.predictions is not None and run.model is not None:
        raise DataError("give `predictions` or `model_path`, not both")
    if (run.augment or run.counterfactual) and run.predictions is not None:
        raise DataError("`augment` and `counterfactual` need models to train or run; they "
                        "cannot be used with `predictions`")
    if run.augment and run.model is not None:
        raise DataError("`augment` trains an augmented baseline; it cannot be used with "
                        "`model_path`")
    if world_size() > 1:
        for name, given in (("predictions", run.predictions), ("model_path", run.model),
                            ("augment", run.augment), ("counterfactual", run.counterfactual)):
            if given:
                refuse_under_torchrun(f"`{name}`")
        check_batch_split(run.training.batch_size)


def check_references(reference: dict[str, str], data: ImageDataset, max_order: int) -> None:
    """Refuse a ``reference_group`` whose slice or group the dataset does not have, before
    any training."""
    known = {slice_name(c): c for c in slices(list(data.attributes), max_order=max_order)}
    for name, group in reference.items():
        if name not in known:
            raise DataError(f"`reference_group` {name}={group}: {name!r} is not a slice of this "
                            f"dataset (slices: {', '.join(known) or 'none'})")
        faces = data.meta if both_classes_people(data) else data.meta[data.meta["label"] == 1]
        groups = sorted(set(group_labels(faces, known[name])))
        if group not in groups:
            noun = "face" if data.classes[0] == "face" else f"{data.classes[0]} image"
            raise DataError(f"`reference_group` {name}={group}: no {noun} of {name!r} is {group!r} "
                            f"(groups: {', '.join(groups)})")


def judge_models(run: AuditRun, data: ImageDataset, *, stage, log) -> Judged | None:
    """Read, load or train the models and score the test split with each.

    Returns None on ranks other than 0 under torchrun, which only help train.
    """
    check_references(run.metrics.reference, data, run.metrics.max_order)
    if run.predictions is not None:
        stage(2, f"reading predictions {run.predictions} (no training)")
        threshold = run.metrics.threshold if run.explicit_threshold else None
        index, scores, notes = read_predictions(run.predictions, data, threshold=threshold)
        return Judged(data, None, data.subset(index), {"external": scores}, notes=notes)
    augmentation = None
    if run.model is not None:
        stage(2, f"loading {run.model} (no training)")
        model = _load(run.model, data)
        train, test = reproduce_split(data, model.split_, source=str(run.model))
        _check_probes(run, train)
        trained = {kind_of(model): model}
    else:
        seed = run.training.seed
        train, test = data.split(seed=seed)
        split = split_record(data, train, test, seed=seed)
        _check_probes(run, train)
        stage(2, f"training on {len(train):,} images ({int(train.labels.sum()):,} "
                 f"{words_of(data).positives})")
        models_dir = run.models_dir
        trained = train_models(train, settings=run.training, split=split, models_dir=models_dir,
                               methods=run.trained_methods, group_columns=run.group_columns,
                               method_options=run.method_options, log=log)
        if not is_main_process():
            return None  # under torchrun, rank 0 alone measures and writes
        if run.augment:
            trained["augmented"], augmentation = train_augmented(
                train, settings=run.training, augment=run.augment, split=split,
                models_dir=models_dir, log=log)
    scores = {name: model.predict_proba(test.images) for name, model in trained.items()}
    for name, values in scores.items():
        bad = int(np.isnan(np.asarray(values, dtype=np.float64)).sum())
        if bad:  # broken weights (e.g. a diverged run): NaN scores would read as "no face"
            raise DataError(f"the {name} model scored {bad} of {len(values)} test images as "
                            "NaN: its weights are broken, so its scores mean nothing")
    return Judged(data, train, test, scores, trained, augmentation=augmentation)


def _check_methods(run: AuditRun, train: ImageDataset) -> None:
    """Refuse group labels a method cannot use, or a missing or unknown one, before
    training."""
    if not run.trains:
        return
    needing = [m for m in run.trained_methods if uses_group_labels(m)]
    if run.group_columns and not needing:
        raise DataError("`group_columns` are read only by the balanced and dfr methods; none "
                        "of the methods asked for reads group labels")
    for method in needing:
        check_balance_by(train, method, run.group_columns)


def _check_probes(run: AuditRun, train: ImageDataset) -> None:
    """Refuse a bad ``augment`` attribute or ``counterfactual`` now, not after training."""
    _check_methods(run, train)
    w = words_of(train)
    if (run.augment or run.counterfactual) and not w.faces:
        which = "`augment`" if run.augment else "`counterfactual`"
        raise DataError(f"{which} is for face detection (an independent face checker judges "
                        f"the edited or generated images); this dataset's classes are "
                        f"{w.positive!r} and {w.negative!r}")
    if run.augment:
        augmentation_plan(train, run.augment.attribute or most_imbalanced(train),
                          run.augment.method, run.augment.cap)
    if run.counterfactual:
        probe_values(run.counterfactual.spec, train)


def _load(path, data: ImageDataset):
    from debias.training import load_classifier

    model = load_classifier(path)
    if model.config.image_size != data.image_size:
        raise DataError(f"{path} expects {model.config.image_size}px images; pass "
                        f"`image_size={model.config.image_size}`")
    return model
