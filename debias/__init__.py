"""debias: audit image classifiers for subgroup bias and train debiased ones (DB-VAE)."""
