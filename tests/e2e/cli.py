"""Running the CLI as a user does: a fresh process, its exit code and its stderr."""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args, cwd=None):
    """Run ``python -m debias ARGS`` in a fresh process (one torch thread, so tests stay
    steady on a busy 2-core machine)."""
    env = {**os.environ, "COLUMNS": "200", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "debias", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)


def assert_one_line_error(result, code, pattern):
    """The process failed with ``code`` and said why in one line containing ``pattern``."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert pattern in lines[0]


def assert_error_after_progress(result, code, pattern):
    """Like :func:`assert_one_line_error`, for commands that print progress lines to stderr
    before failing: exactly one ``error:`` line, the last, containing ``pattern``."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert pattern in errors[0]
