"""run_audit as a library call: returns (result, metrics), leaves its settings untouched."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from debias.audit import AuditRun, run_audit
from debias.metrics import AuditConfig, AuditMetrics
from debias.synth import make_synthetic_benchmark


def test_run_audit_returns_result_and_metrics_and_leaves_the_run_as_it_was(tmp_path):
    root = make_synthetic_benchmark(tmp_path / "data", n_train=64, n_test=64,
                                    minority_share=0.25, image_size=16, progress=False)
    labels = pd.read_csv(root / "labels.csv")
    test = labels[labels["split"] == "test"]
    rng = np.random.default_rng(0)
    scores = np.clip((test["label"] == "face") * 0.7 + rng.random(len(test)) * 0.3, 0, 1)
    pd.DataFrame({"path": test["path"], "score": scores}).to_csv(tmp_path / "p.csv", index=False)
    run = AuditRun(dataset=str(root), out=tmp_path / "out", predictions=tmp_path / "p.csv",
                   dataset_kwargs={"image_size": 16}, metrics=AuditConfig(n_boot=20))

    result, metrics = run_audit(run, log=lambda message: None)

    assert run.metrics.reference == {}  # the defaults went to the result, not into the run
    assert result["config"]["default_reference"] and result["config"]["reference"] == {}
    assert list(metrics) == ["external"] and isinstance(metrics["external"], AuditMetrics)
    assert "_metrics" not in result
    assert json.loads((tmp_path / "out" / "result.json").read_text())["models"].keys() == {
        "external"}
