"""Training the baseline, the DB-VAE and the other methods (JTT, AFR, DFR, group-balanced),
loading them back, and scoring images with them."""

from debias.training._fit import build_model, fit
from debias.training._job import (
    TrainedClassifier, check_balance_by, check_resumable, train_classifier, write_training_logs,
)
from debias.training._methods import (
    USES_GROUP_LABELS, afr, dfr, feature_rarity, jtt, train_method, uses_group_labels,
)
from debias.training._predict import predict_frame
from debias.training._settings import AugmentSettings, TrainingSettings
from debias.training._state import load_classifier, restore_fit_state

__all__ = ["AugmentSettings", "TrainedClassifier", "TrainingSettings", "USES_GROUP_LABELS", "afr",
           "build_model", "check_balance_by", "check_resumable", "dfr", "feature_rarity", "fit", "jtt",
           "load_classifier", "predict_frame", "restore_fit_state", "train_classifier",
           "train_method", "uses_group_labels", "write_training_logs"]
