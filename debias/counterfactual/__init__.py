"""Counterfactual probes: would a decision change if only one attribute of the face did?

The CycleGAN probe over a dataset (both directions) and the DB-VAE latent-direction edit, each
judged by an attribute classifier and a face classifier trained apart from the probed models.
Used by ``debias counterfactual`` and ``debias audit --counterfactual``.
"""

from debias.augment import train_cyclegan

from debias.counterfactual._flips import flip_summary
from debias.counterfactual._latent_direction import attribute_direction, latent_counterfactuals
from debias.counterfactual._checkers import train_attribute_classifier, train_face_checker
from debias.counterfactual._probe import probe
from debias.counterfactual._run import check_values, run_probe
from debias.data import colour_stats  # re-exported: the probe reports it

__all__ = ["attribute_direction", "check_values", "colour_stats", "flip_summary",
           "latent_counterfactuals", "probe", "run_probe", "train_attribute_classifier",
           "train_cyclegan", "train_face_checker"]
