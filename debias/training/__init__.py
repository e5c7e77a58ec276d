"""Training the baseline and the DB-VAE, and scoring images with them."""

from debias.training._fit import build_model, fit
from debias.training._predict import load_classifier, predict_frame, read_images

__all__ = ["build_model", "fit", "load_classifier", "predict_frame", "read_images"]
