"""Stage 5 of an audit: everything measured, as the result.json dict (and its tables)."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np

from debias._image_policy import apply_image_policy
from debias.audit._augment_stage import augmentation_section
from debias.audit._advice import advice
from debias.audit._compare import compare_models
from debias.audit._findings import limitations, summarise
from debias.audit._gates import audit_gates, suppress_verdicts
from debias.audit._config import AuditRun
from debias.audit._judged import Judged
from debias.audit._latent_stage import misclassified
from debias.audit._result import (
    base_result, config_dict, metrics_section, metrics_tables, scores_table,
)
from debias.audit._words import both_classes_people, classes_of, words_of
from debias.audit._train_stage import fingerprint, training_section
from debias.metrics import AuditConfig
from debias.synth import is_benchmark
from debias.verdicts import MODELS, plain_text

_LABELS = {"baseline": "Baseline CNN", "dbvae": "DB-VAE", "external": "External model",
           "jtt": "JTT", "afr": "AFR", "feature_rarity": "Feature rarity",
           "dfr": "DFR (group labels)", "balanced": "Group-balanced (group labels)"}
# How a compared model is named in the comparison sentences.
_COMPARED = {"dbvae": "DB-VAE", "augmented": "Augmented baseline", "jtt": "JTT", "afr": "AFR",
             "feature_rarity": "Feature rarity", "dfr": "DFR", "balanced": "Group-balanced"}
_METHODS = {"cyclegan": "CycleGAN", "gan": "GAN"}


def assemble_result(run: AuditRun, judged: Judged, metrics: dict, config: AuditConfig,
                    defaults: dict, *, latent: dict | None, counterfactual: dict | None,
                    face_checker, discovered: dict | None = None) -> dict:
    """The result dict: dataset, settings, one section per model, comparisons and conclusions,
    the optional latent / counterfactual / augmentation / discovered-slices sections, and
    ``images``: the galleries that ``run.images`` does not keep are emptied (their counts
    kept), so result.json never holds them; no number depends on the policy."""
    result = base_result(dataset=_dataset(judged), config=_config(run, config, defaults))
    result["tool"].update(python=platform.python_version(), torch=version("torch"),
                          fairlearn=version("fairlearn"), plotly=version("plotly"))
    result["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    gates = audit_gates(judged, metrics, config, MODELS)  # "the baseline model", ...
    if gates:
        suppress_verdicts(metrics)
    for name, m in metrics.items():
        result["models"][name] = _model_section(run, judged, name, m, config)
    labels = judged.test.labels.numpy()
    attrs = judged.test.meta[judged.data.attributes]
    comparisons = {other: compare_models(labels, judged.scores, attrs, config, other=other,
                                         label=_COMPARED.get(other, other), metrics=metrics)
                   for other in judged.scores if other not in ("baseline", "external")}
    comparisons = {k: v for k, v in comparisons.items() if v}
    for key, value in (("comparison", comparisons.get("dbvae")), ("latent", latent),
                       ("counterfactual", counterfactual)):
        if value:
            result[key] = value
    others = {k: v for k, v in comparisons.items() if k not in ("dbvae", "augmented")}
    if others:
        result["comparisons"] = others
    if judged.augmentation:
        result["augmentation"] = augmentation_section(
            judged.augmentation, judged.train, face_checker, seed=run.training.seed,
            comparison=comparisons.get("augmented"))
    classes = result["classes"] = classes_of(judged.data)
    positives = words_of(judged.data).positives
    summary = summarise(metrics, comparisons, gates, audited=len(labels),
                        faces=int(labels.sum()), metric=config.verdict_metric,
                        level=config.level,
                        labels=_COMPARED,
                        classes=classes)
    plain = advice(metrics, summary, train=judged.train, metric=config.verdict_metric,
                   tolerance=config.tolerance, min_count=config.min_count, n_boot=config.n_boot,
                   positives=positives, positives_only=not both_classes_people(judged.data))
    summary["plain"] = {**plain_text(plain, classes), "items": plain}
    result["summary"] = summary
    result["limitations"] = limitations(metrics, n_boot=config.n_boot,
                                        trained=bool(judged.trained) and run.trains,
                                        positives=positives)
    if discovered:
        result["discovered"] = discovered
    result["images"] = {"default": run.images is None,
                        "benchmark": is_benchmark(judged.data.root)}
    apply_image_policy(result, run.images or "all", captions=run.captions)
    return result


def result_tables(metrics: dict, judged: Judged | None = None, threshold: float = 0.5
                  ) -> dict:
    """``<model>_per_group``, ``_disparities``, ``_verdicts``, ``_threshold_sweep`` frames, and
    with ``judged`` ``<model>_scores``: each model's score of every judged image
    (:func:`debias.audit._result.scores_table`; ``threshold`` makes the predictions)."""
    tables = {}
    for name, m in metrics.items():
        tables.update(metrics_tables(f"{name}_", m))
    if judged is not None:
        test = judged.test
        for name, scores in judged.scores.items():
            tables[f"{name}_scores"] = scores_table(
                test.meta["path"], test.labels.numpy(), scores,
                test.meta[list(judged.data.attributes)], threshold=threshold)
    return tables


def _dataset(judged: Judged) -> dict:
    data = judged.data
    out = {"root": str(data.root), "format": data.format, "images": len(data),
           "audited": len(judged.test), "attributes": list(data.attributes),
           "fingerprint": fingerprint(data), "summary": data.summary()}
    if judged.train is not None:
        out["split"] = {"train": len(judged.train), "test": len(judged.test)}
    return out


def _config(run: AuditRun, config: AuditConfig, defaults: dict) -> dict:
    return {**config_dict(config), "reference": dict(run.metrics.reference), **defaults,
            "group_intervals": "jeffreys",
            **({"training": run.training_dict()} if run.trains else {})}


def _model_section(run: AuditRun, judged: Judged, name: str, m, config: AuditConfig) -> dict:
    label = _LABELS.get(name, name)
    if name == "augmented":
        label = f"Baseline + {_METHODS.get(run.augment.method)} augmentation"
    section = {"label": label, **metrics_section(m)}
    if name == "external":
        section["source"] = str(run.predictions)
    elif run.model is not None:
        section["source"] = str(run.model)
    model = judged.trained.get(name)
    training = training_section(model) if model is not None else None
    if training:
        section["training"] = training
    section["misclassified"] = misclassified(
        np.asarray(judged.scores[name]), judged.test, threshold=config.threshold,
        attributes=judged.data.attributes, k=run.gallery_size // 2)
    return section
