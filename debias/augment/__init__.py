"""Augmentation: add synthetic faces of under-represented groups to a training split.

A CycleGAN translates faces of the most common value of an attribute into each rarer value,
or a class-conditional GAN draws new faces of the rarer values, until the values are balanced
or a cap is reached. Synthetic rows are marked (``meta["synthetic"]``) and
:meth:`debias.data.ImageDataset.split` never puts them in a test split.
"""

from debias.augment._augment import augment, augmentation_plan, synthetic_checks
from debias.augment._generators import cyclegan_domains, train_conditional_gan, train_cyclegan
from debias.augment._plan import face_values, most_imbalanced, plan_additions
from debias.augment._write import write_synthetic

__all__ = ["augment", "augmentation_plan", "cyclegan_domains", "face_values", "most_imbalanced",
           "plan_additions", "synthetic_checks", "train_conditional_gan", "train_cyclegan",
           "write_synthetic"]
