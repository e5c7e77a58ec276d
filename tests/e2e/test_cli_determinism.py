"""Same data, same seed: the same audit, whatever ran before (stages seed their own
generators and leave the process-wide ones alone)."""

from __future__ import annotations

import json

from debias.synth import make_synthetic_benchmark
from tests.e2e.cli import run_cli

VOLATILE = ("created", "runtime_s")  # and every "...seconds" key: wall-clock time


def stable(value):
    """``value`` without timestamps and timings."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items()
                if k not in VOLATILE and "seconds" not in k}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def test_two_audits_with_the_same_seed_write_the_same_result(tmp_path):
    data = make_synthetic_benchmark(tmp_path / "data", n_train=96, n_test=32,
                                    minority_share=0.25, image_size=32, progress=False)
    results = []
    for name in ("first", "second"):
        out = tmp_path / name
        done = run_cli("audit", data, "--image-size", 32, "--out", out, "--epochs", 1, "--allow-degenerate",
                       "--batch-size", 16, "--latent-dim", 8, "--n-boot", 50, "--seed", 5)
        assert done.returncode == 0, done.stderr
        results.append(json.loads((out / "result.json").read_text()))
    first, second = (stable(r) for r in results)
    assert set(first["models"]) == {"baseline", "dbvae"} and "latent" in first
    assert first == second
    # Equal because the same things were measured, not because nothing was: trained models'
    # losses and the latent analysis of the test faces are in both.
    assert first["models"]["dbvae"]["training"]["epochs"][0]["reconstruction"] > 0
    assert first["latent"]["faces"] > 0 and first["latent"]["by_group"]
