"""Training the baseline and the DB-VAE, loading them back, and scoring images with them."""

from debias.training._fit import build_model, fit
from debias.training._job import (
    TrainedClassifier, check_balance_by, check_resumable, train_classifier, write_training_logs,
)
from debias.training._predict import predict_frame
from debias.training._settings import AugmentSettings, TrainingSettings
from debias.training._state import load_classifier, restore_fit_state

__all__ = ["AugmentSettings", "TrainedClassifier", "TrainingSettings", "build_model",
           "check_balance_by", "check_resumable", "fit", "load_classifier", "predict_frame",
           "restore_fit_state", "train_classifier", "write_training_logs"]
