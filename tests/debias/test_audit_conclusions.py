"""The audit's conclusions: baseline vs DB-VAE verdicts, headline, limitations, galleries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from debias.audit._compare import compare_models
from debias.audit._findings import limitations, summarise
from debias.audit._latent_stage import misclassified
from debias.data import ImageDataset
from debias.metrics import AuditConfig, audit_predictions


def predictions(dark_recall: float, seed: int, n: int = 2000):
    rng = np.random.default_rng(seed)
    attrs = pd.DataFrame({"tone": rng.choice(["light", "dark"], n)})
    y = rng.integers(0, 2, n)
    hit = np.where(attrs.tone == "dark", dark_recall, 0.97)
    scores = np.where(y == 1, (rng.random(n) < hit) * 0.8 + 0.1, 0.1)
    return y, scores, attrs


def metrics_for(dark_recall_baseline, dark_recall_dbvae):
    y, s1, attrs = predictions(dark_recall_baseline, 0)
    _, s2, _ = predictions(dark_recall_dbvae, 0)
    config = AuditConfig(n_boot=300, verdict_metric="tpr")
    metrics = {"baseline": audit_predictions(y, s1, attrs, config),
               "dbvae": audit_predictions(y, s2, attrs, config)}
    return metrics, compare_models(y, {"baseline": s1, "dbvae": s2}, attrs, config)


def test_a_clearly_narrower_gap_is_called_narrower():
    metrics, comparison = metrics_for(0.6, 0.95)
    row = {r["slice"]: r for r in comparison["rows"]}["tone"]
    assert row["baseline_gap"] > 0.3 and row["dbvae_gap"] < 0.1
    assert row["code"] == "narrower" and row["change_high"] < 0
    assert row["verdict"] == "DB-VAE narrower (paired CI of the change below 0)"
    summary = summarise(metrics, {"dbvae": comparison}, [], audited=2000, faces=1000,
                        metric="tpr")
    assert summary["dbvae_helped"] is True
    assert summary["findings"][-1]["outcome"] == "narrower"
    assert summary["headline"][-1].endswith("; DB-VAE narrowed 1 of 1 gap.")
    assert summary["verdict"]["code"] == "disparity_clear"


def test_equal_models_give_no_clear_change():
    metrics, comparison = metrics_for(0.8, 0.8)
    # The same scores: the paired change is exactly 0, its CI [0, 0].
    assert {r["code"] for r in comparison["rows"]} == {"no_clear_change"}
    assert {(r["change"], r["change_low"], r["change_high"]) for r in comparison["rows"]} == \
        {(0.0, 0.0, 0.0)}
    summary = summarise(metrics, {"dbvae": comparison}, [], audited=2000, faces=1000)
    assert summary["dbvae_helped"] is None


def test_one_model_has_no_comparison_and_limitations_name_small_groups():
    y, s, attrs = predictions(0.8, 1, n=200)
    attrs.loc[:4, "tone"] = "rare"
    y[:5] = 1
    m = {"external": audit_predictions(y, s, attrs, AuditConfig(n_boot=0))}
    assert compare_models(y, {"external": s}, attrs, AuditConfig(n_boot=0)) is None
    notes = limitations(m, n_boot=0, trained=False)
    assert any("tone=rare" in n for n in notes)
    assert any("No bootstrap" in n for n in notes)


def test_misclassified_gallery_holds_the_missed_faces_of_each_group():
    images = torch.zeros(6, 3, 8, 8, dtype=torch.uint8)
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(6)], "label": [1, 1, 1, 0, 0, 1],
                         "tone": ["dark", "dark", "light", "unknown", "unknown", "light"]})
    data = ImageDataset(images, torch.tensor(meta.label.to_numpy()), meta, ["tone"], root=".")
    scores = np.array([0.2, 0.9, 0.1, 0.7, 0.1, 0.95])
    out = misclassified(scores, data, threshold=0.5, attributes=["tone"], k=4)
    groups = {g["group"]: [i["path"] for i in g["images"]] for g in out}
    assert groups == {"tone=dark (missed faces)": ["0.png"], "tone=light (missed faces)": ["2.png"],
                      "non-faces called faces": ["3.png"]}
    first, alarm = out[0]["images"][0], out[2]["images"][0]
    assert first["caption"] == "dark \u00b7 face, predicted non-face (score 0.200)"
    assert first["alt"] == "face of dark, predicted non-face (score 0.20)"
    assert alarm["alt"] == "non-face, predicted face (score 0.70)" and len(first["png"]) > 20


def test_latent_section_takes_attributes_named_like_python_keywords():
    # real-dev's attributes include "class": itertuples would rename it and crash the audit.
    from debias.audit._latent_stage import latent_section
    from debias.models import DBVAE, DBVAEConfig

    rng = np.random.default_rng(0)
    n = 40
    images = torch.from_numpy(rng.integers(0, 256, (n, 3, 16, 16), dtype=np.uint8))
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(n)], "label": [1] * 30 + [0] * 10,
                         "class": rng.choice(["a", "b"], n)})
    data = ImageDataset(images, torch.tensor(meta.label.to_numpy()), meta, ["class"], root=".")
    torch.manual_seed(0)
    model = DBVAE(DBVAEConfig(image_size=16, latent_dim=4)).eval()
    section = latent_section(model, data, data, model.predict_proba(images),
                             attributes=["class"], k=2)
    assert {p["groups"]["class"] for p in section["pca"]["points"]} == {"a", "b"}


def test_the_audits_own_tables_give_the_same_comparison():
    y, s1, attrs = predictions(0.6, 0)
    _, s2, _ = predictions(0.9, 0)
    config = AuditConfig(n_boot=100, verdict_metric="tpr")
    metrics = {"baseline": audit_predictions(y, s1, attrs, config),
               "dbvae": audit_predictions(y, s2, attrs, config)}
    scores = {"baseline": s1, "dbvae": s2}
    assert compare_models(y, scores, attrs, config, metrics=metrics) == \
        compare_models(y, scores, attrs, config)
