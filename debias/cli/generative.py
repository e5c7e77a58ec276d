"""``debias generative``: train and look at the AE, VAE, GAN and CycleGAN on their own."""

from __future__ import annotations

from pathlib import Path

import click

from debias._terminal import terminal_safe
from debias.cli.options import dataset_options
from debias.errors import DataError

KINDS = ("ae", "vae", "gan", "cyclegan")
# epochs, batch size: small enough for a CPU, as in the papers otherwise
_DEFAULTS = {"ae": (20, 64), "vae": (20, 64), "gan": (25, 64), "cyclegan": (10, 4)}


def _training_images(dataset: str, dataset_kwargs: dict, images: str, seed: int):
    """The train split of DATASET (faces only unless ``images == "all"``)."""
    from debias.data import load_dataset

    data = load_dataset(dataset, **dataset_kwargs)
    train, _ = data.split(seed=seed)
    return train if images == "all" else train.subset((train.labels == 1).numpy())


def _values(data, attribute: str) -> list[str]:
    if attribute not in data.attributes:
        raise DataError(f"attribute {attribute!r} not in the dataset "
                        f"(attributes: {', '.join(data.attributes) or 'none'})")
    return sorted(data.meta[attribute].unique())


def _build(kind: str, *, image_size: int, latent_dim: int, width: int | None, n_classes: int):
    from generative import VAE, Autoencoder, AutoencoderConfig, VAEConfig

    if kind == "ae":
        return Autoencoder(AutoencoderConfig(image_size=image_size, latent_dim=latent_dim,
                                             width=width or 1))
    if kind == "vae":
        return VAE(VAEConfig(image_size=image_size, latent_dim=latent_dim, width=width or 1))
    if kind == "gan":
        from generative import GAN, GANConfig

        return GAN(GANConfig(image_size=image_size, latent_dim=latent_dim, width=width or 32,
                             n_classes=n_classes))
    from generative import CycleGAN, CycleGANConfig

    return CycleGAN(CycleGANConfig(image_size=image_size, width=width or 16, n_blocks=4))


@click.group("generative")
def generative_cli() -> None:
    """Train and look at the generative models (AE, VAE, GAN, CycleGAN) on their own."""


@generative_cli.command("train")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for model.pt, history.csv and samples.png.")
@click.option("--epochs", type=click.IntRange(1), help="Default: ae/vae 20, gan 25, cyclegan 10.")
@click.option("--batch-size", type=click.IntRange(1), help="Default: 64 (cyclegan 4).")
@click.option("--lr", type=click.FloatRange(0, min_open=True), help="Default: the model's own.")
@click.option("--latent-dim", type=click.IntRange(1), default=100, show_default=True)
@click.option("--width", type=click.IntRange(1), help="Filter multiplier (ae/vae, default 1) "
              "or base filters (gan 32, cyclegan 16).")
@click.option("--images", type=click.Choice(["faces", "all"]), default="faces", show_default=True,
              help="Train on the faces of the train split, or on every training image.")
@click.option("--condition", metavar="ATTR", help="gan: one class per value of ATTR.")
@click.option("--attribute", metavar="ATTR", help="cyclegan: the attribute to translate.")
@click.option("--from", "from_", metavar="VALUE", help="cyclegan: domain A value.")
@click.option("--to", metavar="VALUE", help="cyclegan: domain B value.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
              show_default=True)
