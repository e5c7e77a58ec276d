"""``debias audit`` (the main job) and ``debias report`` (re-render without retraining)."""

from __future__ import annotations

import math
from pathlib import Path

import click

from debias._choices import DEVICES, FAIL_ON_LEVELS, VERDICT_METRICS
from debias._image_policy import CAPTIONS, POLICIES as IMAGE_POLICIES, apply_image_policy
from debias.cli.options import (
    augment_options, augment_settings, dataset_options, split_list, vae_on_option,
)
from debias.cli.card import card_option
from debias.errors import DataError


def _reference_groups(ctx, param, values) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, group = value.partition("=")
        if not sep or not name.strip() or not group.strip():
            raise click.BadParameter(f"{value!r}: use SLICE=GROUP, e.g. skin_tone=light "
                                     "or 'skin_tone & gender=light & female'")
        out[name.strip()] = group.strip()
    return out


def _tolerance(ctx, param, value) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r}: give LOW,HIGH, e.g. 0.8,1.25") from None
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= 1 <= high):
        raise click.BadParameter(f"{value!r}: need finite 0 < LOW <= 1 <= HIGH")
    return low, high


def _methods(ctx, param, value) -> tuple[str, ...] | None:
    from debias._choices import METHODS

    if value is None:
        return None
    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in METHODS]
    if unknown or not names:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(METHODS)}")
    return names


def _discover(ctx, param, value) -> int | None:
    """``auto`` -> None (only without attributes), ``off`` -> 0, else K >= 2."""
    text = str(value).strip().lower()
    if text == "auto":
        return None
    if text in ("off", "0", "none"):
        return 0
    try:
        k = int(text)
    except ValueError:
        k = -1
    if k < 2:
        raise click.BadParameter(f"{value!r}: give a number of slices K >= 2, auto or off")
    return k


def _threshold(ctx, param, value) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value!r}: give a finite number, e.g. 0.5")
    return value


@click.command("audit")
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="out/audit",
              show_default=True, help="Folder for report.html, result.json, tables/, models/.")
@click.option("--predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Audit an external model: CSV of path,score (no training).")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Audit a `debias train` checkpoint (no training).")
@click.option("--no-train-dbvae", is_flag=True, help="Train the baseline only.")
@click.option("--methods", callback=_methods, metavar="M1,M2,...", help="Train these methods "
              "beside the baseline and compare each with it on the same test images: dbvae, "
              "jtt, afr (label-free), balanced, dfr (read the group labels of --balance-by). "
              "Default: dbvae.")
@click.option("--balance-by", metavar="A,B", callback=split_list, help="The attributes whose group labels the "
              "balanced and dfr methods read.")
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(2), default=64, show_default=True)
@click.option("--latent-dim", type=click.IntRange(1), default=100, show_default=True)
@vae_on_option
@click.option("--device", type=click.Choice(DEVICES), default="auto",
              show_default=True)
@click.option("--threshold", type=float, callback=_threshold, help="Score at or above which a prediction is "
              "positive (default 0.5; required for external scores outside [0, 1]).")
@click.option("--max-order", type=click.IntRange(1), default=2, show_default=True,
              help="Intersect up to this many attributes.")
@click.option("--min-count", type=click.IntRange(1), default=30, show_default=True,
              help="Withhold a metric whose denominator is smaller.")
@click.option("--n-boot", type=click.IntRange(0), default=1000, show_default=True,
              help="Bootstrap resamples for the CIs (0: none).")
@click.option("--reference-group", "reference", multiple=True, callback=_reference_groups,
              metavar="SLICE=GROUP", help="Reference group of a slice (default: the group with the most "
              "training faces).")
@click.option("--verdict-metric", type=click.Choice(VERDICT_METRICS), help="The metric the "
              "conclusions and the tolerance verdict are about (default: fnr, the miss rate, for "
              "face detection, the error a face detector harms people by; error_rate for any "
              "other binary task): fnr, fpr, error_rate, tpr, accuracy, precision, fdr, for, "
              "selection_rate.")
@click.option("--tolerance", default="0.8,1.25", show_default=True, callback=_tolerance,
              help="Band of group/reference ratios that passes.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Split, training and bootstrap seed.")
