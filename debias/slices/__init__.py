"""Discovered slices: audit subgroups found from model features when a dataset has no
demographic labels. ``slice_features`` reads features from a model (or pixels),
``discover_slices`` clusters the training images' features into a :class:`SliceModel`, whose
``assign`` puts test images into the same slices."""

from debias.slices._discover import SliceMethod, SliceModel, discover_slices
from debias.slices._features import slice_features
from debias.slices._summary import slice_purity

__all__ = ["SliceMethod", "SliceModel", "discover_slices", "slice_features", "slice_purity"]
