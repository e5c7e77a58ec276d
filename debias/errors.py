"""Exceptions that the CLI turns into a one-line message and an exit code."""


class DebiasError(Exception):
    """Base class of the errors ``debias`` raises on purpose."""

    exit_code = 1


class DataError(DebiasError, ValueError):
    """Bad data or bad usage: the CLI prints the message and exits with status 2."""

    exit_code = 2
