"""``debias audit``: judge a model's predictions on a dataset by subgroup."""

from __future__ import annotations

from pathlib import Path

import click

from debias._cli_options import dataset_options
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
    if not 0 < low <= 1 <= high:
        raise click.BadParameter(f"{value!r}: need 0 < LOW <= 1 <= HIGH")
    return low, high


@click.command("audit")
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="CSV with path,score (an external model's predictions).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="out/audit",
              show_default=True, help="Folder for result.json and tables/*.csv.")
@click.option("--threshold", type=float, help="Score at or above which a prediction is "
              "positive (default 0.5; required when scores are not in [0, 1]).")
@click.option("--max-order", type=click.IntRange(1), default=2, show_default=True,
              help="Intersect up to this many attributes.")
@click.option("--min-count", type=click.IntRange(1), default=30, show_default=True,
              help="Withhold a metric whose denominator is smaller.")
@click.option("--n-boot", type=click.IntRange(0), default=1000, show_default=True,
              help="Bootstrap resamples for the CIs (0: none).")
@click.option("--reference-group", "reference", multiple=True, callback=_reference_groups,
              metavar="SLICE=GROUP", help="Reference group of a slice (default: its largest).")
@click.option("--tolerance", default="0.8,1.25", show_default=True, callback=_tolerance,
              help="Band of group/reference ratios that passes.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace an earlier result in OUT.")
def audit_command(dataset, dataset_kwargs, predictions, out, threshold, max_order, min_count,
                  n_boot, reference, tolerance, seed, overwrite):
    """Audit a model's predictions on DATASET by subgroup, with bootstrap CIs.

    No training happens: give the predictions of any model as a CSV of path,score.
    """
    from debias.audit import audit_external
    from debias.audit._summary import summary_lines
    from debias.data import load_dataset
    from debias.metrics import AuditConfig

    if (out / "result.json").exists() and not overwrite:
        raise DataError(f"{out / 'result.json'} exists; pass --overwrite to replace it")
    data = load_dataset(dataset, **dataset_kwargs)
    config = AuditConfig(threshold=0.5 if threshold is None else threshold, max_order=max_order,
                         min_count=min_count, n_boot=n_boot, seed=seed, reference=reference,
                         tolerance=tolerance)
    try:
        result, metrics, notes = audit_external(data, predictions, out, config=config,
                                                explicit_threshold=threshold is not None)
    except ValueError as err:  # e.g. an unknown reference group
        raise DataError(str(err)) from None
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"audited {result['dataset']['audited']:,} predictions "
               f"(threshold {config.threshold:g}, {n_boot} bootstrap resamples)")
    for line in summary_lines(metrics):
        click.echo(line)
    click.echo(f"result: {out / 'result.json'}\ntables: {out / 'tables'}")
