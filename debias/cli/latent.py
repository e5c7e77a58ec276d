"""``debias latent``: what a trained DB-VAE's latent space says about a dataset."""

from __future__ import annotations

from pathlib import Path

import click

from debias._choices import COMBINE_RULES
from debias._terminal import terminal_safe
from debias.cli.options import dataset_options
from debias.errors import DataError


@click.command("latent")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="out/latent",
              show_default=True, help="Folder for the tables and image grids.")
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True,
              help="Whose faces to analyse (the histograms are always fitted on train faces).")
@click.option("--combine", type=click.Choice(COMBINE_RULES[::-1]), default="product",
              show_default=True, help="Density of the paper (product) or the lab's weight (max).")
@click.option("--k", type=click.IntRange(1, 256), default=32, show_default=True,
              help="Images in the rarest / most typical galleries.")
def latent_command(checkpoint, dataset, dataset_kwargs, out, split, combine, k):
    """Rarity of each face in a DB-VAE's latent space, by subgroup, against its errors."""
    from debias._atomic import safe_name, write_csv
    from debias.data import load_dataset, reproduce_split
    from debias.latent import analyse_faces, latent_inputs, traversal
    from reports import class_words, classes_record
    from debias.models import DBVAE
    from debias.training import load_classifier
    from generative import save_grid

    model = load_classifier(checkpoint)
    if not isinstance(model, DBVAE):
        raise DataError(f"{checkpoint} holds a {type(model).__name__}; latent analysis needs a "
                        "DB-VAE (debias train --model dbvae)")
    data = load_dataset(dataset, **{**dataset_kwargs, "image_size": model.config.image_size})
    train, test = reproduce_split(data, model.split_, source=str(checkpoint))
    chosen = test if split == "test" else train
    positives = class_words(classes_record(*data.classes)).positives
    faces = int((chosen.labels == 1).sum())
    if faces < 10:
        raise DataError(f"the {split} split has {faces} {positives}; need at least 10")
    inputs = latent_inputs(model, train, chosen)
    result = analyse_faces(inputs, chosen.attributes, combine=combine)
    images, mu = inputs.images, inputs.mu
    paths = inputs.meta["path"].to_numpy()
    table = result.faces.assign(path=paths[result.faces["index"]])
    for name, frame in (("faces", table), ("by_group", result.by_group),
                        ("decile_errors", result.decile_errors), ("rarity_auc", result.rarity_auc),
                        ("rarity_auc_by_estimator", result.rarity_auc_by_estimator),
                        ("dims", result.dims)):
        write_csv(frame, out / "tables" / f"latent_{name}.csv")
    save_grid(images[result.rarest(k)], out / "rarest.png")
    save_grid(images[result.most_typical(k)], out / "most_typical.png")
    top = result.dims[result.dims["rank"] == 1]
    for row in top.itertuples():
        safe = safe_name(f"{row.attribute}_{row.group}")
        save_grid(traversal(model, mu, row.dim), out / "traversals" / f"{safe}_dim{row.dim}.png",
                  nrow=7)
    click.echo(f"{len(mu):,} {split} {positives}; rarity = inverse rank of the latent "
               f"{combine} density fitted on the training {positives}")
    for row in result.rarity_auc.itertuples():
        click.echo(terminal_safe(f"  rarity finds {row.attribute}={row.group}: "
                                 f"ROC AUC {row.auc:.3f}"))
    for estimator, rows in result.rarity_auc_by_estimator.groupby("estimator", sort=False):
        click.echo(terminal_safe(f"  rarity by {estimator}: " + ", ".join(
            f"{r.attribute}={r.group} {r.auc:.3f}" for r in rows.itertuples())))
    overall = result.decile_errors[result.decile_errors["attribute"] == "all"]
    click.echo("  error rate by rarity decile (1 typical .. 10 rarest): "
               + " ".join(f"{v:.3f}" for v in overall["error_rate"]))
    def safe(name: str) -> str:  # a path may hold a newline too: escaped, not a forged line
        return terminal_safe(out / name)

    click.echo(f"tables: {safe('tables')}\ngalleries: {safe('rarest.png')}, "
               f"{safe('most_typical.png')}\ntraversals: {safe('traversals')}")
