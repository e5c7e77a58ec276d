"""Start-up time of ``debias --help`` and ``debias audit --help`` as a user runs them, as JSON.

Each run is a fresh subprocess of the ``debias`` console script next to this interpreter (or
``python -m debias`` where there is none). One extra ``python -X importtime -m debias --help``
run counts the torch modules imported. The goal is a median under one second for both.

    python benchmarks/cli_startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 1.0


def debias_command() -> list[str]:
    script = Path(sys.executable).parent / "debias"
    return [str(script)] if script.exists() else [sys.executable, "-m", "debias"]


def wall_times(command: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        times.append(time.perf_counter() - start)
        check(command, result)
    return times


def check(command: list[str], result: subprocess.CompletedProcess) -> None:
    if result.returncode:
        tail = "\n".join(result.stderr.splitlines()[-5:])
        sys.exit(f"{' '.join(command)} exited {result.returncode}:\n{tail}")


def torch_modules_imported() -> int:
    """Torch modules named by ``-X importtime`` for ``python -m debias --help``."""
    command = [sys.executable, "-X", "importtime", "-m", "debias", "--help"]
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    check(command, result)
    names = [line.rpartition("|")[2].strip() for line in result.stderr.splitlines()
             if line.startswith("import time:")]
    return sum(name == "torch" or name.startswith("torch.") for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each command")
    args = parser.parse_args()

    base = debias_command()
    results = {}
    for label, extra in (("debias --help", ["--help"]),
                         ("debias audit --help", ["audit", "--help"])):
        times = wall_times(base + extra, args.repeats)
        results[label] = {
            "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3),
            "max_s": round(max(times), 3),
            "times_s": [round(t, 3) for t in times],
        }
    torch_count = torch_modules_imported()
    print(json.dumps({
        "benchmark": "cli_startup",
        "command": " ".join(base),
        "repeats": args.repeats,
        "commands": results,
        "torch_imported": torch_count > 0,
        "torch_modules": torch_count,
        "goal_s": GOAL_S,
        "met": all(r["median_s"] < GOAL_S for r in results.values()),
    }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
