"""Readable metavars (``--tolerance LOW,HIGH``, not ``TEXT``) and the help of options whose
meaning is the same in every command, filled in once for the whole command tree. An option's
own ``metavar=`` or ``help=`` always wins."""

from __future__ import annotations

import click

# By long option name: the placeholder `--help` shows after it.
METAVARS = {
    "--image-size": "PX", "--negatives": "DIR", "--out": "DIR", "--epochs": "N",
    "--batch-size": "N", "--latent-dim": "N", "--threshold": "SCORE", "--max-order": "N",
    "--min-count": "N", "--n-boot": "N", "--tolerance": "LOW,HIGH", "--seed": "INT",
    "--augment-cap": "RATIO", "--generator-epochs": "N", "--counterfactual-images": "N",
    "--model-a": "MODEL", "--model-b": "MODEL", "--cyclegan-epochs": "N", "--max-images": "N",
    "--n": "N", "--lr": "RATE", "--width": "N", "--k": "N", "--n-train": "N", "--n-test": "N",
    "--minority-share": "SHARE", "--kl-weight": "WEIGHT", "--alpha": "ALPHA", "--bins": "N",
    "--temperature": "T", "--jtt-epochs": "N", "--upweight": "FACTOR", "--afr-gamma": "GAMMA",
    "--weight-decay": "WD", "--val-fraction": "SHARE", "--patience": "EPOCHS",
}
# By (command, long option name), or (None, name) for every command: help where none is given.
HELP = {
    (None, "--epochs"): "Training epochs of each model.",
    (None, "--batch-size"): "Images per batch, half of each class.",
    (None, "--latent-dim"): "Size of the VAE's latent code.",
    (None, "--device"): "Where to train: auto (CUDA when present), cpu or cuda.",
    (None, "--seed"): "Seeds the split, the initial weights, every draw and the bootstrap.",
    ("train", "--lr"): "Adam's learning rate.",
    ("train", "--kl-weight"): "DB-VAE: weight of the KL term in the loss.",
    ("counterfactual", "--cyclegan-epochs"): "Training epochs of the CycleGAN (when no "
                                              "--cyclegan checkpoint is given).",
    ("counterfactual", "--out"): "Folder for the flip-rate tables and the pairs (default: "
                                 "none, print only).",
    ("counterfactual", "--threshold"): "Score at or above which an image is called a face.",
    ("sample", "--n"): "Number of images to sample.",
    ("sample", "--out"): "PNG file for the grid of samples.",
    ("translate", "--direction"): "a2b translates the first value's images to the second, "
                                  "b2a the other way.",
    ("synth", "--image-size"): "Side of the square images, in pixels.",
}


def readable(group: click.Group) -> click.Group:
    """Fill in metavars and missing help texts of every option under ``group``, in place."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            readable(command)
            continue
        for option in command.params:
            if not isinstance(option, click.Option) or option.is_flag:
                continue
            long = max(option.opts, key=len)
            if option.metavar is None and long in METAVARS \
                    and not isinstance(option.type, click.Choice):
                if not (isinstance(option.type, click.Path) and option.type.dir_okay is False
                        and long == "--out"):
                    option.metavar = METAVARS[long]
                else:
                    option.metavar = "FILE"
            if not (option.help or "").strip():
                option.help = HELP.get((name, long)) or HELP.get((None, long))
    return group