@augment_options
@click.option("--counterfactual", metavar="ATTR[=FROM:TO]", help="Probe each model with CycleGAN "
              "edits of test faces from one value of ATTR to another and back (default: the "
              "most common value to the rarest).")
@click.option("--counterfactual-images", type=click.IntRange(1), default=200, show_default=True,
              help="Test faces edited per direction.")
@click.option("--discover-slices", "discover", default="auto", show_default=True,
              callback=_discover, metavar="K|auto|off", help="Find K slices of the test images "
              "from the model's features (clusters; no labels needed) and audit them like "
              "attribute groups, marked as discovered. auto: only when the dataset has no "
              "attribute column, K chosen by BIC (2-8).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_LEVELS), help="Exit 3 when a group is "
              "outside the tolerance band on the verdict metric with clear evidence (clear), or "
              "with any evidence (weak); for pipelines.")
@click.option("--allow-degenerate", is_flag=True, help="Exit 0 even when the sanity checks fail "
              "(the report still says that no fairness conclusion can be drawn).")
@click.option("--overwrite", is_flag=True, help="Replace an earlier audit in OUT (and retrain).")
@click.option("--images", type=click.Choice(IMAGE_POLICIES), help="Which images result.json and "
              "the report hold: all; synthetic (only images the tool generated from no single "
              "dataset image: GAN samples, latent traversals); none (each gallery becomes a "
              "count; every number is the same). Default: all, said in one line when the "
              "dataset is not the synthetic benchmark.")
@click.option("--captions", type=click.Choice(CAPTIONS), default="groups", show_default=True,
              help="Image captions: the image's group values, label, prediction and score; "
              "paths adds its file name (never to the alt text).")
@card_option
def audit_command(dataset, dataset_kwargs, out, predictions, model_path, no_train_dbvae, methods,
                  balance_by, epochs,
                  batch_size, latent_dim, vae_on, device, threshold, max_order, min_count, n_boot,
                  reference, verdict_metric, tolerance, seed, augment, augment_by, augment_cap,
                  generator_epochs, counterfactual, counterfactual_images, discover, fail_on,
                  allow_degenerate, overwrite, card, images, captions):
    """Audit DATASET for subgroup bias and write OUT/report.html.

    By default trains the baseline CNN and the DB-VAE on the training split and judges both on
    the test split; --predictions or --model audit an existing model instead. An interrupted
    run continues from OUT/models/ when started again. Under `torchrun --nproc_per_node N -m
    debias audit ...` the models train with DistributedDataParallel; rank 0 does the rest.

    Exit status: 0 done; 2 bad data or usage; 3 a disparity at the --fail-on level; 4 the
    sanity checks failed, so the audit supports no fairness conclusion (unless
    --allow-degenerate).
    """
    from debias._torchrun import distributed_session
    from debias.audit import AuditRun, CounterfactualSettings

    if methods is not None and no_train_dbvae:
        raise click.BadParameter("give --methods or --no-train-dbvae, not both",
                                 param_hint="--methods")
    from debias.metrics import AuditConfig
    from debias.training import TrainingSettings

    config = AuditConfig(threshold=0.5 if threshold is None else threshold, max_order=max_order,
                         min_count=min_count, n_boot=n_boot, seed=seed, reference=reference,
                         tolerance=tolerance, verdict_metric=verdict_metric or "fnr")
    run = AuditRun(
        dataset=dataset, out=out, dataset_kwargs=dataset_kwargs, predictions=predictions,
        model=model_path, train_dbvae=not no_train_dbvae, methods=methods,
        group_columns=balance_by,
        training=TrainingSettings(epochs=epochs, batch_size=batch_size, latent_dim=latent_dim,
                                  vae_on=vae_on, seed=seed, device=device),
        metrics=config, explicit_threshold=threshold is not None, discover_slices=discover,
        explicit_verdict_metric=verdict_metric is not None,
        augment=augment_settings(augment, augment_by, augment_cap, generator_epochs),
        counterfactual=CounterfactualSettings(counterfactual, images=counterfactual_images,
                                              generator_epochs=generator_epochs)
        if counterfactual else None, images=images, captions=captions, card=card)
    if threshold is not None and not 0 <= threshold <= 1 and predictions is None:
        raise DataError(f"`threshold` {threshold:g} is outside [0, 1], where the scores of the "
                        "models trained or loaded here (probabilities) lie")
    with distributed_session(device):
        return _audit(run, overwrite, fail_on=fail_on, allow_degenerate=allow_degenerate)


