"""``debias audit``: load -> split -> train or read predictions -> score -> metrics ->
latent analysis -> probes -> result.json + tables -> report.html. Each stage is a function
of its own module; this one calls them in order, reports progress and writes."""

from __future__ import annotations

import shutil
import sys
import time

from debias._torchrun import main_first
from debias.audit._assemble import assemble_result, result_tables
from debias.audit._config import AuditRun
from debias.audit._judged import check_request, judge_models
from debias.audit._measure import judging_config, latent_stage, measure, probe_stage
from debias.audit._result import write_result
from debias.augment import write_synthetic
from debias.data import load_dataset

STAGES = 6


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


def run_audit(run: AuditRun, *, log=_stderr) -> tuple[dict, dict] | None:
    """Run every stage and write ``run.out``: report.html, result.json, tables/, models/.

    ``run`` is not modified (the references chosen by default live in the result).

    Returns
    -------
    (result, metrics) or None
        The result (what result.json holds) and the fitted
        :class:`debias.metrics.AuditMetrics` per model, for a caller that prints a summary.
        None on ranks other than 0 under torchrun, which only help train.
    """
    from reports import write_report

    stage = _Progress(log)
    check_request(run)
    stage(1, f"loading {run.dataset}")
    data = main_first(lambda: load_dataset(run.dataset, **run.dataset_kwargs))
    judged = judge_models(run, data, stage=stage, log=log)
    if judged is None:
        return None
    for note in judged.notes:
        log(f"note: {note}")
    stage(3, f"measuring {len(judged.scores)} model(s) on {len(judged.test):,} test images "
             f"({run.metrics.n_boot} bootstrap resamples)")
    config, defaults = judging_config(run.metrics, judged)
    metrics = measure(judged, config)
    latent = latent_stage(run, judged, config, stage=stage)
    face_checker, counterfactual = probe_stage(run, judged, config, log=log)
    stage(5, "writing result.json and tables")
    result = assemble_result(run, judged, metrics, config, defaults, latent=latent,
                             counterfactual=counterfactual, face_checker=face_checker)
    if judged.augmentation:
        write_synthetic(judged.augmentation["synthetic"], run.out / "synthetic")
    result["runtime_s"] = round(stage.seconds(), 1)
    write_result(result, result_tables(metrics), run.out)
    stage(6, "rendering report.html")
    write_report(result, run.out / "report.html")
    return result, metrics


def clear_outputs(out) -> None:
    """``overwrite``: remove what an earlier audit wrote in ``out`` (and nothing else)."""
    for name in ("report.html", "result.json"):
        (out / name).unlink(missing_ok=True)
    for folder in ("tables", "models", "synthetic"):
        shutil.rmtree(out / folder, ignore_errors=True)
