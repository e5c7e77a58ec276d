"""Face classifiers: the baseline CNN and the DB-VAE. Both score uint8 images with
``predict_proba`` and are saved and loaded with ``generative``'s checkpoints."""

from debias.models._classifier import BaselineClassifier, BaselineConfig, ScoresImages
from debias.models._dbvae import DBVAE, DBVAEConfig, dbvae_loss, kind_of

__all__ = ["DBVAE", "BaselineClassifier", "BaselineConfig", "DBVAEConfig", "ScoresImages",
           "dbvae_loss", "kind_of"]

