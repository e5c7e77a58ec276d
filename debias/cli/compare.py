"""``debias compare A/result.json B/result.json``: two audits side by side."""

from __future__ import annotations

from pathlib import Path

import click

from debias._choices import VERDICT_METRICS


@click.command("compare")
@click.argument("result_a", metavar="A", type=click.Path(path_type=Path))
@click.argument("result_b", metavar="B", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="compare.html",
              show_default=True, help="The comparison page.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The same numbers as JSON (default: beside --out, with the suffix .json).")
@click.option("--model-a", help="The model of A to compare (default: A's first model, e.g. "
              "baseline).")
@click.option("--model-b", help="The model of B to compare (default: B's first model).")
@click.option("--metric", type=click.Choice(VERDICT_METRICS), help="The metric compared "
              "(default: the audits' verdict metric).")
@click.option("--n-boot", type=click.IntRange(0), default=1000, show_default=True,
              help="Bootstrap resamples for the CIs (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--overwrite", is_flag=True, help="Replace existing --out and --json files.")
def compare_command(result_a, result_b, out, json_path, model_a, model_b, metric, n_boot,
                    seed, overwrite):
    """Compare audit B with audit A: each shared slice's max-min gap and each shared group's
    value in both, and the change B - A with a 95% CI.

    A and B are result.json files of `debias audit` (or their folders). When both audits
    wrote the compared model's per-image scores (tables/<model>_scores.csv) for the same test
    images, the CI comes from one paired bootstrap of those images; otherwise from two
    independent bootstraps of each audit's own counts (unpaired), as the page, the JSON and
    the first line printed say. Writes --out (compare.html) and --json (compare.json beside
    it); an existing file is replaced only with --overwrite.
    """
    from debias._terminal import terminal_safe
    from debias.compare import (
        compare_audits, load_side, output_paths, terminal_lines, write_comparison,
    )

    html, json_file = output_paths(out, json_path)
    a = load_side(result_a, model_a, which="a")
    b = load_side(result_b, model_b, which="b")
    comparison = compare_audits(a, b, metric=metric, n_boot=n_boot, seed=seed)
    write_comparison(comparison, html, json_file, overwrite=overwrite)

    for line in terminal_lines(comparison, str(html.resolve()), str(json_file)):
        click.echo(terminal_safe(line))
