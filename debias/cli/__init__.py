"""The ``debias`` command line (click). It parses options, calls one library function per
command and prints; the library never imports it.

Importing this package imports no torch: each command imports what it needs when it runs, so
``debias --help`` starts at once.
"""

from debias.cli.app import cli, main

__all__ = ["cli", "main"]


def _console_main() -> None:
    """The ``debias`` console script."""
    import sys

    sys.exit(main())
