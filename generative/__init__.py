"""Generative models (AE, VAE, GAN, CycleGAN) and the networks they are built from.

This package knows nothing of fairness; ``debias`` builds on it.
"""

from generative._nets import ConvEncoder

__all__ = ["ConvEncoder"]
