"""``debias counterfactual``: would the decision change if only one attribute did?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from debias._choices import DEVICES
from debias._terminal import terminal_safe
from debias.cli.options import dataset_options
from debias.errors import DataError


@click.command("counterfactual")
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--attribute", required=True, metavar="ATTR", help="The attribute to edit.")
@click.option("--from", "from_value", required=True, metavar="VALUE", help="One value of ATTR.")
@click.option("--to", "to_value", required=True, metavar="VALUE", help="The other value.")
@click.option("--model", "models", multiple=True, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A `debias train` checkpoint to probe (repeatable).")
@click.option("--cyclegan", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CycleGAN checkpoint between the two values (default: train one).")
@click.option("--cyclegan-epochs", type=click.IntRange(1), default=5, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default="out/counterfactual", show_default=True)
@click.option("--threshold", type=float, default=0.5, show_default=True)
@click.option("--max-images", type=click.IntRange(1), default=500, show_default=True,
              help="Test faces probed per direction.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the CycleGAN and of the probes (the split is the one the models "
              "were trained on).")
@click.option("--device", type=click.Choice(DEVICES), default="auto",
              show_default=True)
def counterfactual_command(dataset, dataset_kwargs, attribute, from_value, to_value, models,
                           cyclegan, cyclegan_epochs, out, threshold, max_images, seed, device):
    """Edit test faces from one value of ATTR to the other (and back) and count flips."""
    source, target = from_value, to_value  # "target" is the dataset options' CelebA label
    from debias._atomic import safe_name, write_atomic
    from debias.augment import train_cyclegan
    from debias.counterfactual import check_values, run_probe
    from debias.data import load_dataset, reproduce_split
    from debias.models import kind_of
    from debias.training import load_classifier
    from generative import CycleGAN, interleave, load_checkpoint, load_model, save_grid

    loaded, splits = {}, {}
    for path in models:
        model = load_classifier(path)
        name = kind_of(model)
        loaded[name if name not in loaded else f"{name}:{path.stem}"] = model
        splits[path] = model.split_
    first = models[0]
    if any(record != splits[first] for record in splits.values()):
        other = next(p for p, r in splits.items() if r != splits[first])
        raise DataError(f"{first} and {other} were trained on different splits; probe models "
                        "trained on the same split together")
    data = load_dataset(dataset, **dataset_kwargs)
    train, test = reproduce_split(data, splits[first], source=str(first))
    check_values(train, attribute, source, target)
    out.mkdir(parents=True, exist_ok=True)
    if cyclegan is None:
        click.echo(terminal_safe(f"training a CycleGAN {attribute}: {source} <-> {target} "
                                 f"({cyclegan_epochs} epochs)"), err=True)
        translator = train_cyclegan(train, attribute, source, target, epochs=cyclegan_epochs,
                                    seed=seed, checkpoint=out / "cyclegan.pt", device=device)
    else:
        translator = load_model(cyclegan)
        extra = load_checkpoint(cyclegan)["extra"]
        if not isinstance(translator, CycleGAN):
            raise DataError(f"{cyclegan} holds a {type(translator).__name__}, not a CycleGAN")
        if (extra.get("domain_a"), extra.get("domain_b")) != (source, target):
            raise DataError(f"{cyclegan} translates {extra.get('domain_a')!r} <-> "
                            f"{extra.get('domain_b')!r}, not {source!r} <-> {target!r}")
    result = run_probe(train, test, loaded, translator, attribute=attribute, source=source,
                       target=target, threshold=threshold, seed=seed, max_images=max_images)
    probed = result
    result = probed.summary
    for i, (d, examples) in enumerate(zip(result["directions"], probed.examples)):
        originals, edited = examples.originals, examples.edited
        grid = out / f"pairs_{i}_{d['edit'].split()[0]}_{safe_name(d['from'])}_to_{safe_name(d['to'])}.png"
        save_grid(interleave(originals[:16], edited[:16]), grid)
        d["gallery"] = grid.name
        flips = ", ".join(f"{name} {s['flip_rate']:.3f} (pos->neg {s['pos_to_neg_rate']:.3f})"
                          for name, s in d["models"].items())
        click.echo(terminal_safe(
            f"{d['edit']} {d['from']} -> {d['to']} ({d['models'][next(iter(d['models']))]['n']} "
            f"faces): flip rate {flips}; edit success {d['edit_success']:.3f} "
            f"(originals {d['source_called_target']:.3f}); still a face "
            f"{d['target_preserved']:.3f} (originals {d['originals_preserved']:.3f}); "
            f"brightness {d['colour_original']['brightness']:.3f}"
            f" -> {d['colour_edited']['brightness']:.3f}"))
    text = json.dumps(result, indent=1, ensure_ascii=False)
    write_atomic(out / "counterfactual.json", lambda tmp: Path(tmp).write_text(text, "utf-8"))
    click.echo(f"result: {terminal_safe(out / 'counterfactual.json')}")
