"""Click options shared by every command that reads a dataset."""

from __future__ import annotations

import functools

import click

from debias._choices import AUGMENT_METHODS, FORMATS, VAE_ON


def split_list(ctx, param, value):
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise click.BadParameter("give at least one name, comma-separated")
    return items


def dataset_options(command):
    """Add the dataset-reading options and pass them on as one ``dataset_kwargs`` dict."""
    options = [
        click.option("--format", "format_", type=click.Choice(FORMATS), default="auto",
                     show_default=True, help="Dataset layout (auto-detected by default)."),
        click.option("--image-size", type=click.IntRange(8, 1024), default=64, show_default=True,
                     help="Side of the square images after centre-crop and resize."),
        click.option("--attributes", callback=split_list, metavar="A,B",
                     help="Subgroup attribute columns to use (default: all the layout offers)."),
        click.option("--positive", metavar="NAME",
                     help="The positive class: a label value when the CSV's labels are class "
                     "names, or a folder name when the dataset is two class folders "
                     "(e.g. --positive female beside male/)."),
        click.option("--class-names", metavar="POS,NEG",
                     help="What the two classes are called in the report and the terminal "
                     "(default: the data's class or folder names; face,non-face for "
                     "face/nonface labels and faces/ folders; else positive,negative)."),
        click.option("--target", metavar="COLUMN", help="Audit a classifier of this column "
                     "instead of `label` (CSV layout: e.g. --target gender --positive female; "
                     "rows without a value are left out) or of this CelebA attribute."),
        click.option("--negatives", type=click.Path(file_okay=False, path_type=str),
                     help="Folder of negative (non-face) images for face-only sets."),
        click.option("--allow-unmatched", is_flag=True, help="Folder layout: go on when "
                     "attributes.csv names fewer than half the faces (the rest are unknown)."),
        click.option("--bin-edges", multiple=True, metavar="ATTR=E1,E2,...",
                     help="Bin a numeric attribute into ranges starting at these edges, e.g. "
                     "age=0,18,30,45,60 gives 0–17, 18–29, 30–44, 45–59, 60+ (repeatable). "
                     "Without it, a numeric attribute of more than 12 values is binned at its "
                     "quartiles."),
        click.option("--no-cache", is_flag=True, help="Decode again; do not read or write the cache."),
        click.option("--memory-budget", metavar="SIZE", help="Memory the decoded images may take "
                     "(e.g. 8GB); larger datasets are memmapped from disk. Default: "
                     "$DEBIAS_MEMORY_BUDGET, else half the RAM."),
    ]

    @functools.wraps(command)
    def wrapper(*args, format_, image_size, attributes, positive, class_names, target,
                negatives, allow_unmatched, bin_edges, no_cache, memory_budget, **kwargs):
        kwargs["dataset_kwargs"] = dict(
            format=format_, image_size=image_size, attributes=attributes, positive=positive,
            target=target, negatives=negatives, cache=not no_cache, memory_budget=memory_budget,
            allow_unmatched=allow_unmatched, bin_edges=list(bin_edges) or None,
            class_names=class_names)
        return command(*args, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def augment_options(function):
    """--augment, --augment-by, --augment-cap, --generator-epochs (``debias train``/``audit``)."""
    options = [
        click.option("--augment", type=click.Choice(AUGMENT_METHODS),
                     help="Add synthetic faces of the under-represented values of --augment-by "
                     "to the training split: CycleGAN translations of the most common value, "
                     "or class-conditional GAN samples."),
        click.option("--augment-by", metavar="ATTR", help="Attribute to balance (default: the "
                     "one whose face counts differ most)."),
        click.option("--augment-cap", type=click.FloatRange(0, min_open=True), default=4.0,
                     show_default=True, help="At most this many synthetic faces per real face "
                     "of a value (fewer once the values are balanced)."),
        click.option("--generator-epochs", type=click.IntRange(1), default=5, show_default=True,
                     help="Training epochs of the CycleGAN / GAN."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def augment_settings(augment, augment_by, augment_cap, generator_epochs):
    """The ``--augment*`` options as the library's ``AugmentSettings`` (None: no augmentation)."""
    if augment is None:
        return None
    from debias.training import AugmentSettings

    return AugmentSettings(method=augment, attribute=augment_by, cap=augment_cap,
                           generator_epochs=generator_epochs)


# DB-VAE's --vae-on, the same on `debias train` and `debias audit`.
vae_on_option = click.option(
    "--vae-on", type=click.Choice(VAE_ON), default="positive", show_default=True,
    help="DB-VAE: the images its VAE models and resamples by rarity. positive: faces only, for "
    "face detection (non-faces are only classified and drawn uniformly). all: every image, "
    "when both classes are people (e.g. a gender classifier); each class's rare images are "
    "drawn more often within that class, and batches stay half and half. The baseline "
    "ignores it.")