@click.option("--resume", is_flag=True, help="Continue from OUT/model.pt.")
@click.option("--overwrite", is_flag=True, help="Start again even if OUT/model.pt exists.")
def train_command(kind, dataset, dataset_kwargs, out, epochs, batch_size, lr, latent_dim, width,
                  images, condition, attribute, from_, to, seed, device, resume, overwrite):
    """Train a KIND model on DATASET's training split and write it to --out."""
    import pandas as pd
    import torch

    from generative import ImageBatches, TrainerConfig, UnpairedBatches, save_grid, seeded, train

    checkpoint = out / "model.pt"
    if checkpoint.exists() and not (resume or overwrite):
        raise DataError(f"{checkpoint} exists; pass --resume to continue it or --overwrite")
    if kind == "cyclegan" and not (attribute and from_ and to):
        raise DataError("cyclegan needs --attribute ATTR --from VALUE --to VALUE")
    if condition and kind != "gan":
        raise DataError("--condition is for gan only")
    default_epochs, default_batch = _DEFAULTS[kind]
    data = _training_images(dataset, dataset_kwargs, images, seed)
    extra: dict = {"dataset": str(Path(dataset).resolve()), "images": images}
    classes: list[str] = []
    if kind == "cyclegan":
        from debias.augment import cyclegan_domains

        domain_a, domain_b = cyclegan_domains(data, attribute, from_, to)
        batches = UnpairedBatches(domain_a, domain_b, batch_size=batch_size or default_batch)
        extra.update(attribute=attribute, domain_a=from_, domain_b=to)
    elif condition:
        classes = _values(data, condition)
        codes = pd.Categorical(data.meta[condition], categories=classes).codes
        batches = ImageBatches(data.images, torch.from_numpy(codes.astype("int64")),
                               batch_size=batch_size or default_batch)
        extra.update(condition=condition, classes=classes)
    else:
        batches = ImageBatches(data.images, batch_size=batch_size or default_batch)
    # The VAE preview's reconstructions draw from the global generator too, so they stay in
    # the seeded block with the model's construction and training.
    with seeded(seed):
        model = _build(kind, image_size=data.image_size, latent_dim=latent_dim, width=width,
                       n_classes=len(classes))
        n_epochs = epochs or default_epochs
        config = TrainerConfig(epochs=n_epochs, lr=lr, device=device, seed=seed,
                               checkpoint=str(checkpoint), resume=resume, checkpoint_extra=extra,
                               decay_start_epoch=n_epochs // 2 if kind == "cyclegan" else None)
        out.mkdir(parents=True, exist_ok=True)
        click.echo(f"training {type(model).__name__} on {len(data):,} images "
                   f"({len(batches)} steps/epoch x {n_epochs} epochs)", err=True)
        result = train(model, batches, config)
        history = pd.DataFrame(result.history)
        from debias._atomic import write_csv

        write_csv(history, out / "history.csv")
        preview = _preview(model.cpu(), data, kind, extra)
        save_grid(preview, out / "samples.png", nrow=8)
    last = history.tail(max(1, len(batches))).mean(numeric_only=True)
    losses = ", ".join(f"{k} {v:.4f}" for k, v in last.items() if k.endswith("loss"))
    click.echo(f"done: {result.steps} steps; last-epoch mean {losses}")
    # a path may hold a newline too: escaped, not a forged line
    click.echo(f"model: {terminal_safe(checkpoint)}\nsamples: {terminal_safe(out / 'samples.png')}"
               f"\nhistory: {terminal_safe(out / 'history.csv')}")


def _preview(model, data, kind: str, extra: dict):
    """Images to look at: reconstructions (ae), samples (vae, gan), translations (cyclegan)."""
    import torch

    from generative import interleave, to_float

    g = torch.Generator().manual_seed(0)
    x = to_float(data.images[torch.randperm(len(data), generator=g)[:32]])
    with torch.no_grad():
        if kind == "ae":
            return interleave(x, model(x))
        if kind == "vae":
            return torch.cat([model.sample(32, generator=g), x[:16], model(x[:16])[0]])
        if kind == "gan":
            n_classes = len(extra.get("classes", []))
            classes = torch.arange(64) % n_classes if n_classes else None
            return model.sample(64, classes=classes, generator=g)
        from debias.augment import cyclegan_domains

        domain_a, _ = cyclegan_domains(data, extra["attribute"], extra["domain_a"],
                                       extra["domain_b"])
        a = to_float(domain_a[:32])
        return interleave(a, model.translate(a, "a2b"))


@generative_cli.command("sample")
@click.argument("checkpoint", type=click.Path(path_type=Path))
@click.option("--n", type=click.IntRange(1, 1024), default=64, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="samples.png",
              show_default=True)
@click.option("--class", "class_name", metavar="VALUE", help="Conditional GAN: the class to draw.")
@click.option("--seed", type=int, default=0, show_default=True)
def sample_command(checkpoint, n, out, class_name, seed):
    """Draw N images from a VAE or GAN checkpoint into a grid PNG."""
    import torch

    from generative import load_checkpoint, load_model, save_grid

    model = load_model(checkpoint)
    extra = load_checkpoint(checkpoint)["extra"]
    g = torch.Generator().manual_seed(seed)
    name = type(model).__name__
    if name == "GAN":
        classes = None
        names = extra.get("classes", [])
        if class_name is not None:
            if class_name not in names:
                raise DataError(f"--class {class_name!r}: this GAN knows "
                                f"{', '.join(names) if names else 'no classes (unconditional)'}")
            classes = torch.full((n,), names.index(class_name), dtype=torch.long)
        elif names:
            classes = torch.arange(n) % len(names)
        images = model.sample(n, classes=classes, generator=g)
    elif name == "VAE":
        if class_name is not None:
            raise DataError("--class is for a conditional GAN")
        images = model.sample(n, generator=g)
    else:
        raise DataError(f"a {name} has no prior to sample from (use a VAE or GAN checkpoint)")
    save_grid(images, out, nrow=8)
    click.echo(f"wrote {n} samples to {terminal_safe(out)}")


@generative_cli.command("translate")
@click.argument("checkpoint", type=click.Path(path_type=Path))
@click.argument("images", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the translated PNGs and pairs.png.")
@click.option("--direction", type=click.Choice(["a2b", "b2a"]), default="a2b", show_default=True)
def translate_command(checkpoint, images, out, direction):
    """Translate IMAGES (a file or a folder) with a CycleGAN checkpoint."""
    import torch
    from PIL import Image

    from debias.data import read_image_files
    from generative import (
        CycleGAN, interleave, load_checkpoint, load_model, save_grid, to_float, to_uint8,
    )

    model = load_model(checkpoint)
    if not isinstance(model, CycleGAN):
        raise DataError(f"{checkpoint} holds a {type(model).__name__}, not a CycleGAN")
    pixels, paths, notes = read_image_files(images, image_size=model.config.image_size)
    for note in notes:
        click.echo(f"skipped {terminal_safe(note)}", err=True)
    names = [Path(p).with_suffix(".png") for p in paths]
    x = to_float(pixels)
    translated = torch.cat([model.translate(chunk, direction) for chunk in x.split(64)])
    for name, image in zip(names, translated):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(to_uint8(image).permute(1, 2, 0).numpy()).save(target)
    save_grid(interleave(x[:32], translated[:32]), out / "pairs.png")
    extra = load_checkpoint(checkpoint)["extra"]
    src, dst = ("domain_a", "domain_b") if direction == "a2b" else ("domain_b", "domain_a")
    what = f" ({extra.get('attribute')}: {extra.get(src)} -> {extra.get(dst)})" if extra.get(src) else ""
    click.echo(terminal_safe(f"translated {len(names)} images{what} into {out} "
                             f"(pairs: {out / 'pairs.png'})"))
