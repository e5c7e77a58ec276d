"""``debias train`` and ``debias predict``: fit a face classifier, score images with it."""

from __future__ import annotations

import math
from pathlib import Path

import click

from debias._choices import COMBINE_RULES, DEVICES, METHODS, MODEL_KINDS, RARITY_ESTIMATORS
from debias._terminal import terminal_safe
from debias.cli.options import (
    augment_options, augment_settings, dataset_options, split_list, vae_on_option,
)
from debias.errors import DataError


def _test_lines(model, test, attributes: list[str]) -> list[str]:
    """A quick look at the test split: accuracy, specificity, recall per group."""
    import numpy as np

    from debias.groups import groups_of

    pred = model.predict(test.images)
    labels = test.labels.numpy()
    lines = [f"test split ({len(test):,} images): accuracy {np.mean(pred == labels):.3f}, "
             f"specificity {np.mean(pred[labels == 0] == 0):.3f}, "
             f"recall {np.mean(pred[labels == 1] == 1):.3f}"]
    groups = groups_of(test.meta, attributes)
    if groups is not None:
        faces = labels == 1
        recall = {g: float(np.mean(pred[faces & (groups == g).to_numpy()]))
                  for g in sorted(groups[faces].unique())}
        lines.append("  recall by " + " & ".join(attributes) + ": "
                     + ", ".join(f"{g} {r:.3f}" for g, r in recall.items()))
    return [terminal_safe(line) for line in lines]  # group names are user data


@click.command("train")
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--model", "kind", type=click.Choice(MODEL_KINDS), default=None,
              help="The standard CNN (baseline), or the debiasing VAE (dbvae, the default); "
              "the same as --method.")
@click.option("--method", type=click.Choice(METHODS), default=None,
              help="How to train: baseline, dbvae (default), jtt (Just Train Twice: "
              "upweight a short first model's errors), afr (reweight the last layer by a "
              "first model's confidence), feature_rarity (redraw rare images by the rarity of "
              "the baseline's own features) — label-free; balanced and dfr read the group "
              "labels of --balance-by (references).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for model.pt, training_log.csv and resampling.csv.")
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(2), default=64, show_default=True,
              help="Images per batch, half faces and half non-faces.")
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=1e-3, show_default=True)
@click.option("--latent-dim", type=click.IntRange(1), default=100, show_default=True)
@click.option("--kl-weight", type=click.FloatRange(0), default=0.0005, show_default=True)
@click.option("--alpha", type=click.FloatRange(0), default=0.001, show_default=True,
              help="Resampling: smoothing added to each bin's density.")
@click.option("--bins", type=click.IntRange(1), default=10, show_default=True,
              help="Resampling: histogram bins per latent dimension.")
@click.option("--combine", type=click.Choice(COMBINE_RULES), default="max",
              show_default=True, help="Resampling: combine dimensions as the lab (max) or the "
              "paper (product).")
@click.option("--temperature", type=click.FloatRange(0, 1, min_open=True), default=1.0,
              show_default=True, help="Resampling: weights ** temperature (<1 tempers them).")
@vae_on_option
@click.option("--rarity", type=click.Choice(RARITY_ESTIMATORS), default=None,
              help="DB-VAE: how rarity is estimated from the latent means (default: "
              "histograms combined by --combine); feature_rarity: from the features "
              "(default: knn).")
@click.option("--balance-by", metavar="A,B", callback=split_list, help="Baseline, balanced, dfr: the attributes "
              "whose groups are drawn (or refitted) equally often; uses the group labels the "
              "label-free methods do without.")
@click.option("--jtt-epochs", type=click.IntRange(1), default=2, show_default=True,
              help="JTT: epochs of the first model whose errors are upweighted.")
@click.option("--upweight", type=click.FloatRange(1), default=20.0, show_default=True,
              help="JTT: sampling weight of the first model's errors (others 1).")
@click.option("--afr-gamma", type=click.FloatRange(0), default=4.0, show_default=True,
              help="AFR: weights exp(-gamma * p(true class)) of the held-out images.")
