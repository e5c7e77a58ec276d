"""Counterfactual probes: would a decision change if only one attribute of the face did?

(Issue 7, in progress: flip rates, the probe with edit checks, and the DB-VAE latent-direction
edit exist; the CycleGAN-driven probe over a dataset, augmentation and the CLI do not yet.)
"""

from debias.counterfactual._flips import flip_summary
from debias.counterfactual._latent_direction import attribute_direction, latent_counterfactuals
from debias.counterfactual._probe import probe, train_attribute_classifier

__all__ = ["attribute_direction", "flip_summary", "latent_counterfactuals", "probe",
           "train_attribute_classifier"]
