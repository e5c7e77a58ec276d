"""The counterfactual probe: score originals and their edits with each model; check the edit."""

from __future__ import annotations

import torch

from debias.counterfactual._checkers import train_attribute_classifier
from debias.counterfactual._flips import flip_summary

__all__ = ["probe", "train_attribute_classifier"]


def probe(models: dict, originals: torch.Tensor, edited: torch.Tensor, *,
          attribute_model=None, face_model=None, threshold: float = 0.5) -> dict:
    """Flip summaries per model, and how good the edits were.

    Parameters
    ----------
    models : name -> classifier with ``predict_proba`` (uint8 images -> scores)
    originals, edited : uint8 (N, 3, S, S), pairwise
    attribute_model : classifier of the target attribute value, optional
        ``edit_success``: share of edits it calls the target value, beside the share of
        originals it does (should be low: they hold the source value).
    face_model : an independent face classifier, optional
        ``target_preserved``: share of edits it still calls a face.

    Returns
    -------
    dict
        ``models``: name -> :func:`flip_summary`; ``edit_success``, ``source_called_target``,
        ``attribute_score_change`` (mean change of the attribute model's score),
        ``target_preserved``, ``originals_preserved`` (None when the checker is not given);
        ``scores``: name -> (original, edited) score arrays (not JSON: for galleries).
    """
    scores = {name: (m.predict_proba(originals), m.predict_proba(edited))
              for name, m in models.items()}
    out = {"models": {name: flip_summary(a, b, threshold=threshold)
                      for name, (a, b) in scores.items()}, "scores": scores}
    for key in ("edit_success", "source_called_target", "attribute_score_change",
                "target_preserved", "originals_preserved"):
        out[key] = None
    if attribute_model is not None and len(originals):
        before, after = attribute_model.predict_proba(originals), attribute_model.predict_proba(edited)
        out["edit_success"] = float((after >= 0.5).mean())
        out["source_called_target"] = float((before >= 0.5).mean())
        out["attribute_score_change"] = float((after - before).mean())
    if face_model is not None and len(originals):
        out["target_preserved"] = float((face_model.predict_proba(edited) >= threshold).mean())
        out["originals_preserved"] = float((face_model.predict_proba(originals) >= threshold).mean())
    return out