@click.option("--weight-decay", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Decoupled weight decay (AdamW); 0: Adam.")
@click.option("--select-on-val", is_flag=True, help="Hold out --val-fraction of the training "
              "split and keep the epoch with the best worst-class recall on it (no group "
              "labels needed).")
@click.option("--val-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.1, show_default=True, help="With --select-on-val: the share held out.")
@click.option("--patience", type=click.IntRange(1), default=None, help="With --select-on-val: "
              "stop after this many epochs without a better validation score.")
@augment_options
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--device", type=click.Choice(DEVICES), default="auto",
              show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace OUT/model.pt if it exists.")
def train_command(dataset, dataset_kwargs, kind, method, out, epochs, batch_size, lr,
                  latent_dim, kl_weight, alpha, bins, combine, temperature, vae_on, rarity,
                  balance_by, jtt_epochs, upweight, afr_gamma, weight_decay, select_on_val,
                  val_fraction, patience, augment, augment_by, augment_cap, generator_epochs,
                  seed, device, overwrite):
    """Train a face classifier (baseline or DB-VAE) on DATASET's training split.

    Under `torchrun --nproc_per_node N -m debias train ...` the N processes train one model
    with DistributedDataParallel (--batch-size is then the global batch); rank 0 writes.
    """
    from debias._torchrun import distributed_session
    from debias.training import TrainingSettings

    if kind and method and kind != method:
        raise click.BadParameter(f"--model {kind} and --method {method} disagree; give one",
                                 param_hint="--method")
    kind = method or kind or "dbvae"
    if patience is not None and not select_on_val:
        raise click.BadParameter("--patience needs --select-on-val", param_hint="--patience")
    settings = TrainingSettings(epochs=epochs, batch_size=batch_size, lr=lr,
                                latent_dim=latent_dim, kl_weight=kl_weight, alpha=alpha,
                                bins=bins, combine=combine, temperature=temperature,
                                vae_on=vae_on, rarity=rarity, weight_decay=weight_decay,
                                select_on_val=select_on_val, val_fraction=val_fraction,
                                patience=patience, seed=seed, device=device)
    balance = balance_by
    options = method_options(kind, jtt_epochs=jtt_epochs, upweight=upweight,
                             afr_gamma=afr_gamma)
    with distributed_session(device):
        _train(dataset, dataset_kwargs, kind, out, settings, balance,
               augment_settings(augment, augment_by, augment_cap, generator_epochs), overwrite,
               options)


def method_options(kind: str, *, jtt_epochs: int, upweight: float, afr_gamma: float) -> dict:
    """The hyperparameters of ``kind`` among the method options given."""
    return {"jtt": {"jtt_epochs": jtt_epochs, "upweight": upweight},
            "afr": {"gamma": afr_gamma}}.get(kind, {})


def _train(dataset, dataset_kwargs, kind, out: Path, settings, balance, augment, overwrite,
           options=None):
    """Train into ``out`` while holding it: checked writable and locked before any work (a
    second run into it is refused), a killed run's partial checkpoint cleaned up."""
    from contextlib import nullcontext

    from debias._outputs import OutputFolder
    from generative import is_main_process

    hold = OutputFolder(out, "train", ()) if is_main_process() else nullcontext()
    with hold:
        _train_held(dataset, dataset_kwargs, kind, out, settings, balance, augment, overwrite,
                    options)


def _train_held(dataset, dataset_kwargs, kind, out: Path, settings, balance, augment,
                overwrite, options=None):
    from debias._torchrun import (
        check_batch_split, echo_on_main, main_first, refuse_under_torchrun, world_size,
    )
    from debias.augment import write_synthetic
    from debias.data import load_dataset, split_record
    from debias.training import check_balance_by, train_classifier
    from generative import is_main_process
    from reports import class_words, classes_record

    echo = echo_on_main(click.echo)
    checkpoint = out / "model.pt"
    if checkpoint.exists() and not overwrite:
        raise DataError(f"{checkpoint} exists; pass `overwrite=True` to replace it")
    if augment:
        refuse_under_torchrun("`augment` (its generators)")
    check_batch_split(settings.batch_size)
    data = main_first(lambda: load_dataset(dataset, **dataset_kwargs))
    train_set, test_set = data.split(seed=settings.seed)
    split = split_record(data, train_set, test_set, seed=settings.seed)
    check_balance_by(train_set, kind, balance)
    positives = class_words(classes_record(*data.classes)).positives
    echo(f"training {kind} on {len(train_set):,} images ({int(train_set.labels.sum()):,} "
         f"{positives}), "
         f"{settings.epochs} epochs" + (f", {world_size()} processes" if world_size() > 1 else ""),
         err=True)
    trained = train_classifier(
        train_set, kind=kind, settings=settings, checkpoint=checkpoint, split=split,
        balance_by=balance, method_options=options, augment=augment,
        generators_dir=out / "generators", logs_dir=out,
        extra={"dataset": str(Path(dataset).resolve()), "n_train": len(train_set),
               "processes": world_size()},
        log=lambda m: click.echo(terminal_safe(m.strip()), err=True))
    if not is_main_process():
        return
    model, augmented = trained.model, trained.augmentation
    if augmented:
        write_synthetic(augmented["synthetic"], out / "synthetic")
        click.echo(terminal_safe(f"added {len(augmented['synthetic']):,} synthetic faces "
                                 f"({augmented['attribute']}: "
                                 + ", ".join(f"{v} {augmented['real_faces'][v]:,} real + {n:,}"
                                             for v, n in augmented["added"].items())
                                 + f") -> {out / 'synthetic'}"), err=True)
    for line in training_lines(model, settings.epochs, reweighted=kind != "baseline" or bool(balance)):
        click.echo(line)
    for line in _test_lines(model, test_set, model.attributes_):
        click.echo(line)
    click.echo(f"model: {terminal_safe(checkpoint)}\n"
               f"log: {terminal_safe(out / 'training_log.csv')}")


def training_lines(model, epochs: int, *, reweighted: bool) -> list[str]:
    """Steps, time and last-epoch losses; the last epoch's resampling summary."""
    import pandas as pd

    steps = len(model.history_)
    last = pd.DataFrame(model.history_).tail(max(1, steps // epochs)).mean(numeric_only=True)
    lines = [f"done: {steps} steps in {model.train_seconds_:.0f} s; last-epoch mean loss "
             f"{last['loss']:.4f} (classification {last['classification']:.4f})"]
    selection = getattr(model, "selection_", None)
    if selection:
        kept = selection["selected_epoch"]
        lines.append(f"kept epoch {kept} of {len(selection['scores'])}: worst-class recall "
                     f"{selection['scores'][str(kept)]:.3f} on {selection['val_images']:,} "
                     "held-out training images")
    if reweighted and model.resampling_:
        final = model.resampling_[-1]
        weights = ", ".join(f"{terminal_safe(g)} {w:.2f}"
                            for g, w in final.get("group_weight", {}).items())
        lines.append(f"resampling, last epoch: effective sample size {final['ess']:.0f} "
                     f"({100 * final['ess_fraction']:.0f}% of faces)"
                     + (f"; mean weight x uniform by group: {weights}" if weights else ""))
    return lines


def _probability(ctx, param, value: float) -> float:
    """Refuse what FloatRange lets through: NaN compares false with both bounds."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value!r}: give a finite number in [0, 1], e.g. 0.5")
    return value


@click.command("predict")
@click.argument("checkpoint", type=click.Path(path_type=Path))
@click.argument("images", type=click.Path(path_type=Path))
@dataset_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="preds.csv",
              show_default=True, help="CSV with columns path, score, prediction.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              callback=_probability, help="Score at or above which an image is called a face.")
def predict_command(checkpoint, images, dataset_kwargs, out, threshold):
    """Score IMAGES (a dataset folder, a folder of images, or one image) with CHECKPOINT."""
    from debias.data import read_images
    from reports import class_words, classes_record
    from debias.training import load_classifier, predict_frame

    model = load_classifier(checkpoint)
    x, paths, notes = read_images(images, image_size=model.config.image_size,
                                  dataset_kwargs=dataset_kwargs)
    for note in notes:
        click.echo(f"skipped {terminal_safe(note)}", err=True)
    frame = predict_frame(model, x, paths, threshold=threshold)
    from debias._atomic import write_csv

    write_csv(frame, out)
    called = class_words(classes_record(*model.classes_))
    click.echo(f"scored {len(frame):,} images ({int(frame.prediction.sum()):,} "
               f"{'called faces' if called.faces else called.called_positive}) "
               f"-> {terminal_safe(out)}")
