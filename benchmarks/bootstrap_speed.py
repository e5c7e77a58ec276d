"""Time of the audit's stratified bootstrap: 100,000 predictions x 20 groups, 1000 resamples.

Prints JSON: the bootstrap of confusion counts alone, the whole ``audit_predictions``
(per-group table through fairlearn, CIs for every metric and disparity, verdicts, sweep), the
paired comparison of a second model with the first on the same images (``paired_comparison``
on the FNR; alone, and reusing the audits' per-group tables as the audit does), and the total
for two models (both audits and the paired comparison as the audit runs it).

    python benchmarks/bootstrap_speed.py [--n 100000] [--groups 20] [--n-boot 1000]
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args()

    import numpy as np
    import pandas as pd

    from debias.metrics import (
        AuditConfig, audit_predictions, confusion_strata, paired_comparison, rates, resample_counts,
    )

    rng = np.random.default_rng(0)
    group = rng.integers(0, args.groups, args.n)
    attrs = pd.DataFrame({"group": [f"g{g:02d}" for g in group]})
    y = rng.integers(0, 2, args.n)
    scores = np.clip(0.5 * y + rng.normal(0.25, 0.2, args.n) - 0.01 * group * y, 0, 1)
    # A second model, correlated with the first: same images, slightly better on faces.
    scores_b = np.clip(scores + rng.normal(0.0, 0.05, args.n) + 0.005 * group * y, 0, 1)
    config = AuditConfig(n_boot=args.n_boot, max_order=1)

    start = time.perf_counter()
    strata, counts = confusion_strata(y, (scores >= 0.5).astype(int), attrs)
    samples = rates(resample_counts(counts, n_boot=args.n_boot, seed=0))
    bootstrap_s = time.perf_counter() - start

    start = time.perf_counter()
    result = audit_predictions(y, scores, attrs, config)
    audit_s = time.perf_counter() - start

    start = time.perf_counter()
    result_b = audit_predictions(y, scores_b, attrs, config)
    audit_b_s = time.perf_counter() - start

    start = time.perf_counter()
    paired = paired_comparison(y, scores, scores_b, attrs, config, metric="fnr")
    paired_s = time.perf_counter() - start

    # What the audit does: the per-group tables come from the two audits above.
    start = time.perf_counter()
    paired_comparison(y, scores, scores_b, attrs, config, metric="fnr",
                      per_group=(result.per_group, result_b.per_group))
    paired_reused_s = time.perf_counter() - start
    change = paired.gaps[["change", "change_low", "change_high"]].iloc[0]
    print(json.dumps({"n": args.n, "groups": args.groups, "n_boot": args.n_boot,
                      "bootstrap_counts_s": round(bootstrap_s, 3),
                      "audit_predictions_s": round(audit_s, 3),
                      "paired_comparison_s": round(paired_s, 3),
                      "paired_comparison_reusing_tables_s": round(paired_reused_s, 3),
                      "total_two_models_s": round(audit_s + audit_b_s + paired_reused_s, 3),
                      "paired_fnr_gap_change_ci": change.round(4).tolist(),
                      "per_group_rows": len(result.per_group),
                      "disparity_rows": len(result.disparities),
                      "resampled_accuracy_shape": list(samples["accuracy"].shape)}, indent=2))


if __name__ == "__main__":
    main()
