"""The ``debias`` group, the small commands, and ``main``: every command gives a one-line error
and exit 2 on bad input.

Error messages echo user data (paths, attribute values), so ``main`` prints them through
:func:`debias._terminal.one_line`: control characters escaped (no terminal escape sequence, no
forged line), long words such as a 10,000-character path shortened keeping their start and
end, and the whole message cut to about 300 characters."""

from __future__ import annotations

import errno
import json
import os
from importlib.metadata import version

import click

from debias._terminal import json_text_safe, one_line, terminal_safe
from debias.cli.flags import as_flags
from debias.cli.options import dataset_options
from debias.errors import DebiasError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("debias"), prog_name="debias")
def cli() -> None:
    """Audit image classifiers (face detectors first of all) for subgroup bias.

    Start with `debias synth DIR` for a built-in biased benchmark, or point
    `debias inspect` at your own dataset folder.
    """


@cli.command()
@click.argument("out", type=click.Path(path_type=str))
@click.option("--n-train", type=click.IntRange(8), default=4000, show_default=True,
              help="Training images (half faces, half non-faces).")
@click.option("--n-test", type=click.IntRange(8), default=2000, show_default=True,
              help="Test images (half faces balanced over skin tone x gender, half non-faces).")
@click.option("--minority-share", type=click.FloatRange(0.0, 0.5), default=0.05,
              show_default=True, help="Share of dark-skinned faces in the training split.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--image-size", type=click.IntRange(16, 512), default=64, show_default=True)
@click.option("--bias", type=click.Choice(["default", "underrep"]), default="default",
              show_default=True, help="underrep: no non-face is skin-coloured, so the minority "
              "share is the only source of the recall gap (default: skin-coloured ovals of "
              "both tones among the non-faces, which also cost dark faces).")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def synth(out, n_train, n_test, minority_share, seed, image_size, bias, overwrite) -> None:
    """Write the synthetic face / non-face bias benchmark to OUT (CSV layout)."""
    from debias.synth import make_synthetic_benchmark

    path = make_synthetic_benchmark(out, n_train=n_train, n_test=n_test,
                                    minority_share=minority_share, seed=seed,
                                    image_size=image_size, bias=bias, overwrite=overwrite)
    click.echo(f"wrote {n_train + n_test:,} images and labels.csv to {terminal_safe(path)}")


@cli.command()
@click.argument("dataset", type=click.Path(path_type=str))
@dataset_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def inspect(dataset, dataset_kwargs, as_json) -> None:
    """Show what was found in DATASET: counts per label, attribute and pair, skipped files."""
    from debias.cli.inspect_text import summary_text
    from debias.data import load_dataset

    data = load_dataset(dataset, **dataset_kwargs)
    summary = data.summary()
    if as_json:  # every value whole; what a terminal would act on as a \uXXXX escape
        click.echo(json_text_safe(json.dumps(summary, indent=2, ensure_ascii=False)))
    else:
        click.echo(summary_text(summary))


def _register_subcommands() -> None:
    from debias.cli.audit import audit_command, report_command
    from debias.cli.metavars import readable
    from debias.cli.compare import compare_command
    from debias.cli.counterfactual import counterfactual_command
    from debias.cli.generative import generative_cli
    from debias.cli.latent import latent_command
    from debias.cli.train import predict_command, train_command

    cli.add_command(train_command)
    cli.add_command(predict_command)
    cli.add_command(audit_command)
    cli.add_command(report_command)
    cli.add_command(compare_command)
    cli.add_command(counterfactual_command)
    cli.add_command(latent_command)
    cli.add_command(generative_cli)
    readable(cli)


_register_subcommands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn errors into a one-line message and an exit code.

    0 done, 1 unexpected failure, 2 bad data or usage, 130 interrupted.
    """
    try:
        result = cli.main(args=argv, prog_name="debias", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.ClickException as err:
        # e.g. "Invalid value for '--predictions': Path '<what was typed>' does not exist."
        message = one_line(err.format_message())
        err.format_message = lambda: message  # what show() prints after "Error: "
        err.show()
        return err.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130
    except DebiasError as err:
        if os.environ.get("RANK", "0") == "0":  # under torchrun, one copy of the message
            click.echo(f"error: {one_line(as_flags(str(err)))}", err=True)
        return err.exit_code
    except Exception as err:
        if os.environ.get("DEBIAS_DEBUG"):
            raise
        full = _disk_full(err)
        if full is not None:
            click.echo(f"error: {one_line(full)}", err=True)
            return 1
        known = _known_error(err)
        if known is not None:
            click.echo(f"error: {one_line(as_flags(str(err)))}", err=True)
            return known
        detail = str(err).splitlines()[0] if str(err) else ""
        click.echo(f"error: unexpected {terminal_safe(type(err).__name__)}: {one_line(detail)} "
                   "(set DEBIAS_DEBUG=1 to see the traceback)", err=True)
        return 1


def _disk_full(err: BaseException) -> str | None:
    """The message for a full disk, however it surfaced (an OSError, or torch's checkpoint
    writer: "[enforce fail at inline_container.cc] ... file write failed"), else None."""
    seen = err
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            where = f" while writing {seen.filename}" if seen.filename else ""
            return f"no space left on the device{where}: free some space and run again"
        text = str(seen)
        if isinstance(seen, RuntimeError) and "inline_container" in text and "write" in text:
            return ("could not write a checkpoint (the disk is probably full): free some space "
                    "and run again")
        seen = seen.__cause__ or seen.__context__
    return None


def _known_error(err: Exception) -> int | None:
    """Exit code for errors of the generative package that are not bugs, else None."""
    from generative import CheckpointError, TrainingDiverged

    if isinstance(err, CheckpointError):
        return 2
    if isinstance(err, TrainingDiverged):
        return 1
    return None

