"""``debias audit``: load -> split -> train or read predictions -> score -> metrics ->
latent analysis -> result.json + tables -> report.html."""

from __future__ import annotations

import platform
import shutil
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np

from debias._torchrun import (
    check_batch_split, main_first, refuse_under_torchrun, world_size,
)
from debias.audit._augment_stage import augmentation_section, train_augmented
from debias.audit._compare import compare_models, limitations, summarise
from debias.audit._config import AuditRun
from debias.audit._counterfactual_stage import probe_values, run_counterfactual
from debias.audit._latent_stage import latent_section, misclassified
from debias.audit._predictions import read_predictions
from debias.audit._result import (
    base_result, config_dict, metrics_section, metrics_tables, write_result,
)
from debias.audit._train_stage import fingerprint, train_models, training_section
from debias.augment import augmentation_plan, most_imbalanced, write_synthetic
from debias.data import load_dataset
from debias.errors import DataError
from debias.metrics import audit_predictions
from generative import is_main_process

STAGES = 6


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_audit(run: AuditRun, *, log=_stderr) -> dict:
    """Run every stage and write ``run.out``: report.html, result.json, tables/, models/.

    Returns
    -------
    dict or None
        The result (what result.json holds), plus the fitted metrics under ``"_metrics"``
        (not written) for a caller that prints a summary. None on ranks other than 0 under
        torchrun, which only help train.
    """
    from reports import write_report

    start = time.perf_counter()

    def stage(i: int, text: str) -> None:
        log(f"[{i}/{STAGES}] {text} ({time.perf_counter() - start:.0f} s)")

    if (run.augment or run.counterfactual) and run.predictions is not None:
        raise DataError("--augment and --counterfactual need models to train or run; they "
                        "cannot be used with --predictions")
    if run.augment and run.model is not None:
        raise DataError("--augment trains an augmented baseline; it cannot be used with --model")
    if world_size() > 1:
        for flag, given in (("--predictions", run.predictions), ("--model", run.model),
                            ("--augment", run.augment), ("--counterfactual", run.counterfactual)):
            if given:
                refuse_under_torchrun(flag)
        check_batch_split(run.batch_size)
    stage(1, f"loading {run.dataset}")
    data = main_first(lambda: load_dataset(run.dataset, **run.dataset_kwargs))
    attributes = list(data.attributes)
    notes, models, trained = [], {}, {}
    augment_summary = face_checker = counterfactual = None
    if run.predictions is not None:
        stage(2, f"reading predictions {run.predictions} (no training)")
        index, scores, notes = read_predictions(
            run.predictions, data,
            threshold=run.metrics.threshold if run.explicit_threshold else None)
        test, split = data.subset(index), None
        models["external"] = scores
    else:
        train, test = data.split(seed=run.seed)
        split = {"train": len(train), "test": len(test)}
        # Refuse a bad --augment-by / --counterfactual now, not after minutes of training.
        if run.augment:
            augmentation_plan(train, run.augment_by or most_imbalanced(train), run.augment,
                              run.augment_cap)
        if run.counterfactual:
            probe_values(run.counterfactual, train)
        if run.model is not None:
            from debias.training import load_classifier

            stage(2, f"loading {run.model} (no training)")
            model = load_classifier(run.model)
            if model.config.image_size != data.image_size:
                raise DataError(f"{run.model} expects {model.config.image_size}px images; "
                                f"pass --image-size {model.config.image_size}")
            trained = {"dbvae" if type(model).__name__ == "DBVAE" else "baseline": model}
        else:
            stage(2, f"training on {len(train):,} images ({int(train.labels.sum()):,} faces)")
            trained = train_models(run, train, log=log)
            if not is_main_process():
                return None  # under torchrun, rank 0 alone measures and writes
            if run.augment:
                trained["augmented"], augment_summary = train_augmented(run, train, log=log)
        for name, model in trained.items():
            models[name] = model.predict_proba(test.images)
    for note in notes:
        log(f"note: {note}")

    stage(3, f"measuring {len(models)} model(s) on {len(test):,} test images "
             f"({run.metrics.n_boot} bootstrap resamples)")
    config = run.metrics
    user_reference = dict(config.reference)
    defaults = default_references(train if split else data, test, attributes, config.max_order)
    config.reference = {**defaults, **user_reference}
    labels = test.labels.numpy()
    metrics = {name: audit_predictions(labels, scores, test.meta[attributes], config)
               for name, scores in models.items()}

    latent = None
    if "dbvae" in trained:
        stage(4, "latent-density analysis of the DB-VAE")
        latent = latent_section(trained["dbvae"], train, test, models["dbvae"],
                                attributes=attributes, threshold=config.threshold,
                                k=run.gallery_size, seed=run.seed)
    else:
        stage(4, "latent-density analysis skipped (no DB-VAE)")
    if run.counterfactual or augment_summary:
        from debias.counterfactual import train_face_checker

        log("  training an independent face checker (judges whether edits are still faces)")
        face_checker = train_face_checker(train, seed=run.seed, device=run.device)
    if run.counterfactual:
        counterfactual = run_counterfactual(run, train, test, trained, face_checker, log=log,
                                            augmentation=augment_summary)

    stage(5, "writing result.json and tables")
    dataset = {"root": str(data.root), "format": data.format, "images": len(data),
               "audited": len(test), "attributes": attributes, "fingerprint": fingerprint(data),
               "summary": data.summary()}
    if split:
        dataset["split"] = split
    result = base_result(dataset=dataset, config={**config_dict(config),
                                                   "reference": user_reference,
                                                   "default_reference": defaults,
                                                   **({"training": run.training_dict()}
                                                      if run.predictions is None and run.model is None
                                                      else {})})
    result["tool"].update(python=platform.python_version(), torch=version("torch"),
                          fairlearn=version("fairlearn"), plotly=version("plotly"))
    result["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for name, m in metrics.items():
        section = {"label": {"baseline": "Baseline CNN", "dbvae": "DB-VAE",
                             "external": "External model",
                             "augmented": f"Baseline + "
                             f"{ {'cyclegan': 'CycleGAN', 'gan': 'GAN'}.get(run.augment)} augmentation"
                             }.get(name, name),
                   **metrics_section(m)}
        if name == "external":
            section["source"] = str(run.predictions)
        elif run.model is not None:
            section["source"] = str(run.model)
        if name in trained and trained[name].history_:
            section["training"] = training_section(trained[name])
        section["misclassified"] = misclassified(np.asarray(models[name]), test,
                                                 threshold=config.threshold,
                                                 attributes=attributes, k=run.gallery_size // 2)
        result["models"][name] = section
    comparison = compare_models(metrics)
    if comparison:
        result["comparison"] = comparison
    if latent:
        result["latent"] = latent
    if counterfactual:
        result["counterfactual"] = counterfactual
    augmented = None
    if augment_summary:
        augmented = compare_models(metrics, other="augmented", label="augmented")
        result["augmentation"] = augmentation_section(augment_summary, train, face_checker,
                                                      seed=run.seed, comparison=augmented)
        write_synthetic(augment_summary["synthetic"], run.out / "synthetic")
    result["summary"] = summarise(metrics, comparison, audited=len(test),
                                  faces=int(labels.sum()), augmented=augmented)
    result["limitations"] = limitations(metrics, n_boot=config.n_boot,
                                        trained=bool(trained) and run.model is None)
    result["runtime_s"] = round(time.perf_counter() - start, 1)
    tables = {}
    for name, m in metrics.items():
        tables.update(metrics_tables(f"{name}_", m))
    write_result(result, tables, run.out)

    stage(6, "rendering report.html")
    write_report(result, run.out / "report.html")
    result["_metrics"] = metrics
    return result


def default_references(data, audited, attributes: list[str], max_order: int) -> dict[str, str]:
    """Per slice, of the groups with faces among the ``audited`` images, the one with the most
    faces in ``data`` (the training split when there is one: a balanced test split makes "the
    largest test group" a tie)."""
    from debias.groups import group_labels, slice_name, slices

    faces = data.meta[data.meta["label"] == 1]
    audited_faces = audited.meta[audited.meta["label"] == 1]
    out = {}
    for columns in slices(attributes, max_order=max_order):
        present = set(group_labels(audited_faces, columns)) if len(audited_faces) else set()
        counts = group_labels(faces, columns).value_counts() if len(faces) else None
        ranked = [g for g in (counts.index if counts is not None else []) if g in present]
        if ranked:
            out[slice_name(columns)] = str(ranked[0])
    return out


def clear_outputs(out) -> None:
    """--overwrite: remove what an earlier audit wrote in ``out`` (and nothing else)."""
    for name in ("report.html", "result.json"):
        (out / name).unlink(missing_ok=True)
    for folder in ("tables", "models", "synthetic"):
        shutil.rmtree(out / folder, ignore_errors=True)