def _audit(run, overwrite: bool, *, fail_on: str | None, allow_degenerate: bool) -> int:
    from debias._terminal import terminal_safe
    from debias._torchrun import echo_on_main
    from debias._image_policy import images_note
    from debias.audit import run_audit
    from debias.cli.summary import audit_lines

    out = run.out
    echo = echo_on_main(click.echo)
    try:
        returned = run_audit(run, overwrite=overwrite, log=lambda m: echo(m, err=True))
    except DataError:
        raise
    except ValueError as err:  # e.g. an unknown reference group
        raise DataError(str(err)) from None
    if returned is None:
        return 0
    for line in audit_lines(*returned):
        click.echo(terminal_safe(line))
    note = images_note(returned[0])
    if note:
        click.echo(note, err=True)
    click.echo(f"report: {terminal_safe((out / 'report.html').resolve())}\n"
               f"result: {terminal_safe(out / 'result.json')}")
    return exit_status(returned[0]["summary"]["verdict"], fail_on=fail_on,
                       allow_degenerate=allow_degenerate)


def exit_status(verdict: dict, *, fail_on: str | None, allow_degenerate: bool) -> int:
    """4 when the audit cannot conclude (unless allowed), 3 for a disparity at the ``fail_on``
    level, else 0."""
    from debias.audit import fails

    if verdict["code"] == "cannot_conclude":
        if not allow_degenerate:
            click.echo("exit 4: the sanity checks failed, so this audit supports no fairness "
                       "conclusion (pass --allow-degenerate to exit 0)", err=True)
            return 4
        return 0
    if fail_on and fails(verdict, fail_on):
        click.echo(f"exit 3: a disparity with {fail_on} evidence was found (--fail-on "
                   f"{fail_on})", err=True)
        return 3
    return 0


@click.command("report")
@click.argument("result_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML report.  [default: report.html, unless only --pdf is given]")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="Also print the report to this PDF (A4), with headless Chromium.")
@card_option
@click.option("--images", type=click.Choice(IMAGE_POLICIES), help="Leave images of RESULT_JSON "
              "out of the page: none drops them all, synthetic keeps only those the tool "
              "generated from no single dataset image (images left out at the audit cannot "
              "come back). Default: as RESULT_JSON holds them.")
@click.option("--captions", type=click.Choice(CAPTIONS), help="Image captions: groups, or paths "
              "(with file names). Default: as the audit chose.")
def report_command(result_json, out, card, images, captions, pdf):
    """Re-render a report from RESULT_JSON (no retraining).

    --card replaces the card stored in RESULT_JSON for this page; RESULT_JSON is not changed.
    """
    from debias._terminal import terminal_safe
    from debias.errors import DebiasError
    from reports import ResultSchemaError, load_result, write_report
    from reports import PdfError, find_chromium, write_pdf

    if pdf is not None and find_chromium() is None:  # before anything is written
        raise DataError("--pdf needs Chromium (chromium or chromium-browser on PATH; "
                        "apt-get install chromium)")
    if out is None and pdf is None:
        out = Path("report.html")
    try:
        result = load_result(result_json)
        if card is not None:
            result["card"] = card
        if images or captions:
            apply_image_policy(result, images, captions=captions)
        for target, write in ((out, write_report), (pdf, write_pdf)):
            if target is not None:
                try:
                    write(result, target)
                except OSError as err:  # the file is replaced atomically: nothing was lost
                    raise DataError(f"cannot write {target}: {err.strerror or err}") from None
    except ResultSchemaError as err:
        raise DataError(str(err)) from None
    except PdfError as err:
        raise DebiasError(str(err)) from None
    if out is not None:
        click.echo(f"report: {terminal_safe(out.resolve())}")
    if pdf is not None:
        click.echo(f"pdf: {terminal_safe(pdf.resolve())}")
