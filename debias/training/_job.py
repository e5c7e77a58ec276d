"""What ``debias train`` does, as one function the audit's training stages call too:
(optionally) add synthetic faces, fit, write the logs, and put the checkpoint in place."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from debias._atomic import write_csv
from debias._choices import GROUP_LABEL_METHODS, Method
from debias.data import ImageDataset
from debias.errors import DataError
from debias.models import ScoresImages
from debias.training._fit import fit
from debias.training._methods import train_method, uses_group_labels
from debias.training._settings import AugmentSettings, TrainingSettings
from debias.training._state import load_classifier
from generative import is_main_process, load_checkpoint

# Methods trained in stages (a first model, then a second or a refitted last layer): their
# checkpoint is written once they are finished, never continued halfway.
STAGED = ("jtt", "afr", "dfr")


@dataclass
class TrainedClassifier:
    """A fitted classifier and, when it was trained on an augmented split, the summary of
    :func:`debias.augment.augment` (``synthetic`` holds the synthetic rows)."""

    model: ScoresImages
    augmentation: dict | None = None


def _quiet(message: str) -> None:
    pass


def train_classifier(train_set: ImageDataset, *, kind: Method, settings: TrainingSettings,
                     checkpoint: Path, split: dict, balance_by: list[str] | None = None,
                     method_options: dict | None = None,
                     augment: AugmentSettings | None = None,
                     generators_dir: Path | None = None, resume: bool = False,
                     resume_key: dict | None = None, logs_dir: Path | None = None,
                     extra: dict | None = None,
                     log: Callable[[str], None] = _quiet) -> TrainedClassifier:
    """Train one classifier on a training split and save it to ``checkpoint``.

    Parameters
    ----------
    train_set : ImageDataset
        The training split (real images only; synthetic ones are added here when asked).
    kind : {"baseline", "dbvae", "jtt", "afr", "feature_rarity", "dfr", "balanced"}
        The method (:func:`debias.training.train_method`); ``dfr`` and ``balanced`` use the
        groups of ``balance_by``. JTT, AFR and DFR train in stages and are checkpointed once
        finished: an interrupted run trains them again, a finished one is loaded.
    settings : TrainingSettings
    checkpoint : Path
        Where the model goes. Without ``resume``, training writes a hidden partial file
        beside it, and an existing ``checkpoint`` is replaced only once training succeeded.
        With ``resume``, the checkpoint is written every epoch and an earlier one with the
        same ``resume_key`` is continued (one with another key is refused).
    split : dict
        How the split was drawn (:func:`debias.data.split_record`), stored in the checkpoint
        so every later reader uses the same test images.
    balance_by : list of str, optional
        Baseline (and ``balanced``): draw faces so every group of these attributes is equally
        likely; ``dfr``: the groups its last layer is balanced over.
    method_options : dict, optional
        The method's own hyperparameters (e.g. ``upweight`` for JTT).
    augment : AugmentSettings, optional
        Add synthetic faces of the rarer values of an attribute first; generator checkpoints
        go to ``generators_dir``. Steps per epoch stay those of the real faces.
    logs_dir : Path, optional
        Write ``training_log.csv`` (one row per step) and, when faces were reweighted,
        ``resampling.csv`` (one row per epoch) there.
    extra : dict, optional
        More plain data for the checkpoint.
    log : callable
        Receives progress lines.
    """
    check_balance_by(train_set, kind, balance_by)
    # Steps per epoch are those of the real training faces, with or without augmentation.
    steps = max(1, int(train_set.labels.sum()) // (settings.batch_size // 2))
    staged = kind in STAGED
    if resume:
        check_resumable(checkpoint, resume_key, log=log)
        if staged and checkpoint.exists():  # written only once finished
            return TrainedClassifier(load_classifier(checkpoint), None)
    target = checkpoint if resume and not staged else \
        checkpoint.with_name(f".{checkpoint.name}.partial")
    summary = None
    if augment is not None:
        train_set, summary = _augmented(train_set, augment, settings, generators_dir, log)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    stored = {**(extra or {}), "split": split, "resume_key": resume_key,
              **({"augment": {k: v for k, v in summary.items() if k != "synthetic"}}
                 if summary else {})}
    if kind in ("baseline", "dbvae"):
        model = fit(train_set, settings, model=kind, steps_per_epoch=steps,
                    balance_by=balance_by, checkpoint=str(target), checkpoint_extra=stored,
                    resume=resume and not staged)
    else:
        groups = balance_by if uses_group_labels(kind) else None
        model = train_method(train_set, settings, method=kind, group_columns=groups,
                             steps_per_epoch=steps, checkpoint=str(target),
                             checkpoint_extra=stored, **(method_options or {}))
    if is_main_process():
        if logs_dir is not None:
            write_training_logs(model, logs_dir,
                                reweighted=kind != "baseline" or bool(balance_by))
        if target != checkpoint:
            os.replace(target, checkpoint)  # the previous checkpoint stays until this succeeded
    return TrainedClassifier(model, summary)


def check_balance_by(train_set: ImageDataset, kind: Method,
                     balance_by: list[str] | None) -> None:
    """Refuse group labels for a method that does without them, none for one that needs
    them, or an attribute the data does not have."""
    if balance_by and kind not in ("baseline", *GROUP_LABEL_METHODS):
        raise DataError(f"`balance_by` is for `kind=baseline`, balanced and dfr; {kind} is "
                        "label-free (it does not read group labels)")
    if not balance_by and kind in GROUP_LABEL_METHODS:
        raise DataError(f"{kind} uses group labels: pass `balance_by` with the attributes "
                        "whose groups it balances")
    missing = [a for a in balance_by or [] if a not in train_set.attributes]
    if missing:
        raise DataError(f"`balance_by` {missing[0]!r}: not an attribute of the dataset "
                        f"(attributes: {', '.join(train_set.attributes) or 'none'})")


def _augmented(train_set, augment: AugmentSettings, settings: TrainingSettings,
               generators_dir: Path | None, log) -> tuple[ImageDataset, dict]:
    from debias.augment import augment as add_synthetic
    from debias.augment import most_imbalanced

    attribute = augment.attribute or most_imbalanced(train_set)
    return add_synthetic(train_set, attribute=attribute, method=augment.method, cap=augment.cap,
                         epochs=augment.generator_epochs, seed=settings.seed,
                         models_dir=generators_dir, device=settings.device,
                         progress=settings.progress, log=log)


def check_resumable(path: Path, key: dict | None, *, log) -> None:
    """Refuse a checkpoint trained with other settings or data; say when one is continued."""
    if path.exists():
        saved = load_checkpoint(path)["extra"].get("resume_key")
        if saved != key:
            raise DataError(f"{path} was trained with other settings or data; pass "
                            "`overwrite=True` to retrain, or use another `out`")
        log(f"  {path.stem}: continuing from {path}")


def write_training_logs(model: ScoresImages, folder: Path, *, reweighted: bool) -> None:
    """``training_log.csv`` (one row per step) and, for reweighted training,
    ``resampling.csv`` (one row per epoch; mean weights by group as ``weight[group]``, and
    for non-faces resampled too (``vae_on="all"``) as ``negative_weight[group]``)."""
    write_csv(pd.DataFrame(model.history_), folder / "training_log.csv")
    if reweighted:
        rows = []
        for record in model.resampling_:
            row = {k: v for k, v in record.items()
                   if k not in ("group_weight", "negative_group_weight")}
            row.update({f"weight[{g}]": w for g, w in record.get("group_weight", {}).items()})
            row.update({f"negative_weight[{g}]": w
                        for g, w in record.get("negative_group_weight", {}).items()})
            rows.append(row)
        write_csv(pd.DataFrame(rows), folder / "resampling.csv")
