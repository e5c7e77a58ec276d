"""Stages 3 and 4 of an audit: metrics per model, the latent section, the probes."""

from __future__ import annotations

from dataclasses import replace

from debias.audit._config import AuditRun
from debias.audit._counterfactual_stage import run_counterfactual
from debias.audit._judged import Judged
from debias.audit._words import both_classes_people
from debias.audit._latent_stage import latent_section
from debias.groups import group_labels, slice_name, slices
from debias.metrics import AuditConfig, audit_predictions


def task_metric(data) -> str:
    """The verdict metric a task calls for: the error rate when the attributes describe both
    classes (the Gender Shades measure: both classes are people, and a mistake either way
    harms), else the miss rate (a detector harms people through the positives it misses)."""
    return "error_rate" if both_classes_people(data) else "fnr"


def judging_config(config: AuditConfig, judged: Judged, *, by_task: bool = False
                   ) -> tuple[AuditConfig, dict]:
    """A copy of ``config`` whose references are the user's, else the defaults, and whose
    verdict metric follows the task when ``by_task``; and what the result records of the
    defaults (``default_reference``, and ``reference_ties``: slices whose default was decided
    by the tie rule). The caller's config is untouched."""
    if by_task:
        config = replace(config, verdict_metric=task_metric(judged.data))
    people = both_classes_people(judged.data)
    if people:  # both classes are people: every group is compared
        config = replace(config, compare="all")
    reference_data = judged.train if judged.train is not None else judged.data
    defaults, ties = default_references(reference_data, judged.test, judged.data.attributes,
                                        config.max_order,
                                        positives_only=not people)
    ties = {k: v for k, v in ties.items() if k not in config.reference}
    return (replace(config, reference={**defaults, **config.reference}),
            {"default_reference": defaults, "reference_ties": ties})


def measure(judged: Judged, config: AuditConfig) -> dict:
    """Model name -> :class:`debias.metrics.AuditMetrics` on the test split."""
    labels = judged.test.labels.numpy()
    attrs = judged.test.meta[judged.data.attributes]
    return {name: audit_predictions(labels, scores, attrs, config)
            for name, scores in judged.scores.items()}


def default_references(data, audited, attributes: list[str], max_order: int, *,
                       positives_only: bool = True
                       ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Per slice, of the groups with faces among the ``audited`` images, the one with the most
    faces in ``data`` (the training split when there is one: a balanced test split makes "the
    largest test group" a tie). A tie goes to the group with the most audited faces, then to
    the first name in sorted order; the second dict lists, per slice, the groups that tied on
    training faces. Without ``positives_only`` (tasks whose two classes are both people) every
    image counts, not only the positives."""
    faces = data.meta[data.meta["label"] == 1] if positives_only else data.meta
    audited_faces = audited.meta[audited.meta["label"] == 1] if positives_only else audited.meta
    out, ties = {}, {}
    for columns in slices(attributes, max_order=max_order):
        if not len(audited_faces):
            continue
        tested = group_labels(audited_faces, columns).value_counts()
        trained = group_labels(faces, columns).value_counts() if len(faces) else tested * 0
        ranked = sorted(tested.index, key=lambda g: (-int(trained.get(g, 0)), -int(tested[g]),
                                                     str(g)))
        name = slice_name(columns)
        out[name] = str(ranked[0])
        tied = [str(g) for g in ranked if trained.get(g, 0) == trained.get(ranked[0], 0)]
        if len(tied) > 1:
            ties[name] = tied
    return out, ties


def latent_stage(run: AuditRun, judged: Judged, config: AuditConfig, *, stage) -> dict | None:
    """The DB-VAE's latent section (None without a DB-VAE)."""
    if "dbvae" not in judged.trained:
        stage(4, "latent-density analysis skipped (no DB-VAE)")
        return None
    stage(4, "latent-density analysis of the DB-VAE")
    return latent_section(judged.trained["dbvae"], judged.train, judged.test,
                          judged.scores["dbvae"], attributes=judged.data.attributes,
                          threshold=config.threshold, k=run.gallery_size,
                          seed=run.training.seed)


def probe_stage(run: AuditRun, judged: Judged, config: AuditConfig, *, log):
    """The face checker (when edits or synthetic faces need judging) and the counterfactual
    probe's result (None when not asked for)."""
    if not (run.counterfactual or judged.augmentation):
        return None, None
    from debias.counterfactual import train_face_checker

    log("  training an independent face checker (judges whether edits are still faces)")
    settings = run.training
    checker = train_face_checker(judged.train, seed=settings.seed, device=settings.device)
    if not run.counterfactual:
        return checker, None
    probe = run_counterfactual(run.counterfactual, judged.train, judged.test, judged.trained,
                               checker, threshold=config.threshold, seed=settings.seed,
                               device=settings.device, progress=settings.progress,
                               models_dir=run.models_dir, gallery_size=run.gallery_size,
                               log=log, augmentation=judged.augmentation)
    return checker, probe
