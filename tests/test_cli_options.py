"""Every command-line option has a help text and a metavar a reader understands: never a bare
click type name (TEXT, INTEGER, FLOAT, INTEGER RANGE, ...)."""

from __future__ import annotations

import click

from debias.cli.app import cli

GENERIC = {"TEXT", "INTEGER", "FLOAT", "INTEGER RANGE", "FLOAT RANGE", "DIRECTORY", "PATH",
           "FILENAME", "BOOLEAN"}


def options():
    def walk(command, name):
        if isinstance(command, click.Group):
            for sub_name, sub in sorted(command.commands.items()):
                yield from walk(sub, f"{name} {sub_name}")
            return
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                yield name, command, param
    yield from walk(cli, "debias")


def test_every_option_has_help_and_a_readable_metavar():
    missing_help, generic = [], []
    for name, command, option in options():
        if not (option.help or "").strip():
            missing_help.append(f"{name} {option.opts[-1]}")
        if option.is_flag or option.count:
            continue
        metavar = option.make_metavar(click.Context(command, info_name=name))
        if metavar.strip("[].").strip() in GENERIC:
            generic.append(f"{name} {option.opts[-1]} {metavar}")
    assert not missing_help, f"options without help: {missing_help}"
    assert not generic, f"options with a bare type as metavar: {generic}"


def test_the_tolerance_reads_low_high():
    audit = cli.commands["audit"]
    tolerance = next(p for p in audit.params if p.name == "tolerance")
    assert tolerance.make_metavar(click.Context(audit)) == "LOW,HIGH"


def test_library_parameters_are_named_by_their_flags():
    from debias.cli.flags import as_flags

    assert as_flags("`group_columns` are read only by") == "--balance-by are read only by"
