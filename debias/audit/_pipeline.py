"""``debias audit``: load -> split -> train or read predictions -> score -> metrics ->
latent analysis -> probes -> result.json + tables -> report.html. Each stage is a function
of its own module; this one calls them in order, reports progress and writes."""

from __future__ import annotations

import re
import sys
import time
from contextlib import contextmanager
from dataclasses import replace

from debias._image_policy import augmentation_kind, keeps
from debias._outputs import OutputFolder
from debias._terminal import terminal_safe
from debias._torchrun import main_first
from debias.audit._assemble import assemble_result, result_tables
from debias.audit._config import AuditRun
from debias.audit._judged import check_request, judge_models
from debias.audit._measure import judging_config, latent_stage, measure, probe_stage
from debias.audit._result import write_result
from debias.audit._slices_stage import discover_stage
from debias.augment import write_synthetic
from debias.data import load_dataset
from debias.errors import DataError
from generative import barrier, is_main_process

STAGES = 6
# What an audit writes at the top of its folder, and the checkpoints it writes in models/.
AUDIT_OUTPUTS = ("report.html", "result.json", "tables", "models", "synthetic")
MODEL_FILE = re.compile(r"^(baseline|dbvae|jtt|afr|dfr|balanced|augmented|cyclegan_\w+|gan_\w+)"
                        r"\.pt$")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Progress:
    """``[i/6] text (N s)`` lines, timed from the start of the audit."""

    def __init__(self, log) -> None:
        self.log, self.start = log, time.perf_counter()

    def __call__(self, i: int, text: str) -> None:
        self.log(f"[{i}/{STAGES}] {text} ({self.seconds():.0f} s)")

    def seconds(self) -> float:
        return time.perf_counter() - self.start


def run_audit(run: AuditRun, *, overwrite: bool = False, log=_stderr
              ) -> tuple[dict, dict] | None:
    """Run every stage and write ``run.out``: report.html, result.json, tables/, models/.

    Nothing in ``run.out`` is lost to a failed run: the folder is checked and locked before
    any work, the outputs are written to a staging folder and moved in only once every stage
    succeeded (see :mod:`debias._outputs`); an existing audit is replaced only with
    ``overwrite``, and only the files an earlier run wrote. Without ``overwrite`` the
    checkpoints go straight to ``out/models``, so an interrupted run continues from them.
    ``run`` is not modified (the references chosen by default live in the result).

    Returns
    -------
    (result, metrics) or None
        The result (what result.json holds) and the fitted
        :class:`debias.metrics.AuditMetrics` per model, for a caller that prints a summary.
        None on ranks other than 0 under torchrun, which only help train.
    """
    check_request(run)
    folder = OutputFolder(run.out, "audit", AUDIT_OUTPUTS)
    with holding(folder):
        if is_main_process():
            if (run.out / "result.json").exists() and not overwrite:
                raise DataError(f"{run.out / 'result.json'} exists; pass `overwrite=True` to "
                                "replace that audit, or `debias report` to re-render it")
            if overwrite:
                folder.check_replaceable()
        barrier()  # no rank trains before rank 0 has checked and cleaned the folder
        staged = replace(run, out=folder.staging,
                         models=(folder.staging if overwrite else run.out) / "models")
        # Stage lines quote paths and attribute values: no control character reaches a terminal.
        returned = _stages(staged, log=lambda m: log(terminal_safe(m)))
        if returned is not None:
            kept = [] if overwrite else [f"models/{p.name}" for p in run.models_dir.glob("*.pt")
                                         if MODEL_FILE.match(p.name)]
            folder.commit(kept=kept)
        return returned


def _stages(run: AuditRun, *, log) -> tuple[dict, dict] | None:
    from reports import write_report

    stage = _Progress(log)
    stage(1, f"loading {run.dataset}")
    data = main_first(lambda: load_dataset(run.dataset, **run.dataset_kwargs))
    for warning in data.warnings:  # e.g. faces without attributes: said here, not only in inspect
        log(f"warning: {warning}")
    judged = judge_models(run, data, stage=stage, log=log)
    if judged is None:
        return None
    discovered = discover_stage(judged, run.discover_slices, seed=run.training.seed,
                                gallery_size=run.gallery_size, log=log)
    for note in judged.notes:
        log(f"note: {note}")
    stage(3, f"measuring {len(judged.scores)} model(s) on {len(judged.test):,} test images "
             f"({run.metrics.n_boot} bootstrap resamples)")
    config, defaults = judging_config(run.metrics, judged,
                                      by_task=not run.explicit_verdict_metric)
    metrics = measure(judged, config)
    latent = latent_stage(run, judged, config, stage=stage)
    face_checker, counterfactual = probe_stage(run, judged, config, log=log)
    stage(5, "writing result.json and tables")
    result = assemble_result(run, judged, metrics, config, defaults, latent=latent,
                             counterfactual=counterfactual, face_checker=face_checker,
                             discovered=discovered)
    if run.card:
        result["card"] = dict(run.card)
    if judged.augmentation and keeps(run.images, augmentation_kind(run.augment.method)):
        write_synthetic(judged.augmentation["synthetic"], run.out / "synthetic")
    elif judged.augmentation:
        log(f"note: the synthetic training images are not written to {run.out / 'synthetic'} "
            f"(--images {run.images})")
    result["runtime_s"] = round(stage.seconds(), 1)
    write_result(result, result_tables(metrics, judged, config.threshold), run.out)
    stage(6, "rendering report.html")
    write_report(result, run.out / "report.html")
    return result, metrics


@contextmanager
def holding(folder: OutputFolder):
    """Rank 0 holds the output folder (checked, locked, cleaned); other ranks only help train."""
    if is_main_process():
        with folder:
            yield folder
    else:
        yield folder
