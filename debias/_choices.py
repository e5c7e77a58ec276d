"""Names of the options the library accepts, in a module that imports nothing heavy.

The command line lists these in ``--help`` without importing torch; the library modules that
take them import them from here, so the two lists cannot drift apart.
"""

from __future__ import annotations

from typing import Literal, get_args

Format = Literal["auto", "csv", "folder", "celeba", "utkface", "fairface"]
ModelKind = Literal["baseline", "dbvae"]
Device = Literal["auto", "cpu", "cuda"]
Combine = Literal["max", "product"]
AugmentMethod = Literal["cyclegan", "gan"]
GenerativeKind = Literal["ae", "vae", "gan", "cyclegan"]
VaeOn = Literal["positive", "all"]
# Training methods: label-free (baseline, dbvae, jtt, afr) and label-using references.
Method = Literal["baseline", "dbvae", "jtt", "afr", "feature_rarity", "dfr", "balanced"]
Rarity = Literal["histogram_max", "histogram_product", "knn", "gmm"]

FORMATS: tuple[str, ...] = get_args(Format)
MODEL_KINDS: tuple[str, ...] = get_args(ModelKind)
DEVICES: tuple[str, ...] = get_args(Device)
COMBINE_RULES: tuple[str, ...] = get_args(Combine)
AUGMENT_METHODS: tuple[str, ...] = get_args(AugmentMethod)
GENERATIVE_KINDS: tuple[str, ...] = get_args(GenerativeKind)
VAE_ON: tuple[str, ...] = get_args(VaeOn)
METHODS: tuple[str, ...] = get_args(Method)
# Methods that read group labels (attribute columns) to train: references, marked as such.
GROUP_LABEL_METHODS: tuple[str, ...] = ("dfr", "balanced")
RARITY_ESTIMATORS: tuple[str, ...] = get_args(Rarity)

# Metrics a verdict can be about (``debias.metrics.METRICS``, the miss rate first).
VERDICT_METRICS: tuple[str, ...] = ("fnr", "fpr", "error_rate", "tpr", "accuracy", "precision",
                                    "fdr", "for", "selection_rate")
# Evidence at which ``debias audit --fail-on`` exits 3.
FAIL_ON_LEVELS: tuple[str, ...] = ("clear", "weak")
