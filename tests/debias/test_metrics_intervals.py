"""Per-group intervals: Jeffreys intervals stay honest at 0 and n, where a percentile
bootstrap collapses; their coverage is close to nominal for small n near 0 and 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from debias.metrics import AuditConfig, audit_predictions
from debias.metrics._bootstrap import interval, jeffreys_intervals, rates, resample_counts


def tpr_counts(n: int) -> np.ndarray:
    """Confusion counts (n + 1, 4) of a group of n positives with 0..n of them found."""
    hits = np.arange(n + 1)
    counts = np.zeros((n + 1, 4), dtype=np.int64)
    counts[:, 3], counts[:, 2] = hits, n - hits  # TP, FN
    return counts


@pytest.mark.parametrize("n", [30, 60, 120])
def test_exact_coverage_is_near_nominal_near_0_and_1(n):
    low, high = jeffreys_intervals(tpr_counts(n))["tpr"]
    hits = np.arange(n + 1)
    for p in (0.003, 0.01, 0.02, 0.05, 0.5, 0.95, 0.98, 0.99, 0.997):
        # Exact: the probability, over X ~ Binomial(n, p), that the interval of X covers p.
        coverage = binom.pmf(hits, n, p)[(low <= p) & (p <= high)].sum()
        assert coverage >= 0.90, (n, p, coverage)


def test_intervals_do_not_collapse_where_a_percentile_bootstrap_does():
    perfect = np.array([[0, 0, 0, 30]])  # 30 faces, none missed
    boot = interval(rates(resample_counts(perfect, n_boot=1000, seed=0))["tpr"])
    assert (float(boot[0][0]), float(boot[1][0])) == (1.0, 1.0)  # what the report showed
    low, high = jeffreys_intervals(perfect)["tpr"]
    assert high[0] == 1.0 and 0.85 < low[0] < 1.0
    low, high = jeffreys_intervals(np.array([[30, 0, 0, 0]]))["fpr"]  # no false positive
    assert low[0] == 0.0 and 0.0 < high[0] < 0.15


def area(y: np.ndarray, x: np.ndarray) -> float:
    """Trapezoid rule."""
    return float(((y[1:] + y[:-1]) / 2 * np.diff(x)).sum())


def test_interior_bounds_hold_the_posterior_mass_by_numerical_integration():
    # A second code path: integrate the Beta(x + 1/2, n - x + 1/2) density on a grid.
    x, n = 7, 40
    counts = np.array([[0, 0, n - x, x]])
    low, high = (b[0] for b in jeffreys_intervals(counts, level=0.9)["tpr"])
    grid = np.linspace(1e-9, 1 - 1e-9, 400_001)
    density = grid ** (x - 0.5) * (1 - grid) ** (n - x - 0.5)
    density /= area(density, grid)
    inside = (grid >= low) & (grid <= high)
    assert area(density[inside], grid[inside]) == pytest.approx(0.9, abs=1e-3)
    below = grid <= low
    assert area(density[below], grid[below]) == pytest.approx(0.05, abs=1e-3)


def test_audit_gives_a_group_without_misses_an_interval_below_1():
    n = 200
    y = np.r_[np.ones(n), np.zeros(n)].astype(int)
    tone = np.r_[np.repeat(["light", "dark"], n // 2), np.repeat(["light", "dark"], n // 2)]
    scores = np.where(y == 1, 0.9, 0.1)
    scores[:10] = 0.2  # ten light faces missed; no dark face missed
    result = audit_predictions(y, scores, pd.DataFrame({"tone": tone}), AuditConfig(n_boot=200))
    row = result.per_group.set_index(["slice", "group"]).loc[("tone", "dark")]
    assert row.tpr == 1.0 and row.tpr_high == 1.0 and 0.95 < row.tpr_low < 1.0
    light = result.per_group.set_index(["slice", "group"]).loc[("tone", "light")]
    assert light.tpr == pytest.approx(0.9) and light.tpr_low < light.tpr < light.tpr_high


def test_every_verdict_metric_the_cli_offers_is_measured():
    from debias._choices import VERDICT_METRICS
    from debias.metrics import METRICS

    assert set(VERDICT_METRICS) == set(METRICS)
